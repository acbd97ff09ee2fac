"""Results map: the SVG drawn from boundaries (pure), the boundaries upload and the map page."""
import io
import json
import re

import pytest
from flask_babel import force_locale

from app.analyse import map_views  # noqa: F401  (routes on the analyse blueprint, before any app)
from app.analyse.boundaries import load_boundaries, save_boundaries
from app.domain.svgmap import CLASS_COLOURS, NO_DATA_COLOUR, MapLabels, render_map
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields

LABELS = MapLabels(suppressed="fewer than 5", no_data="no data", legend="Legend")


def square(x, y, size=0.01):
    """A square ring in lon/lat around Stuttgart."""
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(code, name, geometry):
    return {"type": "Feature", "properties": {"STADTTEILNR": code, "STADTTEILNAME": name},
            "geometry": geometry}


def three_squares(name_128="Rosenstein"):
    """Quarters 126, 128 and 214 as three squares side by side."""
    return {"type": "FeatureCollection", "features": [
        feature("126", "Nordbahnhof", {"type": "Polygon", "coordinates": [square(9.18, 48.80)]}),
        feature("128", name_128, {"type": "Polygon", "coordinates": [square(9.19, 48.80)]}),
        feature("214", "Hallschlag", {"type": "Polygon", "coordinates": [square(9.20, 48.80)]}),
    ]}


def paths(svg):
    """Each quarter's path tag with its title: (attributes, title)."""
    return re.findall(r'<path ([^>]*)><title>([^<]*)</title></path>', svg)


def fill_of(svg, code):
    attributes = next(a for a, _ in paths(svg) if f'data-code="{code}"' in a)
    return re.search(r'fill="([^"]+)"', attributes).group(1)


def test_three_quarters_are_coloured_by_class_hatched_or_grey():
    svg = render_map(three_squares(), {"126": 0.7, "128": 0.15, "214": None}, {"214"}, "Share",
                     LABELS, domain=(0.0, 1.0))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert len(paths(svg)) == 3
    assert fill_of(svg, "126") == CLASS_COLOURS[3]  # 0.7: 60–80 %
    assert fill_of(svg, "128") == CLASS_COLOURS[0]  # 0.15: 0–20 %
    hatch = fill_of(svg, "214")
    assert hatch.startswith("url(#") and hatch not in CLASS_COLOURS
    assert f'<pattern id="{hatch[5:-1]}"' in svg
    assert "Hallschlag (214): fewer than 5" in svg


def test_quarter_without_a_value_is_light_grey():
    svg = render_map(three_squares(), {"126": 0.5}, set(), "Share", LABELS, domain=(0.0, 1.0))
    assert fill_of(svg, "128") == NO_DATA_COLOUR == fill_of(svg, "214")
    assert fill_of(svg, "126") == CLASS_COLOURS[2]


def test_names_and_title_are_escaped():
    svg = render_map(three_squares(name_128="<script>alert(1)</script>"), {"128": 0.3}, set(),
                     "Mean & <b>", LABELS, names={"126": "A \"quoted\" & <odd> name"})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Mean &amp; &lt;b&gt;" in svg and "&lt;odd&gt;" in svg


def test_multipolygon_with_a_hole_is_one_path_with_evenodd():
    hole = [[9.182, 48.802], [9.184, 48.802], [9.184, 48.804], [9.182, 48.804], [9.182, 48.802]]
    boundaries = {"type": "FeatureCollection", "features": [feature("126", "Nordbahnhof", {
        "type": "MultiPolygon",
        "coordinates": [[square(9.18, 48.80), hole], [square(9.20, 48.80)]]})]}
    svg = render_map(boundaries, {"126": 2.0}, set(), "Mean", LABELS)
    (attributes, _), = paths(svg)
    assert attributes.count("M") == 3 and 'fill-rule="evenodd"' in attributes


def test_projected_coordinates_are_fitted_too():
    boundaries = {"type": "FeatureCollection", "features": [
        feature("126", "N", {"type": "Polygon", "coordinates": [square(3500000, 5400000, 1000)]})]}
    svg = render_map(boundaries, {"126": 1.0}, set(), "Mean", LABELS, width=400)
    numbers = [float(n) for n in re.findall(r"[\d.]+", re.search(r' d="([^"]+)"', svg).group(1))]
    assert min(numbers) >= 0 and max(numbers) <= 400


@pytest.mark.parametrize("bad", [None, [], {"type": "Feature"}, {"type": "FeatureCollection"}])
def test_anything_but_a_feature_collection_is_refused(bad):
    with pytest.raises(ValueError):
        render_map(bad, {}, set(), "x", LABELS)


def test_saving_boundaries_reports_json_errors_with_their_line(app, tmp_path):
    with force_locale("en"):
        count, problems = save_boundaries(b'{"type": "FeatureCollection",\n "features": [,]}', tmp_path)
    assert count == 0 and "line 2" in problems[0]
    assert load_boundaries(tmp_path) is None


def test_saving_boundaries_reports_features_without_geometry(app, tmp_path):
    data = three_squares()
    data["features"][1]["geometry"] = None
    with force_locale("en"):
        count, problems = save_boundaries(json.dumps(data).encode(), tmp_path)
    assert count == 0 and problems == ["Feature 2 has no geometry."]


def test_saved_boundaries_load_again(app, tmp_path):
    assert save_boundaries(json.dumps(three_squares()).encode(), tmp_path) == (3, [])
    assert load_boundaries(tmp_path) == three_squares()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def instance(app, tmp_path):
    """An instance folder of the test's own."""
    app.instance_path = str(tmp_path / "instance")
    return tmp_path / "instance"


def upload(client, data: bytes):
    fields = hidden_fields(client.get("/results/boundaries").get_data(as_text=True))
    return client.post("/results/boundaries", data={**fields, "file": (io.BytesIO(data), "q.geojson")},
                       content_type="multipart/form-data")


def test_coordinator_uploads_boundaries(login, instance, stuttgart):
    client = login("coordinator")
    page = upload(client, json.dumps(three_squares()).encode())
    assert page.status_code == 302
    assert len(load_boundaries(instance)["features"]) == 3


def test_boundaries_larger_than_the_app_limit_are_accepted(login, instance, stuttgart):
    data = three_squares()
    data["padding"] = "x" * 400_000
    assert upload(login("coordinator"), json.dumps(data).encode()).status_code == 302


def test_broken_json_shows_the_problem_with_its_line(login, instance, stuttgart):
    page = upload(login("coordinator"), b'{"type":\n\n "FeatureCollection" "features": []}')
    html = page.get_data(as_text=True)
    problems = re.search(r'role="alert".*?</div>', html, re.DOTALL).group(0)
    assert page.status_code == 422 and ("Zeile 3" in problems or "line 3" in problems)  # in the page's language
    assert load_boundaries(instance) is None


def test_planners_may_not_upload_boundaries(login, instance, stuttgart):
    client = login("planner")
    assert client.get("/results/boundaries").status_code == 403


@pytest.fixture
def answered(placement, today):
    """Nordbahnhof (126): 7 like it 4, 3 like it 2; Hallschlag (214): 2 like it 5."""
    add_responses(placement, today, [{"living_satisfaction": "4"}] * 7 + [{"living_satisfaction": "2"}] * 3
                  + [{"living_satisfaction": "5", "home_quarter": "214"}] * 2)
    return placement


def test_map_page_shows_the_svg_and_the_table_to_planners(login, instance, answered):
    save_boundaries(json.dumps(three_squares()).encode(), instance)
    html = login("planner").get("/results/quarter-needs/map?figure=living_satisfaction:4&lang=en").get_data(as_text=True)
    svg = re.search(r'<svg [^>]*role="img".*?</svg>', html, re.DOTALL).group(0)
    from app.results.queries import survey_results
    four = next(q for q in survey_results(answered.survey).questions
                if q.question.code == "living_satisfaction").areas[("quarter", "126")].options["4"]
    assert not four.hidden and abs(four.share - 0.7) < 0.35  # truly 7 of 10
    assert fill_of(svg, "126") in CLASS_COLOURS  # a class, not the pattern of a hidden figure
    assert fill_of(svg, "214").startswith("url(#")
    assert "style=" not in svg and "<script" not in svg
    assert ">not shown</span>" in html and "Hatched quarters: not shown." in html
    assert str(round(four.share * 100)) in re.search(r"Nordbahnhof</th><td>([^<]*)</td>", html).group(1)


def test_map_page_shows_means_and_works_without_boundaries(login, instance, answered):
    html = login("planner").get("/results/quarter-needs/map?figure=living_satisfaction").get_data(as_text=True)
    assert 'role="img"' not in html and "url(#" not in html
    from app.results.queries import survey_results
    mean = next(q for q in survey_results(answered.survey).questions
                if q.question.code == "living_satisfaction").areas[("quarter", "126")].mean
    assert mean is not None and abs(mean - 3.4) <= (3 * 2.5 + 3 * 4) / 7 + 0.05  # truly (7·4 + 3·2) / 10
    assert re.search(r"Nordbahnhof</th><td>" + re.escape(f"{mean:.1f}").replace(r"\.", "[,.]") + "</td>", html)


def test_flask_boundaries_load_stores_a_file_or_lists_its_problems(app, instance, tmp_path):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from app.cli.boundaries import boundaries_cli
    good, bad = tmp_path / "good.geojson", tmp_path / "bad.geojson"
    good.write_text(json.dumps(three_squares()))
    bad.write_text("{")
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    result = runner.invoke(boundaries_cli, ["load", str(bad)], obj=info)
    assert result.exit_code == 1 and "line 1" in result.output
    result = runner.invoke(boundaries_cli, ["load", str(good)], obj=info)
    assert result.exit_code == 0, result.output
    assert len(load_boundaries(instance)["features"]) == 3
