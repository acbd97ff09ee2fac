"""The anonymous response table streams (two passes, chunks, rows yielded before most answers are
read) and tells a question not shown (empty) from one shown and skipped (-1) in every format."""
import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import frictionless
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert, select, text

from app.db import db
from app.domain.datapackage import write_datapackage
from app.domain.export_json import write_json
from app.domain.export_spss import write_sav
from app.domain.export_xlsx import write_xlsx
from app.manage import operations
from app.models import Answer, Quarter, Response, Survey
from app.results import exports
from app.results.exports import anonymous_responses, export_bundle, export_csv, stream_csv
from tests.analyse.bundles import frozen
from tests.analyse.test_results import add_responses
from tests.conftest import load_template

#: Conditions added to the shipped survey: two questions only for the dissatisfied, and a
#: respondent question (a quasi-identifier) only for those who know help nearby.
CONDITIONS = {"change_wishes": "${living_satisfaction} < 3", "housing_problems": "${living_satisfaction} < 3",
              "age_band": "${help_nearby} = 'yes'"}
HOUSING = ["rent_too_high", "home_too_small", "poor_condition", "hard_to_reach_home", "noise_traffic", "litter",
           "feel_unsafe", "little_green", "nothing"]


@pytest.fixture
def conditional(app, stuttgart, today):
    """The quarter needs survey with ``CONDITIONS``, at a place in Nordbahnhof (126): five answer
    the conditional questions (satisfaction 1), five are shown them and skip them (2), five are
    not shown them (4)."""
    defn = load_template("quarter-needs")
    defn.questions = [replace(q, relevant=CONDITIONS.get(q.code, q.relevant)) for q in defn.questions]
    operations.import_survey(defn, stuttgart)
    survey = Survey.by_code(defn.code)
    operations.set_status(survey.consultation, "open")
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == "126"))
    placement = operations.place_survey(survey, operations.create_meeting_place("Treff", "community_centre", quarter))
    db.session.commit()
    add_responses(placement, today,
                  [{"living_satisfaction": "1", "help_nearby": "yes", "change_wishes": "Mehr Bänke",
                    "housing_problems": ["noise_traffic"]}] * 5
                  + [{"living_satisfaction": "2", "help_nearby": "yes"}] * 5
                  + [{"living_satisfaction": "4"}] * 5)
    return survey


#: What each group has in the conditional columns: answered, skipped, not shown.
EXPECTED_CSV = {
    "1": {"change_wishes": "Mehr Bänke", "housing_problems__noise_traffic": "1", "housing_problems__litter": "0",
          "age_band": "-1"},
    "2": {"change_wishes": "-1", "housing_problems__noise_traffic": "-1", "housing_problems__litter": "-1",
          "age_band": "-1"},
    "4": {"change_wishes": "", "housing_problems__noise_traffic": "", "housing_problems__litter": "",
          "age_band": ""},
}


def by_satisfaction(rows, key="living_satisfaction") -> dict:
    """Rows grouped by their satisfaction, as text."""
    groups = {}
    for row in rows:
        groups.setdefault(str(row[key]).removesuffix(".0"), []).append(row)
    return groups


def test_csv_has_the_answer_minus_one_when_skipped_and_empty_when_not_shown(conditional):
    rows = list(csv.DictReader(io.StringIO(export_csv(conditional, "responses", "csv"))))
    groups = by_satisfaction(rows)
    assert {key: len(group) for key, group in groups.items()} == {"1": 5, "2": 5, "4": 5}
    for satisfaction, expected in EXPECTED_CSV.items():
        for row in groups[satisfaction]:
            assert {column: row[column] for column in expected} == expected, satisfaction
            assert all(row[f"housing_problems__{o}"] == expected["housing_problems__litter"]
                       for o in HOUSING if o != "noise_traffic")
    # A question everyone was shown and nobody answered: -1 in every row, on every option column.
    assert {row["meeting_places__outdoors"] for row in rows} == {"-1"}
    assert {row["suppressed_fields"] for row in rows} == {""}  # groups of 10 and 5: nothing blanked


def test_xlsx_reads_back_the_answer_minus_one_as_a_number_and_an_empty_cell(conditional):
    out = io.BytesIO()
    write_xlsx(export_bundle(conditional), out)
    out.seek(0)
    sheet = load_workbook(out)["responses"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, values)) for values in sheet.iter_rows(min_row=2, values_only=True)]
    groups = by_satisfaction(rows)
    for row in groups["1"]:
        assert (row["change_wishes"], row["housing_problems__noise_traffic"], row["age_band"]) == ("Mehr Bänke", 1, -1)
    for row in groups["2"]:
        assert (row["change_wishes"], row["housing_problems__noise_traffic"], row["age_band"]) == (-1, -1, -1)
    for row in groups["4"]:
        assert (row["change_wishes"], row["housing_problems__noise_traffic"], row["age_band"]) == (None, None, None)
    meta = {r[0]: r[1] for r in load_workbook(out)["metadata"].iter_rows(min_row=2, values_only=True)}
    assert "-1: shown but not answered (skipped)" in meta["missing_values"]
    assert meta["missing_values"].startswith("an empty cell: the question was not shown")


def test_sav_has_minus_one_as_user_missing_not_answered_and_system_missing_when_not_shown(conditional, tmp_path):
    write_sav(export_bundle(conditional), tmp_path / "r.sav")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "r.sav"), user_missing=True)
    groups = by_satisfaction(frame.to_dict("records"))
    for row in groups["1"]:
        assert (row["change_wishes"], row["housing_problems__noise_traffic"]) == ("Mehr Bänke", 1)
    for row in groups["2"]:
        assert (row["change_wishes"], row["housing_problems__noise_traffic"], row["age_band"]) == ("-1", -1, -1)
    for row in groups["4"]:
        assert row["change_wishes"] == ""
        assert frame.loc[frame["living_satisfaction"] == 4, ["housing_problems__noise_traffic", "age_band"]].isna().all().all()
    assert meta.missing_ranges["housing_problems__noise_traffic"] == [{"lo": -1.0, "hi": -1.0}]
    assert meta.missing_ranges["age_band"] == [{"lo": -1.0, "hi": -1.0}]
    assert meta.missing_ranges["change_wishes"] == [{"lo": "-1", "hi": "-1"}]
    assert meta.variable_value_labels["housing_problems__noise_traffic"] == {-1: "not answered"}
    assert meta.variable_value_labels["age_band"][-1] == "not answered"
    assert "response" not in meta.missing_ranges  # only question variables have the code
    # Read as SPSS treats it by default: -1 is missing, left out of every statistic.
    plain, _ = pyreadstat.read_sav(str(tmp_path / "r.sav"))
    assert plain["housing_problems__noise_traffic"].sum() == 5 and plain["housing_problems__noise_traffic"].count() == 5


def test_data_package_has_both_missing_values_and_validates(conditional, tmp_path):
    bundle = frozen(export_bundle(conditional))
    path = write_datapackage(bundle, tmp_path / "package", created=datetime(2026, 5, 4, tzinfo=UTC))
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["type", "message"])
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    responses = next(r for r in descriptor["resources"] if r["name"] == "responses")
    assert responses["schema"]["missingValues"] == ["", "-1"]
    assert "-1: shown but not answered" in responses["description"]
    with (path.parent / "responses.csv").open(encoding="utf-8", newline="") as text:
        raw = list(csv.DictReader(text))
    for satisfaction, expected in EXPECTED_CSV.items():
        for row in by_satisfaction(raw)[satisfaction]:
            assert {column: row[column] for column in expected} == expected
    typed = list(frictionless.Package(str(path)).get_resource("responses").read_rows())
    groups = by_satisfaction(typed)
    assert {row["housing_problems__noise_traffic"] for row in groups["1"]} == {1}
    assert {row["housing_problems__noise_traffic"] for row in groups["2"] + groups["4"]} == {None}  # both missing
    with (path.parent / "codebook.csv").open(encoding="utf-8", newline="") as text:
        question = next(r for r in csv.DictReader(text) if r["question_code"] == "change_wishes")
    assert question["relevant"] == "${living_satisfaction} < 3" and "-1: shown but not answered" in question["missing"]


def test_json_has_the_answer_minus_one_and_null(conditional):
    out = io.StringIO()
    write_json(export_bundle(conditional), out)
    document = json.loads(out.getvalue())
    assert document["missing_codes"]["-1"] == "shown but not answered (skipped)"
    assert document["responses_in_table"] == len(document["responses"]) == 15
    groups = by_satisfaction(document["responses"])
    assert {(r["change_wishes"], r["housing_problems__noise_traffic"]) for r in groups["1"]} == {("Mehr Bänke", 1)}
    assert {(r["change_wishes"], r["housing_problems__noise_traffic"]) for r in groups["2"]} == {(-1, -1)}
    assert {(r["change_wishes"], r["housing_problems__noise_traffic"]) for r in groups["4"]} == {(None, None)}
    assert sorted(r["response"] for r in document["responses"]) == list(range(1, 16))


def test_codes_and_the_suppression_rule_state_both_missing_values(conditional):
    bundle = export_bundle(conditional)
    assert "an empty cell means the question was not shown" in bundle.suppression_rule
    assert "-1 means it was shown but not answered" in bundle.suppression_rule


# --- Streaming --------------------------------------------------------------------------------

MANY = 2500


@pytest.fixture
def many(placement, today):
    """``MANY`` responses in Nordbahnhof, inserted in bulk: satisfaction cycles 1..5 by id, and
    every fifth names an age band (a quasi-identifier)."""
    version = placement.survey.current_version
    questions = {q.code: q.id for q in version.questions}
    ids = db.session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), [
        {"survey_version_id": version.id, "quarter_id": placement.meeting_place.quarter_id, "channel": "web",
         "language": "de", "submitted_on": today} for _ in range(MANY)]).all()
    answers = [{"response_id": n, "question_id": questions["living_satisfaction"], "option_code": str(n % 5 + 1),
                "number": float(n % 5 + 1)} for n in ids]
    answers += [{"response_id": n, "question_id": questions["age_band"], "option_code": "age_30_44"}
                for n in ids if n % 5 == 0]
    db.session.execute(insert(Answer), answers)
    db.session.commit()
    return placement.survey, ids


@contextmanager
def statements():
    """Every SQL statement sent while the block runs."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def answer_queries(sent) -> int:
    return sum(1 for statement in sent if "FROM answers" in statement)


def test_first_row_comes_before_the_answers_of_most_responses_are_read(many):
    survey, _ = many
    table = anonymous_responses(survey)
    assert (table.count, table.left_out) == (MANY, 0)
    with statements() as sent:
        rows = table.rows()
        assert isinstance(rows, Iterator)
        first = next(rows)
        before = answer_queries(sent)
        rest = list(rows)
        after = answer_queries(sent)
    assert first["response"] == 1 and len(rest) == MANY - 1
    chunks = -(-MANY // exports.CHUNK)
    # One chunk's answers read for the first row; the others only as the rows are taken.
    assert (before, after) == (1, chunks) and chunks >= 3


def test_first_pass_reads_only_the_answers_that_make_up_the_key_in_chunks(many):
    survey, _ = many
    with statements() as sent:
        table = anonymous_responses(survey)
    reads = [s for s in sent if "FROM answers" in s]
    assert len(reads) == -(-MANY // exports.CHUNK)
    assert all("answers.question_id + " in s for s in reads)  # only the key questions, by response
    assert table.values["quarter_code"] == {"126"} and table.values["age_band"] == {"age_30_44", "-1"}


def test_each_chunk_finds_its_answers_through_their_responses(many):
    """Not through the key questions' index: that would read all their answers for every chunk
    (at 100,000 responses the first pass took a minute instead of ten seconds)."""
    survey, ids = many
    query = exports.answers_of(ids[:exports.CHUNK], [1, 2, 3])
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    plan = " ".join(str(row) for row in db.session.execute(text(explain + sql)))
    assert "ix_answers_question_option" not in plan
    if db.engine.dialect.name == "sqlite":
        assert "ix_answers_response_id" in plan


def test_rows_come_in_a_random_order_numbered_as_written(many):
    survey, ids = many
    table = anonymous_responses(survey)
    first, second = list(table.rows()), list(table.rows())
    assert [r["response"] for r in first] == list(range(1, MANY + 1))
    in_id_order = [n % 5 + 1 for n in ids]
    assert [r["living_satisfaction"] for r in first] != in_id_order
    assert [r["living_satisfaction"] for r in first] != [r["living_satisfaction"] for r in second]
    assert sorted(r["living_satisfaction"] for r in first) == sorted(in_id_order)


def test_stream_csv_yields_chunks_that_join_to_the_whole_table(many):
    survey, _ = many
    chunks = stream_csv(survey, "responses", "csv")
    assert isinstance(chunks, Iterator)
    chunks = list(chunks)
    assert len(chunks) > 2
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == MANY and {r["age_band"] for r in rows} == {"age_30_44", "-1"}
    aggregates = "".join(stream_csv(survey, "aggregates", "csv-de"))
    assert aggregates == export_csv(survey, "aggregates", "csv-de")


def test_responses_that_come_in_after_the_first_pass_are_not_in_the_table(answered_for_export, today):
    table = anonymous_responses(answered_for_export.survey)
    add_responses(answered_for_export, today, [{"living_satisfaction": "3", "_language": "tr"}] * 6)
    rows = list(table.rows())
    assert len(rows) == table.count == 10 and {r["language"] for r in rows} == {"de"}
