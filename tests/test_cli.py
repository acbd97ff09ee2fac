"""Command-line tools: survey files round-trip, other cities load their areas, problems are clear."""
from sqlalchemy import func, select

from app.db import db
from app.domain import surveyfile
from app.models import District, Quarter, Response, Survey
from tests.conftest import load_template


def test_flask_survey_import_then_export_round_trips_the_file(runner, stuttgart, tmp_path):
    result = runner.invoke(args=["survey", "import", "surveys/meeting-place.yaml"])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    out = tmp_path / "out.yaml"
    assert runner.invoke(args=["survey", "export", "meeting-place", "-o", str(out)]).exit_code == 0
    exported = surveyfile.load(out.read_text(encoding="utf-8"))
    original = load_template("meeting-place")
    assert exported.questions == original.questions
    assert (exported.title, exported.intro, exported.thanks) == (original.title, original.intro, original.thanks)
    assert exported.consultation["code"] == original.consultation["code"]


def test_importing_a_changed_survey_with_responses_creates_a_new_version(runner, placement, answer):
    answer(placement, {"q_living_satisfaction": "4"})
    result = runner.invoke(args=["survey", "import", "surveys/quarter-needs.yaml"])
    assert result.exit_code == 0 and "version 2" in result.output
    survey = Survey.by_code("quarter-needs")
    assert [v.number for v in survey.versions] == [1, 2]
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(Response)).version.number == 1


def test_a_broken_survey_file_is_refused_with_every_problem_and_nothing_stored(runner, stuttgart, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: bad\ndefault_language: de\nlanguages: [de]\nquestions:\n  - name: x\n    type: nope\n")
    result = runner.invoke(args=["survey", "import", str(bad)])
    assert result.exit_code != 0
    assert "question 1 (x): unknown type 'nope'" in result.output
    assert Survey.by_code("bad") is None


def test_another_city_loads_its_own_quarters_from_csv(runner, app, tmp_path):
    csv_file = tmp_path / "musterstadt.csv"
    csv_file.write_text("district_code,district_name,quarter_code,quarter_name\n"
                        "1,Altstadt,11,Marktviertel\n1,Altstadt,12,Domviertel\n2,Süd,21,Bahnstadt\n", encoding="utf-8")
    result = runner.invoke(args=["areas", "load", str(csv_file), "--city", "Musterstadt", "--source", "Stadt Musterstadt"])
    assert result.exit_code == 0, result.output
    assert "Musterstadt: 2 districts, 3 quarters" in result.output
    assert db.session.scalar(select(func.count(Quarter.id))) == 3
    again = runner.invoke(args=["areas", "load", str(csv_file), "--city", "Musterstadt"])
    assert again.exit_code == 0 and db.session.scalar(select(func.count(District.id))) == 2


def test_an_area_file_with_missing_columns_is_refused(runner, app, tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("code,name\n1,Altstadt\n", encoding="utf-8")
    result = runner.invoke(args=["areas", "load", str(csv_file), "--city", "X"])
    assert result.exit_code != 0 and "missing columns" in result.output


def test_demo_load_is_idempotent(runner, app):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count(Response.id)))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and db.session.scalar(select(func.count(Response.id))) == count > 0
    assert first.output == second.output


def test_every_export_format_is_written_by_the_cli_and_offered_as_download(runner, placement, answer, login, tmp_path):
    import json
    for point in ["4", "4", "4", "4", "4", "2"]:
        answer(placement, {"q_living_satisfaction": point}, query="?again=1")
    for fmt, name in [("xlsx", "quarter-needs-v1.xlsx"), ("json", "quarter-needs-v1.json"),
                      ("sav", "quarter-needs-v1.sav"), ("datapackage", "quarter-needs-v1-datapackage")]:
        result = runner.invoke(args=["export", "quarter-needs", "--format", fmt, "--output-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).exists(), fmt
    square = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"STADTTEILNR": 126},
              "geometry": {"type": "Polygon", "coordinates": [[[9.18, 48.80], [9.19, 48.80], [9.19, 48.81], [9.18, 48.80]]]}}]}
    (tmp_path / "q.geojson").write_text(json.dumps(square))
    result = runner.invoke(args=["export", "quarter-needs", "--format", "geojson", "--boundaries", str(tmp_path / "q.geojson"),
                                 "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    feature = json.loads((tmp_path / "quarter-needs-v1.geojson").read_text())["features"][0]
    from app.results.queries import survey_results
    from tests.figures import plausible
    responses = survey_results(placement.survey).responses[("quarter", "126")]
    assert feature["properties"]["responses"] == responses.shown and plausible(responses.shown, 6)
    staff = login("planner")
    for extension, mimetype in [("xlsx", "spreadsheetml"), ("json", "json"), ("sav", "spss"), ("zip", "zip")]:
        page = staff.get(f"/results/quarter-needs/export.{extension}")
        assert page.status_code == 200 and mimetype in page.mimetype, extension
    # The zip is the data package folder itself: the same files the CLI writes, datapackage.json included.
    import io
    import zipfile
    archive = zipfile.ZipFile(io.BytesIO(staff.get("/results/quarter-needs/export.zip").data))
    folder = tmp_path / "quarter-needs-v1-datapackage"
    assert sorted(archive.namelist()) == sorted(p.name for p in folder.iterdir())
    assert "datapackage.json" in archive.namelist()
    assert json.loads(archive.read("datapackage.json"))["name"] == "quarter-needs-v1"
    exported = json.loads((tmp_path / "quarter-needs-v1.json").read_text())
    downloaded = json.loads(staff.get("/results/quarter-needs/export.json").data)
    assert exported["questions"] == downloaded["questions"]
