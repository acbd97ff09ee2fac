"""Results page, CSV downloads and `flask export`: the same suppressed figures everywhere."""
import csv
import io
import secrets

import pytest
from sqlalchemy import select

from app.answering.operations import submit_response
from app.db import db
from app.domain.answers import parse
from app.models import Quarter
from app.results.queries import survey_results
from tests.figures import plausible


def add_responses(placement, today, rows):
    """Store responses: each row is a dict of question code → raw values (``<code>-other``: the
    text beside its "other" option), plus optional ``_language``."""
    version = placement.survey.current_version
    from app.models.surveys import version_definition
    defn = version_definition(version)
    quarter_codes = [q.code for q in db.session.scalars(select(Quarter))]
    for row in rows:
        answers = {}
        for code, raw in row.items():
            if code.startswith("_") or code.endswith("-other"):
                continue
            other = [row[f"{code}-other"]] if f"{code}-other" in row else None
            parsed = parse(defn.question(code), raw if isinstance(raw, list) else [raw], quarter_codes, other)
            assert parsed.error is None, (code, parsed.error)
            answers[code] = parsed.parts
        submit_response(version, answers, language=row.get("_language", "de"), channel="web",
                        submission_key=secrets.token_urlsafe(8), today=today, placement=placement)


@pytest.fixture
def staff(login):
    return login("planner")


@pytest.fixture
def answered(placement, today):
    """Nordbahnhof (126): 7 like it 4, 3 like it 2; Hallschlag (214, own answer): 2 like it 5."""
    add_responses(placement, today, [{"living_satisfaction": "4", "top_needs": ["green_space"]}] * 7
                  + [{"living_satisfaction": "2", "change_wishes": "=HYPERLINK(\"http://evil\")"}] * 3
                  + [{"living_satisfaction": "5", "home_quarter": "214"}] * 2)
    return placement


def test_results_need_a_staff_login(client, answered):
    page = client.get("/results/quarter-needs")
    assert page.status_code == 302 and "/login" in page.location
    assert client.get("/results/quarter-needs/aggregates.csv").status_code == 302


def test_results_page_shows_counts_and_hides_small_ones(staff, answered):
    html = staff.get("/results/quarter-needs?area=quarter:126&lang=en").get_data(as_text=True)
    assert "Nordbahnhof" in html
    assert ">not shown</span>" in html
    assert "every figure is changed slightly at random, by at most 3" in html  # the method, plainly
    assert "Totals can therefore differ a little from the sum of their parts." in html
    results = survey_results(answered.survey)
    satisfaction = next(q for q in results.questions if q.question.code == "living_satisfaction")
    four = satisfaction.areas[("quarter", "126")].options["4"]  # seven answered 4 in Nordbahnhof
    assert plausible(four.shown, 7)
    if not four.hidden:
        assert f">{four.count}</td>" in html
    for count in (1, 2):  # never published
        assert f">{count}</td>" not in html


def aggregate_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_aggregate_csv_marks_suppressed_cells_and_never_shows_their_count(staff, answered):
    text = staff.get("/results/quarter-needs/aggregates.csv").get_data(as_text=True)
    rows = aggregate_rows(text)
    cell = lambda level, quarter, option: next(  # noqa: E731
        r for r in rows if r["question_code"] == "living_satisfaction" and r["level"] == level
        and r["quarter_code"] == quarter and r["option_code"] == option)
    results = survey_results(answered.survey)
    satisfaction = next(q for q in results.questions if q.question.code == "living_satisfaction")
    for (level, quarter, option, truth) in (("quarter", "126", "4", 7), ("quarter", "126", "2", 3),
                                            ("quarter", "214", "5", 2), ("city", "", "4", 7)):
        row = cell(level, quarter, option)
        figure = satisfaction.areas[(level, quarter)].options[option]
        assert row["count"] == ("" if figure.hidden else str(figure.count))  # the release layer's figure
        assert row["suppressed"] == ("true" if figure.hidden else "false")
        assert plausible(row["count"], truth)
    assert cell("quarter", "126", "4")["quarter_name"] == "Nordbahnhof"
    assert cell("quarter", "126", "4")["district_code"] == "02"
    assert cell("quarter", "214", "5")["count"] == ""  # two people: never shown
    base = cell("city", "", "")
    assert plausible(base["count"], 12) and base["count"]
    true_mean = (7 * 4 + 3 * 2 + 2 * 5) / 12
    assert float(base["mean"]) == pytest.approx(true_mean, abs=(3 * 2.5 + 3 * 5) / int(base["count"]) + 0.05)
    assert float(base["mean"]) == satisfaction.areas[("city", "")].mean
    for row in rows:
        if row["suppressed"] == "true":
            assert row["count"] == "" and row["share"] == ""
        else:
            assert int(row["count"]) >= 5


def test_german_excel_variant_has_bom_semicolons_and_decimal_commas(staff, answered):
    text = staff.get("/results/quarter-needs/aggregates.csv?dialect=csv-de").get_data(as_text=True)
    assert text.startswith("\ufeffsurvey;version;")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    base = next(r for r in rows if r["question_code"] == "living_satisfaction" and r["level"] == "city"
                and r["option_code"] == "")
    shares = [r["share"] for r in rows if r["question_code"] == "living_satisfaction" and r["share"]]
    assert shares and all("," in share and "." not in share for share in shares if share not in ("0", "1"))
    assert "," in base["mean"] or base["mean"].isdigit()


def test_response_table_is_anonymous_and_defuses_formulas(staff, answered):
    text = staff.get("/results/quarter-needs/responses.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 10  # the two in Hallschlag form a group below k: left out
    assert {r["quarter_code"] for r in rows} <= {"126", ""}
    wishes = [r["change_wishes"] for r in rows if r["change_wishes"] not in ("", "-1")]
    assert len(wishes) == 3 and all(w.startswith("'=") for w in wishes)
    assert sum(r["change_wishes"] == "-1" for r in rows) == 7  # shown, not answered
    assert sorted(int(r["response"]) for r in rows) == list(range(1, 11))
    assert "submitted_on" not in rows[0] and "meeting_place" not in rows[0]


def test_flask_export_writes_the_same_tables_into_the_export_folder(app, runner, staff, answered, tmp_path):
    result = runner.invoke(args=["export", "quarter-needs", "--format", "csv"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "exports"
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["quarter-needs-v1-aggregates.csv", "quarter-needs-v1-responses.csv"]
    downloaded = staff.get("/results/quarter-needs/aggregates.csv").get_data(as_text=True)
    assert (folder / "quarter-needs-v1-aggregates.csv").read_bytes().decode("utf-8") == downloaded
    result = runner.invoke(args=["export", "quarter-needs", "--format", "csv-de"])
    assert (folder / "quarter-needs-v1-aggregates.de.csv").read_bytes().startswith("\ufeff".encode())
