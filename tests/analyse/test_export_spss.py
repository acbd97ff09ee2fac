"""SPSS export: the anonymous response table as a .sav file with valid names, variable labels and
value labels, holding the same values as the response table."""
import dataclasses
import math

import pyreadstat
import pytest

from app.domain.export_spss import is_valid_name, response_variables, spss_names, wrap, write_sav

#: The module shares data built once (module-scoped fixtures): its tests run on one worker.
pytestmark = pytest.mark.xdist_group("export_spss")


@pytest.fixture
def bundle(export_data):
    return export_data


@pytest.fixture(scope="module")
def sav(export_data, tmp_path_factory):
    """The written file, read back once per module: (data frame, metadata)."""
    path = tmp_path_factory.mktemp("sav") / "responses.sav"
    write_sav(export_data, path)
    return pyreadstat.read_sav(str(path))


def missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def test_sav_has_a_row_per_response_and_a_variable_per_column(sav, bundle):
    frame, meta = sav
    assert len(frame) == len(list(bundle.response_rows())) == bundle.response_count == 10
    assert meta.column_names == bundle.response_columns  # all of them are valid SPSS names already
    assert all(is_valid_name(name) for name in meta.column_names)


def test_sav_values_equal_the_response_table(sav, bundle):
    frame, _ = sav
    variables = {v.column: v for v in response_variables(bundle)}
    for position, expected in enumerate(bundle.response_rows()):
        row = frame.iloc[position]
        for column in bundle.response_columns:
            variable, value, got = variables[column], expected.get(column), row[column]
            if missing(value) or value == -1:  # -1 (skipped) is user-missing: read as missing by default
                assert missing(got), (column, got)
            elif variable.kind == "text":
                assert got == (("'" + value) if column == "change_wishes" else str(value)), column
            elif variable.kind == "choice":
                assert got == variable.codes[value], column
            else:
                assert got == value, column
    assert sorted(frame["living_satisfaction"]) == [2, 2, 2, 4, 4, 4, 4, 4, 4, 4]
    picked = frame[frame["living_satisfaction"] == 4]
    assert list(picked["top_needs__green_space"]) == [1] * 7 and list(picked["top_needs__doctors"]) == [0] * 7
    assert frame["top_needs__green_space"].isna().sum() == 3  # those three did not answer it
    assert set(frame["quarter_code"]) == {"126"} and set(frame["district_code"]) == {"02"}


def test_sav_labels_variables_with_question_texts(sav):
    _, meta = sav
    labels = meta.column_names_to_labels
    assert labels["living_satisfaction"] == "Wie gern wohnen Sie in Ihrem Quartier?"
    assert labels["top_needs__green_space"] == "Was fehlt in Ihrem Quartier am meisten? – Grünflächen, Bäume und Bänke"
    assert labels["response"].startswith("Row number in random order")


def test_sav_labels_choice_codes_and_scale_points(sav):
    frame, meta = sav
    values = meta.variable_value_labels
    assert values["get_involved"] == {-1: "not answered",
                                      1: "already_active – Ja, das mache ich schon.",
                                      2: "would_like – Ja, das würde ich gern.",
                                      3: "maybe – Vielleicht, wenn ich Zeit habe.",
                                      4: "not_now – Nein, im Moment nicht."}
    assert set(frame["get_involved"].dropna()) == {2}
    assert values["help_nearby"][1].startswith("yes – ") and values["help_nearby"][2].startswith("no – ")
    assert values["living_satisfaction"][1] == "1 – Gar nicht gern"
    assert values["living_satisfaction"][5] == "5 – Sehr gern"
    assert meta.variable_measure["living_satisfaction"] == "ordinal"
    assert meta.readstat_variable_types["change_wishes"] == "string"
    assert meta.readstat_variable_types["top_needs__green_space"] == "double"


def test_sav_notes_state_k_rule_and_coding(sav, bundle):
    _, meta = sav
    notes = " ".join(meta.notes)
    assert "k = 5" in notes and "version 1" in notes
    assert " ".join(bundle.suppression_rule.split()) in notes
    assert "1..n" in notes
    assert all(len(line.encode("utf-8")) <= 80 for line in meta.notes)
    assert meta.file_label == "quarter-needs v1 responses (k=5)"


def test_invalid_column_names_get_valid_unique_names_the_same_every_time():
    long = "a" * 70 + "__" + "b" * 20
    columns = ["response", "all", "TO", "1st", "x y", long, long + "c", "v_all", "needs__green_space"]
    names = spss_names(columns)
    assert names == spss_names(columns)
    assert all(is_valid_name(name) for name in names.values())
    assert len({name.upper() for name in names.values()}) == len(columns)
    assert names["response"] == "response" and names["needs__green_space"] == "needs__green_space"
    assert names["v_all"] == "v_all" and names["all"] == "v_all_2"  # a valid column keeps its own name
    assert names["1st"] == "v_1st" and names["x y"] == "x_y"
    assert names[long] != names[long + "c"] and len(names[long]) <= 64


def test_notes_wrap_at_80_bytes_without_splitting_umlauts():
    lines = wrap("Grünflächen " * 20 + "ä" * 100)
    assert all(len(line.encode("utf-8")) <= 80 for line in lines)
    assert "".join(lines).replace(" ", "") == ("Grünflächen" * 20 + "ä" * 100)


def test_a_code_missing_from_the_codebook_is_kept_and_labelled(bundle, tmp_path):
    rows = list(bundle.response_rows())
    row = next(r for r in rows if r.get("get_involved") == "would_like")
    row["get_involved"] = "retired_option"  # e.g. an option an older version had
    write_sav(dataclasses.replace(bundle, response_rows=lambda: iter(rows)), tmp_path / "old.sav")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "old.sav"))
    assert meta.variable_value_labels["get_involved"][5] == "retired_option – (not in the codebook)"
    assert sorted(frame["get_involved"].dropna()) == [2] * 6 + [5]
