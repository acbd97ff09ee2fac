"""How a stored response becomes a row of the anonymous table: an answer, -1 when the question was
shown and skipped, an empty cell when its condition kept it from being shown."""
import io
from dataclasses import replace

from app.domain.definition import OptionDef, QuestionDef, SurveyDef
from app.domain.exports import DIALECTS, ResponseLayout, csv_chunks, write_csv


def option(code):
    return OptionDef(code, {"de": code})


def survey(*questions):
    return SurveyDef("s", "de", ["de"], questions=list(questions))


SATISFACTION = QuestionDef("satisfaction", "scale", settings={"min": 1, "max": 5})
WISH = QuestionDef("wish", "long_text", relevant="${satisfaction} < 3")
PROBLEMS = QuestionDef("problems", "multiple_choice", options=[option("noise"), option("rent")],
                       relevant="${satisfaction} < 3")
HELPS = QuestionDef("helps", "yes_no")
AGE = QuestionDef("age", "single_choice", options=[option("young"), option("old")],
                  tags={"respondent": True}, relevant="${helps} = 'yes'")
MINUTES = QuestionDef("minutes", "number")
CURRENT = survey(SATISFACTION, WISH, PROBLEMS, HELPS, AGE, MINUTES)
HEAD = {"response": None, "version": 2, "district_code": "02", "district_name": "Nord", "quarter_code": "126",
        "quarter_name": "Nordbahnhof", "language": "de", "channel": "web"}


def layout():
    """Version 1 had no ``minutes`` question and no conditions; version 2 is ``CURRENT``."""
    first = survey(SATISFACTION, *(replace(q, relevant="") for q in (WISH, PROBLEMS, HELPS, AGE)))
    return ResponseLayout(CURRENT, {1: first, 2: CURRENT})


def test_answered_skipped_and_not_shown_are_the_answer_minus_one_and_empty():
    rows = layout()
    answered = rows.row(HEAD, [("satisfaction", "1", 1.0, None), ("wish", None, None, "Mehr Bänke"),
                               ("problems", "rent", None, None), ("minutes", None, 7.0, None)])
    assert (answered["wish"], answered["problems__noise"], answered["problems__rent"]) == ("Mehr Bänke", 0, 1)
    assert (answered["satisfaction"], answered["minutes"]) == (1, 7)
    skipped = rows.row(HEAD, [("satisfaction", "2", 2.0, None)])
    assert (skipped["wish"], skipped["problems__noise"], skipped["problems__rent"], skipped["minutes"]) == (-1,) * 4
    not_shown = rows.row(HEAD, [("satisfaction", "4", 4.0, None)])
    assert (not_shown["wish"], not_shown["problems__noise"], not_shown["problems__rent"]) == (None,) * 3
    assert not_shown["helps"] == -1 and not_shown["age"] is None  # helps skipped, so age never asked


def test_a_question_the_answered_version_did_not_have_is_empty_and_its_conditions_did_not_apply():
    rows = layout()
    old = rows.row({**HEAD, "version": 1}, [("satisfaction", "4", 4.0, None)])
    assert old["minutes"] is None  # version 1 had no such question
    assert old["wish"] == -1 and old["age"] == -1  # version 1 asked them of everyone


def test_the_key_needs_only_the_respondent_questions_and_what_their_conditions_depend_on():
    rows = layout()
    assert rows.key_questions == {"age", "helps"}
    answers = [("satisfaction", "2", 2.0, None), ("helps", "yes", None, None), ("age", "old", None, None)]
    full = rows.row(HEAD, answers)
    part = rows.row(HEAD, [a for a in answers if a[0] in rows.key_questions], only=rows.key_questions)
    assert rows.key(full) == rows.key(part)
    assert "wish" not in part
    assert rows.columns[-1] == "suppressed_fields" and "problems__rent" in rows.columns


def test_the_skipped_code_is_written_as_a_number_and_a_residents_own_minus_one_is_defused():
    out = io.StringIO()
    write_csv(["n", "wish"], [{"n": 1, "wish": -1}, {"n": 2, "wish": "-1"}, {"n": 3, "wish": None}],
              DIALECTS["csv"], out)
    assert out.getvalue().splitlines() == ["n,wish", "1,-1", "2,'-1", "3,"]


def test_csv_comes_in_chunks_that_join_to_the_whole_file():
    rows = [{"a": n, "b": f"=x{n}"} for n in range(450)]
    chunks = list(csv_chunks(["a", "b"], iter(rows), DIALECTS["csv-de"], rows_per_chunk=200))
    assert len(chunks) == 3 and chunks[0].startswith("\ufeffa;b\r\n")
    whole = io.StringIO()
    write_csv(["a", "b"], rows, DIALECTS["csv-de"], whole)
    assert "".join(chunks) == whole.getvalue()


# --- "other" texts, planners' categories, hidden texts -------------------------------------------

PLACE = QuestionDef("place", "single_choice", options=[option("park"), option("other")],
                    settings={"other": "other"})
WHERE = QuestionDef("where", "multiple_choice", options=[option("park"), option("other"), option("home")],
                    settings={"other": "other"})
NOTE = QuestionDef("note", "short_text")


def test_the_text_beside_other_sits_right_after_its_choice_and_neither_is_lost():
    from app.domain.exports import HIDDEN, WITHHELD
    rows = ResponseLayout(survey(PLACE, WHERE, NOTE), {1: survey(PLACE, WHERE, NOTE)}, ["bus", "seats"])
    assert rows.columns[len(HEAD):-1] == ["place", "place__other_text", "where__park", "where__other",
                                          "where__other_text", "where__home", "note", "note__bus", "note__seats"]
    head = {**HEAD, "version": 1}
    row = rows.row(head, [("place", "other", None, "Am Markt"), ("where", "park", None, None),
                          ("where", "other", None, "Im Hof"), ("note", None, None, "Busse!")],
                   coded={"note": {"bus"}})
    assert (row["place"], row["place__other_text"]) == ("other", "Am Markt")
    assert (row["where__park"], row["where__other"], row["where__other_text"], row["where__home"]) == (1, 1, "Im Hof", 0)
    assert (row["note"], row["note__bus"], row["note__seats"]) == ("Busse!", 1, 0)
    assert WITHHELD not in row
    # "other" not chosen: its text column is empty; skipped: -1 everywhere; chosen without text: "".
    row = rows.row(head, [("place", "park", None, None), ("where", "other", None, None)])
    assert (row["place"], row["place__other_text"]) == ("park", None)
    assert (row["where__other"], row["where__other_text"]) == (1, "")
    assert (row["note"], row["note__bus"]) == (-1, -1)
    # A hidden text is never written; its categories still count, and the column is named.
    row = rows.row(head, [("note", None, None, HIDDEN), ("place", "other", None, HIDDEN)],
                   coded={"note": {"seats"}})
    assert (row["note"], row["note__seats"], row["place"], row["place__other_text"]) == (None, 1, "other", None)
    published = rows.publish(row, type("D", (), {"suppressed": ()})(), 1)
    assert published["suppressed_fields"] == "note place__other_text"
