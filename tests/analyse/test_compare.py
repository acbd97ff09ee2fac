"""One question compared quarter by quarter: the page, its CSV, sorting and scope."""
import csv
import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app import accounts
from app.db import db
from app.domain.aggregation import Area, Counts, aggregate
from app.domain.comparison import SORT_BY_MEAN, compare_quarters, comparison_columns, comparison_rows
from app.domain.definition import QuestionDef
from app.models import District, Quarter
from app.results.queries import survey_results
from tests.analyse.test_results import add_responses
from tests.conftest import log_in
from tests.figures import IDENTITY, plausible

FEWER = "not shown"


class TableRows(HTMLParser):
    """The body rows of the page's comparison table: row header → the texts of its cells."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.order: list[str] = []
        self._in_table = self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._scope = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "comparison" in (attrs.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("th", "td"):
            self._cell, self._scope = [], attrs.get("scope", "")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).replace("\xa0", " ").replace("\u202f", " ").split())
            if self._scope != "rowgroup":
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows[self._row[0]] = self._row[1:]
            self.order.append(self._row[0])
            self._row = None
        elif tag == "tr":
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._in_table = False


def table_of(page) -> TableRows:
    """The parsed comparison table of a response (which must be 200)."""
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    parser = TableRows()
    parser.feed(page.get_data(as_text=True))
    return parser


def csv_rows(page, delimiter=","):
    """The rows of a CSV download."""
    assert page.status_code == 200 and page.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(page.get_data(as_text=True).lstrip("\ufeff")),
                               delimiter=delimiter))


def limit_to(placement, codes):
    """Let the placement's consultation cover only the quarters ``codes``."""
    placement.survey.consultation.quarters = list(db.session.scalars(
        select(Quarter).where(Quarter.code.in_(codes))))
    db.session.commit()


@pytest.fixture
def staff(login):
    return login("planner")


@pytest.fixture
def six_and_three(placement, today):
    """Nordbahnhof (126): 6 responses; Am Pragfriedhof (127, same district Nord): 3; Hallschlag
    (214, Bad Cannstatt): 12. Everybody in Nord has help nearby; in Hallschlag 7 of 12."""
    limit_to(placement, ["126", "127", "214"])
    add_responses(placement, today,
                  [{"help_nearby": "yes", "living_satisfaction": "4"}] * 6
                  + [{"help_nearby": "yes", "living_satisfaction": "2", "home_quarter": "127"}] * 3
                  + [{"help_nearby": "yes", "living_satisfaction": "5", "home_quarter": "214"}] * 7
                  + [{"help_nearby": "no", "living_satisfaction": "3", "home_quarter": "214"}] * 5)
    return placement


def test_three_answers_are_never_shown_as_such_and_no_row_shows_a_small_count(staff, six_and_three):
    rows = table_of(staff.get("/results/quarter-needs/compare?question=help_nearby&lang=en")).rows
    # columns: answered, yes (number, share), no (number, share); true figures per row:
    truth = {"Stuttgart": (21, 16, 5), "02 Nord": (9, 9, 0), "126 Nordbahnhof": (6, 6, 0),
             "127 Am Pragfriedhof": (3, 3, 0), "06 Bad Cannstatt": (12, 7, 5), "214 Hallschlag": (12, 7, 5)}
    for name, (answered, yes, no) in truth.items():
        cells = rows[name]
        for shown, true in ((cells[0], answered), (cells[1], yes), (cells[3], no)):
            assert shown == FEWER or plausible(shown, true), (name, shown, true)
        if cells[0] == FEWER:  # a small group shows no figure at all, zeros included
            assert cells == [FEWER, FEWER, "", FEWER, ""], name
    assert rows["02 Nord"][3] == FEWER  # nobody in Nord said no: a 0 is not shown either
    # The same responses in the same area, the same figures: Bad Cannstatt is Hallschlag alone.
    assert rows["06 Bad Cannstatt"] == rows["214 Hallschlag"]


def test_rows_are_districts_with_their_quarters_after_the_city(staff, six_and_three):
    order = table_of(staff.get("/results/quarter-needs/compare?question=help_nearby&lang=en")).order
    assert order == ["Stuttgart", "02 Nord", "126 Nordbahnhof", "127 Am Pragfriedhof",
                     "06 Bad Cannstatt", "214 Hallschlag"]


def test_scale_question_adds_mean_and_median_where_the_base_is_shown(staff, six_and_three):
    rows = table_of(staff.get("/results/quarter-needs/compare?question=living_satisfaction&lang=en")).rows
    # true means: city 80/21 = 3.81, Nord 30/9 = 3.33, Hallschlag 50/12 = 4.17
    for name, mean in (("Stuttgart", 80 / 21), ("02 Nord", 30 / 9), ("214 Hallschlag", 50 / 12)):
        answered, shown_mean, median = rows[name][:3]
        if answered == FEWER:
            assert (shown_mean, median) == ("", ""), name
            continue
        # the sum is perturbed by at most D × half the largest point, the base by at most D
        assert abs(float(shown_mean) - mean) <= (3 * 2.5 + 3 * 5) / int(answered) + 0.05, name
        if int(answered) < 20:
            assert median == "", name
    assert rows["02 Nord"][2] == ""  # nine answers: no median
    if rows["126 Nordbahnhof"][0] == FEWER:  # six answers may be published below 5
        assert rows["126 Nordbahnhof"][1:3] == ["", ""]
    assert rows["Stuttgart"][2] in ("", "4.0")  # 21 answers: a median only if 20 or more are published
    assert len(rows["Stuttgart"]) == 1 + 2 + 2 * 5  # answered, mean and median, five points


def test_every_figure_equals_the_results_object_of_the_results_page(app, staff, six_and_three):
    results = survey_results(six_and_three.survey)
    names = {area.key: (area.name if area.level == "city" else f"{area.code} {area.name}")
             for area in results.areas}
    for code in ("help_nearby", "living_satisfaction", "top_needs"):
        rows = table_of(staff.get(f"/results/quarter-needs/compare?question={code}&lang=en")).rows
        result = next(r for r in results.questions if r.question.code == code)
        for key, area_result in result.areas.items():
            cells = rows[names[key]]
            figures = [area_result.base, *(area_result.options[o] for o in result.option_codes)]
            first = 3 if result.question.type == "scale" else 1  # after mean and median
            shown = [cells[0], *cells[first:first + 2 * len(result.option_codes):2]]
            assert shown == [FEWER if f.hidden else str(f.count) for f in figures], (code, key)


def test_csv_has_the_pages_figures_and_marks_hidden_ones_as_the_aggregate_export_does(staff, six_and_three):
    url = "/results/quarter-needs/compare{}?question=help_nearby&lang=en"
    page = table_of(staff.get(url.format("")))
    rows = csv_rows(staff.get(url.format(".csv")))
    assert [r["level"] for r in rows] == ["city", "district", "quarter", "quarter", "district", "quarter"]
    for row in rows:
        name = row["quarter_code"] + " " + row["quarter_name"] if row["level"] == "quarter" else (
            row["district_code"] + " " + row["district_name"] if row["level"] == "district" else "Stuttgart")
        cells = page.rows[name]
        for position, column, marker in ((0, "answered", "answered_suppressed"),
                                         (1, "yes__count", "yes__suppressed"),
                                         (3, "no__count", "no__suppressed")):
            if cells[position] == FEWER:
                assert (row[column], row[marker]) == ("", "true"), (name, column)
            else:
                assert (row[column], row[marker]) == (cells[position], "false"), (name, column)
        for position, column in ((2, "yes__share"), (4, "no__share")):
            expected = f"{round(float(row[column]) * 100)} %" if row[column] else ""
            assert cells[position] == expected, (name, column)
    nordbahnhof = next(r for r in rows if r["quarter_code"] == "126")
    assert nordbahnhof["district_name"] == "Nord" and nordbahnhof["quarter_name"] == "Nordbahnhof"
    assert rows[0]["survey"] == "quarter-needs" and rows[0]["question_code"] == "help_nearby"


def test_german_excel_csv_has_bom_semicolons_and_decimal_commas(staff, six_and_three):
    page = staff.get("/results/quarter-needs/compare.csv?question=living_satisfaction&dialect=csv-de")
    assert page.get_data(as_text=True).startswith("\ufeffsurvey;question_code;level;")
    assert "quarter-needs-compare-living_satisfaction.de.csv" in page.headers["Content-Disposition"]
    city = csv_rows(page, delimiter=";")[0]
    assert abs(float(city["mean"].replace(",", ".")) - 80 / 21) < 1.2 and "," in city["mean"]
    assert city["median"] in ("", "4")
    assert city["4__share"] == "" or "," in city["4__share"]


@pytest.fixture
def five_quarters(placement, today):
    """Share answering yes: Nordbahnhof 10/15, Am Pragfriedhof 1/3, Am Rosensteinpark 2/3, Auf
    der Prag 5/15 (all Nord: 18/36); Hallschlag 7/12 (Bad Cannstatt); the city 25/48."""
    limit_to(placement, ["126", "127", "128", "129", "214"])
    rows = []
    for quarter, yes, no in (("126", 10, 5), ("127", 1, 2), ("128", 2, 1), ("129", 5, 10), ("214", 7, 5)):
        rows += [{"help_nearby": "yes", "home_quarter": quarter}] * yes
        rows += [{"help_nearby": "no", "home_quarter": quarter}] * no
    add_responses(placement, today, rows)
    return placement


def expected_order(results, option, descending=True):
    """The ranking rule, from the release layer's figures: the city, then the quarters with a
    shown share (highest first, ties by number), the hidden ones by number, then the districts
    alike."""
    question = next(q for q in results.questions if q.question.code == "help_nearby")

    def ranked(level):
        areas = [a for a in results.areas if a.level == level]
        shown = [a for a in areas if question.areas[a.key].options[option].share is not None]
        hidden = [a for a in areas if a not in shown]
        shown.sort(key=lambda a: ((-1 if descending else 1) * question.areas[a.key].options[option].share, a.code))
        return shown + sorted(hidden, key=lambda a: a.code)

    return ["city", *[a.code for a in ranked("quarter")], *[a.code for a in ranked("district")]]


def test_sorting_by_a_share_ranks_quarters_then_districts_and_puts_hidden_ones_last(staff, five_quarters):
    table = table_of(staff.get("/results/quarter-needs/compare?question=help_nearby&sort=yes&lang=en"))
    codes = ["city" if name == "Stuttgart" else name.split()[0] for name in table.order]
    assert codes == expected_order(survey_results(five_quarters.survey), "yes")
    # 127 (truly 1 of 3) and 128 (2 of 3) are small: last among the quarters, without a share
    assert codes.index("127") > codes.index("126") and table.rows["127 Am Pragfriedhof"][3] == ""
    assert table.rows["126 Nordbahnhof"][0] == "Nord"  # the district column of a ranked table


def test_sorting_lowest_first_keeps_hidden_quarters_last(staff, five_quarters):
    table = table_of(staff.get("/results/quarter-needs/compare?question=help_nearby&sort=yes&order=asc&lang=en"))
    codes = ["city" if name == "Stuttgart" else name.split()[0] for name in table.order]
    assert codes == expected_order(survey_results(five_quarters.survey), "yes", descending=False)


def test_the_sorted_column_is_marked_and_the_csv_keeps_the_pages_order(staff, five_quarters):
    page = staff.get("/results/quarter-needs/compare?question=help_nearby&sort=no&lang=en")
    html = page.get_data(as_text=True)
    assert html.count('aria-sort="descending"') == 1
    order = table_of(page).order
    rows = csv_rows(staff.get("/results/quarter-needs/compare.csv?question=help_nearby&sort=no"))
    names = [r["quarter_code"] or r["district_code"] or "city" for r in rows]
    assert names == expected_order(survey_results(five_quarters.survey), "no")
    assert [name.split()[0] for name in order[1:]] == names[1:]


def test_an_unknown_sort_leaves_districts_with_their_quarters(staff, five_quarters):
    order = table_of(staff.get("/results/quarter-needs/compare?question=help_nearby&sort=maybe&lang=en")).order
    assert [name.split()[0] for name in order] == ["Stuttgart", "02", "126", "127", "128", "129", "06", "214"]


def test_the_form_offers_questions_with_fixed_answers_and_defaults_to_the_first(staff, six_and_three):
    html = staff.get("/results/quarter-needs/compare?lang=en").get_data(as_text=True)
    form = html.split('id="question"')[1].split("</select>")[0]
    assert 'value="help_nearby"' in form and 'value="minutes_to_stop"' in form
    assert 'value="home_quarter"' not in form and 'value="change_wishes"' not in form
    assert '<option value="living_satisfaction" selected>' in form  # the first such question
    assert "<script" not in html and 'class="table-scroll" tabindex="0" role="region"' in html


def test_unknown_or_text_questions_and_dialects_are_not_found(staff, six_and_three):
    assert staff.get("/results/quarter-needs/compare?question=nope").status_code == 404
    assert staff.get("/results/quarter-needs/compare?question=change_wishes").status_code == 404
    assert staff.get("/results/quarter-needs/compare.csv?question=home_quarter").status_code == 404
    assert staff.get("/results/quarter-needs/compare.csv?question=help_nearby&dialect=xls").status_code == 404


def test_comparison_needs_a_staff_login(client, six_and_three):
    for url in ("/results/quarter-needs/compare", "/results/quarter-needs/compare.csv"):
        page = client.get(url)
        assert page.status_code == 302 and "/login" in page.location


def test_a_planner_of_one_district_compares_only_surveys_of_that_district(app, client, make_placement):
    needs = make_placement()  # quarter-needs, placed in 126 (Nord)
    limit_to(needs, ["126", "127"])
    elsewhere = make_placement(template="meeting-place", quarter_code="214")
    limit_to(elsewhere, ["214"])
    user = accounts.create_user("nord@example.org", "a-long-password", "planner")
    user.is_city_wide = False
    user.districts = [db.session.scalar(select(District).where(District.code == "02"))]
    db.session.commit()
    log_in(client, "nord@example.org", "a-long-password")
    assert client.get("/results/quarter-needs/compare").status_code == 200
    assert client.get("/results/quarter-needs/compare.csv").status_code == 200
    assert client.get("/results/meeting-place/compare").status_code == 403
    assert client.get("/results/meeting-place/compare.csv?question=comfort").status_code == 403


# --- The domain alone ---------------------------------------------------------------------------

AREAS = [Area("city", "", "Stadt"), Area("district", "01", "Eins"),
         Area("quarter", "101", "A", "01"), Area("quarter", "102", "B", "01"),
         Area("quarter", "103", "C", "01")]
SCALE = QuestionDef("mood", "scale", settings={"min": 1, "max": 3})
TEXT = QuestionDef("note", "short_text")


def scale_results():
    """Quarter A: 10 × 1 and 10 × 3 (mean 2.0); B: 10 × 3 (mean 3.0); C: 10 × 2 (mean 2.0)."""
    values = {"101": {1: 10, 3: 10}, "102": {3: 10}, "103": {2: 10}}
    counts = Counts()
    for quarter, points in values.items():
        counts.answered[("mood", quarter)] = counts.responses[quarter] = sum(points.values())
        for point, n in points.items():
            counts.options[("mood", quarter, str(point))] = n
            counts.numbers[("mood", quarter, float(point))] = n
    return aggregate([SCALE, TEXT], AREAS, counts, k=5, perturbation=IDENTITY)


def test_ranking_by_the_mean_breaks_ties_by_the_quarters_number():
    table = compare_quarters(scale_results(), "mood", SORT_BY_MEAN)
    assert [row.area.code for row in table.rows] == ["", "102", "101", "103", "01"]
    assert table.sort == SORT_BY_MEAN and table.has_mean


def test_text_questions_cannot_be_compared():
    with pytest.raises(LookupError):
        compare_quarters(scale_results(), "note")


def test_csv_columns_have_a_count_share_and_marker_per_option_and_the_rows_follow_the_table():
    table = compare_quarters(scale_results(), "mood", "3", descending=False)
    assert comparison_columns(table) == [
        "survey", "question_code", "level", "district_code", "district_name", "quarter_code",
        "quarter_name", "answered", "answered_suppressed", "mean", "median", "1__count", "1__share",
        "1__suppressed", "2__count", "2__share", "2__suppressed", "3__count", "3__share",
        "3__suppressed"]
    rows = list(comparison_rows(table, "s"))
    # lowest share of 3 first; C has no 3 at all, and a 0 is not shown: last
    assert [r["quarter_code"] for r in rows if r["level"] == "quarter"] == ["101", "102", "103"]
    c = rows[3]
    assert (c["district_name"], c["3__count"], c["3__share"], c["3__suppressed"]) == ("Eins", None, None, True)
    assert rows[0]["mean"] == pytest.approx(round(90 / 40, 1))  # (10·1 + 10·3 + 10·3 + 10·2) / 40
