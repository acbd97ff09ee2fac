"""JSON and GeoJSON exports: the bundle's suppressed figures, read back as a script or QGIS would."""
import copy
import io
import json

import pytest

from app.domain.export_json import (
    MAX_FIELD_LENGTH,
    detect_quarter_property,
    field_name,
    normalise_code,
    write_geojson,
    write_json,
)
from tests.analyse.bundles import built_once
from tests.analyse.test_results import add_responses
from tests.conftest import load_template
from tests.figures import figure as published_figure, plausible

#: The module shares data built once (module-scoped fixtures): its tests run on one worker.
pytestmark = pytest.mark.xdist_group("export_json")


def answer(placement, today):
    """Nordbahnhof (126): 7 like living there 4, 3 like it 2; Am Rosensteinpark (128): 6 like it 5."""
    add_responses(placement, today, [{"living_satisfaction": "4", "help_nearby": "yes"}] * 7
                  + [{"living_satisfaction": "2", "help_nearby": "no"}] * 3
                  + [{"living_satisfaction": "5", "home_quarter": "128"}] * 6)


@pytest.fixture(scope="module")
def bundle():
    """The survey's export bundle, built once for this module (the tests only read it)."""
    return built_once(answer)


def square(x: float, y: float) -> dict:
    """A small square polygon in WGS84 near Stuttgart."""
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def boundaries():
    """Two hand-made quarters whose codes are numbers, as a shapefile converted to GeoJSON has them."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 1, "properties": {"STADTTEILNR": 126.0, "STADTTEILNAME": "Nordbahnhof"},
         "geometry": square(9.19, 48.80)},
        {"type": "Feature", "id": 2, "properties": {"STADTTEILNR": 128, "STADTTEILNAME": "Am Rosensteinpark"},
         "geometry": square(9.20, 48.80)},
    ]}


def json_document(bundle) -> dict:
    out = io.StringIO()
    write_json(bundle, out)
    return json.loads(out.getvalue())


def geojson_layer(bundle, boundaries, **options) -> tuple[dict, list[str]]:
    out = io.StringIO()
    problems = write_geojson(bundle, boundaries, out, **options)
    return json.loads(out.getvalue()), problems


def walk(value):
    """Every dict inside a JSON value."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def test_json_shows_the_quarter_count_and_nulls_the_suppressed_one(bundle):
    document = json_document(bundle)
    question = next(q for q in document["questions"] if q["code"] == "living_satisfaction")
    nordbahnhof = question["areas"]["quarter:126"]
    assert plausible(nordbahnhof["answered"]["count"], 10)  # ten answered, seven said 4
    four = nordbahnhof["options"]["4"]
    assert plausible(four["count"], 7) and four["suppressed"] is (four["count"] is None)
    if four["count"] is not None:
        assert four["share"] == pytest.approx(four["count"] / nordbahnhof["answered"]["count"])
    assert nordbahnhof["options"]["2"] == {"count": None, "share": None, "suppressed": True}  # three: 1–6
    assert nordbahnhof["mean"] == pytest.approx((7 * 4 + 3 * 2) / 10, abs=(3 * 1 + 3 * 4) / 7 + 0.05)


def test_json_figures_equal_the_bundle_results_everywhere(bundle):
    document = json_document(bundle)
    results = bundle.results
    by_code = {q["code"]: q for q in document["questions"]}
    assert list(by_code) == [r.question.code for r in results.questions]
    for result in results.questions:
        written = by_code[result.question.code]
        assert written["options"] == result.option_codes
        for area in results.areas:
            key = "city" if area.level == "city" else f"{area.level}:{area.code}"
            figures, expected = written["areas"][key], result.areas[area.key]
            assert figures["answered"] == {"count": expected.base.shown, "suppressed": expected.base.hidden}
            assert figures["mean"] == expected.mean and figures["median"] == expected.median
            for code in result.option_codes:
                figure = expected.options[code]
                assert figures["options"][code] == {"count": figure.shown, "share": figure.share,
                                                    "suppressed": figure.hidden}
    areas = {a["key"]: a for a in document["areas"]}
    assert len(areas) == len(results.areas)
    responses = results.responses[("quarter", "126")]
    assert areas["quarter:126"] == {"key": "quarter:126", "level": "quarter", "code": "126", "name": "Nordbahnhof",
                                    "district_code": "02",
                                    "responses": {"count": responses.shown, "suppressed": responses.hidden}}
    assert plausible(areas["quarter:126"]["responses"]["count"], 10)
    assert plausible(areas["city"]["responses"]["count"], 16) and not areas["city"]["responses"]["suppressed"]
    assert areas["district:02"]["code"] == "02" and areas["district:02"]["district_code"] is None


def test_json_marks_every_suppressed_figure_the_same_way(bundle):
    document = json_document(bundle)
    marked = [d for d in walk(document) if d.get("suppressed") is True]
    assert marked, "the fixture has suppressed figures"
    for figure in marked:
        assert figure["count"] is None and figure.get("share") is None


def test_json_carries_metadata_and_the_codebook_in_every_language(bundle):
    document = json_document(bundle)
    assert document["survey"] == "quarter-needs" and document["version"] == 1 and document["k"] == 5
    languages = set(load_template("quarter-needs").languages)
    assert set(document["title"]) == languages and {"de", "de-x-ls", "en", "ar"} <= languages
    assert document["suppression_rule"] == bundle.suppression_rule
    assert document["period"] == {"first": bundle.period[0].isoformat(), "last": bundle.period[1].isoformat()}
    assert document["filters"] == {} and document["left_out"] == bundle.left_out
    assert [e["code"] for e in document["codebook"]] == [e.code for e in bundle.codebook]
    scale = next(e for e in document["codebook"] if e["code"] == "living_satisfaction")
    assert set(scale["labels"]) == languages
    assert [o["code"] for o in scale["options"]] == ["1", "2", "3", "4", "5"]
    assert scale["tags"]["field"] == "living_together" and scale["columns"] == ["living_satisfaction"]


def test_json_keeps_non_ascii_text_unescaped(bundle):
    out = io.StringIO()
    write_json(bundle, out)
    text = out.getvalue()
    assert "Nordbahnhof" in text and "ماذا يحتاج حيّكم؟" in text
    assert "\\u" not in text


class RecordingOut(io.StringIO):
    """A text stream that remembers the size of each write."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def write(self, text):
        self.sizes.append(len(text))
        return super().write(text)


def test_json_is_written_piece_by_piece(bundle):
    out = RecordingOut()
    write_json(bundle, out)
    total = len(out.getvalue())
    assert len(out.sizes) > len(bundle.codebook) + len(bundle.results.questions)
    assert max(out.sizes) < total / 50


def test_geojson_joins_quarter_figures_to_the_polygons(bundle, boundaries):
    layer, problems = geojson_layer(bundle, boundaries)
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 2
    nordbahnhof, rosensteinpark = (f["properties"] for f in layer["features"])
    assert nordbahnhof["quarter_code"] == "126" and nordbahnhof["quarter_name"] == "Nordbahnhof"
    assert nordbahnhof["district_code"] == "02" and nordbahnhof["in_results"] is True
    responses = bundle.results.responses[("quarter", "126")]
    assert (nordbahnhof["responses"], nordbahnhof["responses_suppressed"]) == (responses.shown, responses.hidden)
    four = published_figure(bundle.results, "living_satisfaction", ("quarter", "126"), "4")
    assert nordbahnhof["living_satisfaction__4_share"] == four.share
    assert nordbahnhof["living_satisfaction__4_suppressed"] is four.hidden
    assert nordbahnhof["living_satisfaction__2_share"] is None
    assert nordbahnhof["living_satisfaction__2_suppressed"] is True
    satisfaction = next(q for q in bundle.results.questions if q.question.code == "living_satisfaction")
    assert nordbahnhof["living_satisfaction_mean"] == satisfaction.areas[("quarter", "126")].mean
    # 3 said no: hidden, and so is yes (7), as 10 - 7 would give it away.
    yes = published_figure(bundle.results, "help_nearby", ("quarter", "126"), "yes")
    assert (nordbahnhof["help_nearby__yes_share"], nordbahnhof["help_nearby__yes_suppressed"]) == (
        yes.share, yes.hidden)
    assert rosensteinpark["quarter_code"] == "128" and rosensteinpark["quarter_name"] == "Am Rosensteinpark"
    result = next(r for r in bundle.results.questions if r.question.code == "living_satisfaction")
    expected = result.areas[("quarter", "128")]
    assert rosensteinpark["living_satisfaction__5_share"] == expected.options["5"].share
    assert rosensteinpark["living_satisfaction__5_suppressed"] is expected.options["5"].hidden
    assert rosensteinpark["living_satisfaction_mean"] == expected.mean
    assert rosensteinpark["responses"] == bundle.results.responses[("quarter", "128")].shown
    assert not any("feature" in p and "126" in p for p in problems)


def test_geojson_copies_geometry_and_ids_unchanged(bundle, boundaries):
    original = copy.deepcopy(boundaries)
    layer, _ = geojson_layer(bundle, boundaries)
    assert [f["geometry"] for f in layer["features"]] == [f["geometry"] for f in original["features"]]
    assert [f["id"] for f in layer["features"]] == [1, 2]
    assert boundaries == original  # the input is left as it was


def test_geojson_leaves_every_suppressed_field_null(bundle, boundaries):
    layer, _ = geojson_layer(bundle, boundaries)
    flagged = 0
    for feature in layer["features"]:
        properties = feature["properties"]
        for name, value in properties.items():
            if name.endswith("_suppressed") and value is True:
                flagged += 1
                stem = name[: -len("_suppressed")]
                measure = "_share" if stem.count("__") else ""
                assert properties[stem + measure] is None, name
    assert flagged


def test_geojson_fields_are_flat_short_and_the_same_on_every_feature(bundle, boundaries):
    layer, _ = geojson_layer(bundle, boundaries)
    names = [list(f["properties"]) for f in layer["features"]]
    assert names[0] == names[1]
    assert all(len(name) <= MAX_FIELD_LENGTH for name in names[0])
    assert all(not isinstance(v, (dict, list)) for f in layer["features"] for v in f["properties"].values())
    described = [f["name"] for f in layer["metadata"]["fields"]]
    assert set(described) <= set(names[0]) and "living_satisfaction__4_share" in described


def test_geojson_metadata_names_survey_version_and_suppression(bundle, boundaries):
    layer, _ = geojson_layer(bundle, boundaries)
    metadata = layer["metadata"]
    assert (metadata["survey"], metadata["version"], metadata["k"]) == ("quarter-needs", 1, 5)
    assert metadata["suppression_rule"] == bundle.suppression_rule
    assert metadata["quarter_property"] == "STADTTEILNR"


def test_geojson_reports_a_feature_with_an_unknown_code_and_writes_it_empty(bundle, boundaries):
    boundaries["features"].append({"type": "Feature", "properties": {"STADTTEILNR": 999},
                                   "geometry": square(9.3, 48.7)})
    layer, problems = geojson_layer(bundle, boundaries)
    assert any("999" in problem for problem in problems)
    stranger = layer["features"][2]["properties"]
    assert stranger["quarter_code"] == "999" and stranger["in_results"] is False
    assert stranger["responses"] is None and stranger["living_satisfaction__4_share"] is None


def test_geojson_reports_quarters_of_the_results_without_a_feature(bundle, boundaries):
    _, problems = geojson_layer(bundle, boundaries)
    missing = next(p for p in problems if "no feature" in p)
    assert "121" in missing and "126" not in missing.split(":", 1)[1]


def test_geojson_survives_odd_features(bundle, boundaries):
    boundaries["features"] += ["not a feature",
                               {"type": "Feature", "properties": None, "geometry": None},
                               {"type": "Feature", "properties": {"STADTTEILNR": [1, 2]}, "geometry": "oops"}]
    layer, problems = geojson_layer(bundle, boundaries)
    assert len(layer["features"]) == 4
    assert layer["features"][3]["geometry"] is None
    assert any("not GeoJSON Features" in p for p in problems)
    assert any("no quarter code" in p and "3, 4" in p for p in problems)


@pytest.mark.parametrize("boundaries", [
    {"type": "Feature", "properties": {}, "geometry": None},
    {"type": "FeatureCollection"},
    [],
    "FeatureCollection",
])
def test_geojson_refuses_anything_but_a_feature_collection(bundle, boundaries):
    with pytest.raises(ValueError, match="FeatureCollection"):
        write_geojson(bundle, boundaries, io.StringIO())


def test_geojson_passes_on_a_crs_member(bundle, boundaries):
    boundaries["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    layer, _ = geojson_layer(bundle, boundaries)
    assert layer["crs"] == boundaries["crs"]


def test_quarter_property_is_found_among_common_names(bundle):
    features = [{"type": "Feature", "properties": {"code": "x1", "QUARTER_CODE": "126"}, "geometry": None},
                {"type": "Feature", "properties": {"code": "x2", "QUARTER_CODE": "128"}, "geometry": None}]
    layer, _ = geojson_layer(bundle, {"type": "FeatureCollection", "features": features})
    assert layer["metadata"]["quarter_property"] == "QUARTER_CODE"
    assert [f["properties"]["quarter_name"] for f in layer["features"]] == ["Nordbahnhof", "Am Rosensteinpark"]


def test_quarter_property_detection_prefers_the_one_that_matches():
    features = [{"properties": {"Stadtteilnr": "0126", "id": 7, "nummer": 126}}]
    assert detect_quarter_property(features, {"126"}) == "nummer"
    assert detect_quarter_property([{"properties": {"other": "126"}}], {"126"}) == "other"
    assert detect_quarter_property([{"properties": {"name": "Nord"}}], {"126"}) is None
    assert detect_quarter_property([{"properties": {"CODE": "5"}}], {"126"}) == "CODE"


def test_a_given_quarter_property_wins_over_detection(bundle, boundaries):
    for feature, own in zip(boundaries["features"], ["128", "126"]):
        feature["properties"]["mine"] = own
    layer, _ = geojson_layer(bundle, boundaries, quarter_property="mine")
    assert [f["properties"]["quarter_code"] for f in layer["features"]] == ["128", "126"]


@pytest.mark.parametrize(("value", "code"), [
    (126.0, "126"), (126, "126"), ("126", "126"), (" 126 ", "126"), ("0126", "0126"), ("126.0", "126"),
    (True, None), (None, None), ("", None), ([126], None), (float("nan"), None),
])
def test_quarter_codes_are_normalised_to_text(value, code):
    assert normalise_code(value) == code


def test_long_field_names_are_cut_keeping_their_suffix_and_stay_distinct():
    used = set()
    stem = "a_very_long_question_code_" * 3
    share = field_name(stem + "__option_one", "_share", used)
    flag = field_name(stem + "__option_one", "_suppressed", used)
    other = field_name(stem + "__option_two", "_share", used)
    assert max(len(share), len(flag), len(other)) <= MAX_FIELD_LENGTH
    assert share.endswith("_share") and flag.endswith("_suppressed")
    assert share[: -len("_share")] == flag[: -len("_suppressed")]
    assert len({share, flag, other}) == 3
    assert field_name("short", "_share", used) == "short_share"
    assert field_name("short", "_share", used) != "short_share"
