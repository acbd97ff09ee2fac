"""Frictionless Data Package export: CSV tables with full Table Schemas that the frictionless tool
validates, carrying the bundle's suppressed figures and anonymous responses unchanged."""
import csv
import json
import shutil
from datetime import UTC, datetime

import frictionless
import pytest

from app.domain.datapackage import write_datapackage
from tests.figures import plausible

#: The module shares data built once (module-scoped fixtures): its tests run on one worker.
pytestmark = pytest.mark.xdist_group("export_datapackage")


@pytest.fixture
def bundle(export_data):
    return export_data


@pytest.fixture(scope="module")
def package(export_data, tmp_path_factory):
    """The package, written once per module (tests copy it before they change anything): the
    path of its datapackage.json."""
    return write_datapackage(export_data, tmp_path_factory.mktemp("package") / "package",
                             created=datetime(2026, 5, 4, 9, 30, tzinfo=UTC))


def read(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as text:
        return list(csv.DictReader(text))


def field(descriptor: dict, resource: str, name: str) -> dict:
    table = next(r for r in descriptor["resources"] if r["name"] == resource)
    return next(f for f in table["schema"]["fields"] if f["name"] == name)


def problems(report) -> list:
    return report.flatten(["type", "message"])


def test_package_writes_three_tables_and_a_descriptor(package):
    assert sorted(p.name for p in package.parent.iterdir()) == [
        "aggregates.csv", "codebook.csv", "datapackage.json", "responses.csv"]


def test_package_validates_with_frictionless(package):
    report = frictionless.validate(str(package))
    assert report.valid, problems(report)
    assert {task.name for task in report.tasks} == {"aggregates", "responses", "codebook"}


@pytest.mark.parametrize("breakage", ["enum without an answered code", "a changed answer"])
def test_a_broken_copy_does_not_validate(package, tmp_path, breakage):
    copy = tmp_path / "broken"
    shutil.copytree(package.parent, copy)
    if breakage == "enum without an answered code":
        descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
        field(descriptor, "responses", "living_satisfaction")["constraints"]["enum"] = [1, 2, 3, 5]
        (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        expected = "constraint-error"
    else:
        text = (copy / "responses.csv").read_text(encoding="utf-8")
        (copy / "responses.csv").write_text(text.replace(",4,", ",3,", 1), encoding="utf-8", newline="")
        expected = "hash-count"
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert expected in {kind for kind, _ in problems(report)}


def test_descriptor_names_the_survey_k_and_the_suppression_rule(package, bundle):
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["name"] == "quarter-needs-v1" and descriptor["version"] == "1"
    assert descriptor["title"] == "Was braucht Ihr Quartier?"
    assert descriptor["created"] == "2026-05-04T09:30:00Z"
    assert "k = 5" in descriptor["description"] and bundle.suppression_rule in descriptor["description"]
    for resource in descriptor["resources"]:
        assert resource["profile"] == "tabular-data-resource"
        # The response table tells "not shown" (empty) from "shown, skipped" (-1); the others only have empty cells.
        assert resource["schema"]["missingValues"] == (["", "-1"] if resource["name"] == "responses" else [""])
        assert all(f["type"] in {"string", "integer", "number", "boolean", "date"} and f["description"]
                   for f in resource["schema"]["fields"])


def test_response_schema_describes_questions_and_their_codes(package):
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    involved = field(descriptor, "responses", "get_involved")
    assert involved["type"] == "string"
    assert involved["description"] == "Möchten Sie in Ihrem Quartier mitmachen?"
    assert involved["constraints"]["enum"] == ["already_active", "would_like", "maybe", "not_now"]
    assert {"value": "would_like", "label": "Ja, das würde ich gern."} in involved["categories"]
    scale = field(descriptor, "responses", "living_satisfaction")
    assert (scale["type"], scale["constraints"]["enum"]) == ("integer", [1, 2, 3, 4, 5])
    assert field(descriptor, "responses", "help_nearby")["constraints"]["enum"] == ["yes", "no"]
    pick = field(descriptor, "responses", "top_needs__green_space")
    assert (pick["type"], pick["constraints"]["enum"]) == ("integer", [0, 1])
    assert pick["description"].startswith("Was fehlt in Ihrem Quartier am meisten? – ")
    minutes = field(descriptor, "responses", "minutes_to_stop")
    assert minutes["constraints"] == {"minimum": 0, "maximum": 60}
    assert field(descriptor, "aggregates", "suppressed")["type"] == "boolean"
    assert field(descriptor, "aggregates", "share")["type"] == "number"


def test_aggregates_hold_the_bundles_suppressed_figures(package, bundle):
    rows = read(package.parent / "aggregates.csv")

    def cell(quarter, option):
        return next(r for r in rows if r["question_code"] == "living_satisfaction" and r["level"] == "quarter"
                    and r["quarter_code"] == quarter and r["option_code"] == option)

    four, two = cell("126", "4"), cell("126", "2")
    assert plausible(four["count"], 7) and four["suppressed"] == ("true" if four["count"] == "" else "false")
    assert (two["count"], two["share"], two["suppressed"]) == ("", "", "true")  # three people
    result = next(r for r in bundle.results.questions if r.question.code == "living_satisfaction")
    for code, figure in result.areas[("quarter", "126")].options.items():
        shown = "" if figure.shown is None else str(figure.shown)
        assert (cell("126", code)["count"], cell("126", code)["suppressed"]) == (shown, str(figure.hidden).lower())
    assert len(rows) == len(list(bundle.aggregate_rows()))


def test_responses_read_back_typed_equal_the_response_table(package, bundle):
    resource = frictionless.Package(str(package)).get_resource("responses")
    rows = {row["response"]: row for row in resource.read_rows()}
    assert len(rows) == len(list(bundle.response_rows())) == 10
    for expected in bundle.response_rows():
        row = rows[expected["response"]]
        for column in bundle.response_columns:
            value = expected.get(column)
            value = None if value in (None, "", -1) else value  # -1 is a missing value too
            if column == "change_wishes" and value:
                value = "'" + value  # defused, as in every CSV
            assert row[column] == value, (column, row[column], value)
    assert sorted(r["living_satisfaction"] for r in rows.values()) == [2, 2, 2, 4, 4, 4, 4, 4, 4, 4]


def test_codebook_has_a_row_per_question_and_option_in_every_language(package, bundle):
    rows = read(package.parent / "codebook.csv")
    languages = ["de", "en", "tr", "ar"]
    assert {f"label_{lang}" for lang in languages} | {f"option_label_{lang}" for lang in languages} <= set(rows[0])
    assert len(rows) == sum(1 + len(entry.options) for entry in bundle.codebook)
    question = next(r for r in rows if r["question_code"] == "get_involved" and not r["option_code"])
    assert question["label_en"] == "Would you like to get involved in your quarter?"
    assert json.loads(question["tags"]) == {"field": "participation", "indicator": "engagement_potential"}
    option = next(r for r in rows if r["question_code"] == "get_involved" and r["option_code"] == "would_like")
    assert (option["option_label_de"], option["option_label_en"]) == ("Ja, das würde ich gern.", "Yes, I would like to.")
    assert (option["column"], option["value"], option["spss_variable"], option["spss_value"]) == (
        "get_involved", "would_like", "get_involved", "2")
    pick = next(r for r in rows if r["question_code"] == "top_needs" and r["option_code"] == "green_space")
    assert (pick["column"], pick["value"], pick["spss_value"]) == ("top_needs__green_space", "1", "1")
