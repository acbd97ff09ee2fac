"""XLSX export: the bundle's figures, suppression and codebook in a workbook Excel opens safely."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.domain.export_xlsx import MAX_TITLE, sheet_titles, write_xlsx
from tests.analyse.bundles import built_once
from tests.analyse.test_results import add_responses
from tests.conftest import load_template
from tests.figures import plausible

FORMULA = '=HYPERLINK("http://evil","click")'

#: The module shares data built once (module-scoped fixtures): its tests run on one worker.
pytestmark = pytest.mark.xdist_group("export_xlsx")


def answer(placement, today):
    """Nordbahnhof (126): 7 like it 4, 3 like it 2 (one of them wishes a formula); Hallschlag
    (214, own answer): 2 like it 5."""
    add_responses(placement, today, [{"living_satisfaction": "4", "top_needs": ["green_space"]}] * 7
                  + [{"living_satisfaction": "2", "change_wishes": FORMULA}] * 3
                  + [{"living_satisfaction": "5", "home_quarter": "214"}] * 2)


@pytest.fixture(scope="module")
def bundle():
    """The survey's export bundle, built once for this module (the tests only read it)."""
    return built_once(answer)


@pytest.fixture(scope="module")
def workbook(bundle):
    """The workbook written from it and read back, once for this module."""
    out = io.BytesIO()
    write_xlsx(bundle, out, exported_on=date(2026, 5, 4))
    out.seek(0)
    return load_workbook(out)


def table(sheet) -> list[dict]:
    """A sheet's rows as dicts keyed by its header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def row_of(sheet, level: str, code: str) -> dict:
    key = "quarter_code" if level == "quarter" else "district_code"
    return next(r for r in table(sheet) if r["level"] == level and (level == "city" or r[key] == code))


def test_workbook_has_metadata_a_sheet_per_question_comparison_codebook_and_responses(workbook, bundle):
    questions = [result.question.code for result in bundle.results.questions]
    assert workbook.sheetnames == ["metadata", *questions, "quarter comparison", "codebook", "responses"]


def test_metadata_states_k_period_rule_and_left_out(workbook, bundle, today):
    meta = {r["field"]: r["value"] for r in table(workbook["metadata"])}
    assert meta["k"] == 5 and meta["survey"] == "quarter-needs" and meta["version"] == 1
    assert meta["title"] == "Was braucht Ihr Quartier?"
    assert meta["filters"] == "none"
    assert meta["first_day"].date() == today and meta["last_day"].date() == today
    assert meta["suppression_rule"] == bundle.suppression_rule
    assert meta["responses_left_out"] == bundle.left_out == 2
    assert meta["responses_in_table"] == 10
    assert meta["exported_on"].date() == date(2026, 5, 4)
    assert meta["languages"] == ", ".join(load_template("quarter-needs").languages)


def test_question_sheet_shows_about_seven_in_nordbahnhof_and_hides_three(workbook):
    nordbahnhof = row_of(workbook["living_satisfaction"], "quarter", "126")
    assert nordbahnhof["name"] == "Nordbahnhof" and nordbahnhof["district_code"] == "02"
    assert plausible(nordbahnhof["4 count"], 7) and nordbahnhof["4 suppressed"] is (nordbahnhof["4 count"] is None)
    if nordbahnhof["4 count"] is not None:
        assert nordbahnhof["4 share"] == pytest.approx(nordbahnhof["4 count"] / nordbahnhof["answered"])
    assert (nordbahnhof["2 count"], nordbahnhof["2 share"], nordbahnhof["2 suppressed"]) == (None, None, True)
    assert plausible(nordbahnhof["answered"], 10) and nordbahnhof["answered suppressed"] is False
    city = row_of(workbook["living_satisfaction"], "city", "")
    assert plausible(city["answered"], 12) and city["answered"] is not None
    assert city["mean"] == pytest.approx((7 * 4 + 3 * 2 + 2 * 5) / 12, abs=(3 * 2.5 + 3 * 5) / city["answered"] + 0.05)


def test_every_figure_of_every_question_sheet_equals_the_bundle(workbook, bundle):
    for result in bundle.results.questions:
        rows = table(workbook[result.question.code])
        assert len(rows) == len(bundle.results.areas)
        for area, row in zip(bundle.results.areas, rows):
            figures = result.areas[area.key]
            assert (row["level"], row["name"]) == (area.level, area.name)
            assert row["answered"] == figures.base.shown
            assert row["answered suppressed"] is figures.base.hidden
            for code in result.option_codes:
                figure = figures.options[code]
                assert row[f"{code} count"] == figure.shown
                assert row[f"{code} suppressed"] is figure.hidden
                if figure.share is None:  # hidden, or nobody answered
                    assert row[f"{code} share"] is None
                else:
                    assert row[f"{code} share"] == pytest.approx(figure.share)
            if result.question.type in ("scale", "number"):
                assert row["mean"] == (pytest.approx(figures.mean) if figures.mean is not None else None)
                assert row["median"] == (pytest.approx(figures.median) if figures.median is not None else None)


def test_text_question_sheet_gives_only_how_many_answered(workbook):
    header = next(workbook["change_wishes"].iter_rows(values_only=True))
    assert header == ("level", "district_code", "quarter_code", "name", "answered", "answered suppressed")


def test_shares_are_percent_with_one_decimal_and_counts_whole_numbers(workbook):
    sheet = workbook["living_satisfaction"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("quarter_code")].value == "126")
    assert row[header.index("4 share")].number_format == "0.0%"
    assert row[header.index("4 count")].number_format == "0"
    assert sheet[1][0].font.bold and sheet.freeze_panes == "E2"


def test_quarter_comparison_puts_shares_of_quarters_side_by_side(workbook, bundle):
    rows = {r["quarter_code"]: r for r in table(workbook["quarter comparison"])}
    assert len(rows) == sum(1 for a in bundle.results.areas if a.level == "quarter")
    responses = bundle.results.responses[("quarter", "126")]
    assert (rows["126"]["responses"], rows["126"]["responses suppressed"]) == (responses.shown, responses.hidden)
    satisfaction = next(q for q in bundle.results.questions if q.question.code == "living_satisfaction")
    four = satisfaction.areas[("quarter", "126")].options["4"]
    assert rows["126"]["living_satisfaction__4 share"] == (None if four.hidden else pytest.approx(four.share))
    assert rows["126"]["living_satisfaction__2 share"] is None  # three people
    assert rows["214"]["responses"] is None and rows["214"]["responses suppressed"] is True
    assert rows["214"]["living_satisfaction__5 share"] is None
    header = next(workbook["quarter comparison"].iter_rows(values_only=True))
    shares = [h for h in header if h.endswith(" share")]
    order = [h.split("__")[0] for h in shares]
    codes = [r.question.code for r in bundle.results.questions]
    assert order == sorted(order, key=codes.index)  # the survey's question order
    assert "home_quarter__126 share" not in header and "change_wishes__ share" not in header


def test_codebook_has_labels_in_every_language(workbook):
    rows = table(workbook["codebook"])
    outdoors = next(r for r in rows if r["question_code"] == "meeting_places" and r["option_code"] == "outdoors")
    assert outdoors["variable"] == "meeting_places__outdoors"
    assert outdoors["option_label_de"] == "Draußen (Straße, Hof, Park)"
    assert outdoors["option_label_ar"] == "في الخارج (الشارع، الفناء، الحديقة العامة)"
    question = next(r for r in rows if r["question_code"] == "living_satisfaction" and r["option_code"] is None)
    assert question["variable"] == "living_satisfaction" and question["type"] == "scale"
    assert question["label_de"] == "Wie gern wohnen Sie in Ihrem Quartier?"
    assert question["tags"] == "field=living_together;indicator=quarter_satisfaction"
    assert question["missing"].startswith('"" = the question was not shown')
    assert "; -1 = shown but not answered (skipped)" in question["missing"]


def test_response_table_keeps_numbers_and_defuses_formulas(workbook, bundle):
    sheet = workbook["responses"]
    header = [c.value for c in sheet[1]]
    assert header == bundle.response_columns
    assert sheet.max_row - 1 == bundle.response_count == 10
    wishes = [row[header.index("change_wishes")] for row in sheet.iter_rows(min_row=2)
              if isinstance(row[header.index("change_wishes")].value, str)]
    assert len(wishes) == 3
    skipped = [row[header.index("change_wishes")].value for row in sheet.iter_rows(min_row=2)
               if not isinstance(row[header.index("change_wishes")].value, str)]
    assert skipped == [-1] * 7  # shown, not answered: the number -1, never the text
    for cell in wishes:
        assert cell.value == "'" + FORMULA and cell.data_type != "f"
    satisfaction = {row[header.index("living_satisfaction")].value for row in sheet.iter_rows(min_row=2)}
    assert satisfaction == {2, 4}


def test_no_cell_of_the_workbook_is_a_formula(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_sheet_titles_are_short_unique_and_never_clash_with_fixed_sheets():
    long = "a" * 40
    titles = sheet_titles([long, long + "b", "codebook", "history", "x[1]:y"])
    assert all(len(t) <= MAX_TITLE for t in titles.values())
    assert len({t.casefold() for t in titles.values()}) == 5
    assert titles[long] == "a" * 31 and titles[long + "b"] == "a" * 29 + "~2"
    assert titles["codebook"] == "codebook~2" and titles["history"] == "history~2"
    assert titles["x[1]:y"] == "x_1__y"
