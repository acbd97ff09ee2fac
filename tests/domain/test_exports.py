"""CSV dialects, formula defusing and k-anonymity of response-level data."""
import io

from app.domain.anonymize import Record, anonymize
from app.domain.exports import DIALECTS, defuse, write_csv


def test_text_starting_like_a_formula_can_never_become_one():
    for text in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "＝1"]:
        assert defuse(text).startswith("'")
    assert defuse("Mehr Bänke") == "Mehr Bänke"


def test_numbers_stay_numbers_and_the_german_dialect_uses_semicolon_comma_and_bom():
    out = io.StringIO()
    write_csv(["label", "count", "share"], [{"label": "-Spielplatz", "count": -3, "share": 0.25}],
              DIALECTS["csv-de"], out)
    text = out.getvalue()
    assert text.startswith("\ufefflabel;count;share\r\n")
    assert text.splitlines()[1] == "'-Spielplatz;-3;0,25"
    plain = io.StringIO()
    write_csv(["share"], [{"share": 0.125}], DIALECTS["csv"], plain)
    assert plain.getvalue() == "share\r\n0.125\r\n"


def records(rows):
    return [Record(dict(zip(["quarter_code", "district_code", "age"], row))) for row in rows]


def test_small_groups_lose_their_quarter_first_then_their_district():
    rows = [("126", "02", "30_44")] * 6 + [("128", "02", "30_44")] * 2 + [("214", "06", "30_44")] * 3
    result = anonymize(records(rows), 5, [["quarter_code"], ["district_code"]], [["age"]])
    quarters = [r.values["quarter_code"] for r in result.records]
    assert quarters.count("126") == 6
    assert "128" not in quarters and "214" not in quarters
    # 128 (2) alone in Nord would still be small: district blanked too, then grouped with 214's 3.
    assert sum(1 for r in result.records if r.values["district_code"] == "" ) == 5
    assert result.left_out == 0


def test_a_rare_respondent_answer_is_blanked_and_an_unprotectable_record_is_left_out():
    rows = [("126", "02", "30_44")] * 7 + [("126", "02", "80_plus")]
    result = anonymize(records(rows), 5, [["quarter_code"], ["district_code"]], [["age"]])
    assert [r.values["age"] for r in result.records].count("80_plus") == 0
    # The one blanked record sits alone (no quarter, no district, no age): left out.
    assert len(result.records) == 7 and result.left_out == 1
