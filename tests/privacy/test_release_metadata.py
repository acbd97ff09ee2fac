"""Every export and the API say how their figures were protected — the cell key method with its
parameters — and an installation's own settings take effect everywhere."""
import io
import json
import zipfile

import pyreadstat
import pytest
from openpyxl import load_workbook

from app.results.queries import survey_results
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields
from tests.figures import K


@pytest.fixture
def answered(placement, today):
    add_responses(placement, today, [{"living_satisfaction": "4", "help_nearby": "yes"}] * 12
                  + [{"living_satisfaction": "2", "help_nearby": "no"}] * 9
                  + [{"living_satisfaction": "5", "home_quarter": "214"}] * 3)
    return placement


def stated(parameters: dict, deviation: int) -> None:
    assert parameters["max_deviation"] == deviation and parameters["threshold"] == 3
    assert parameters["variance"] == 1.0 and parameters["key_range"] == 256
    assert "cell key method" in parameters["method"] and parameters["median_minimum"] == 20


def test_every_export_states_the_method_and_its_parameters(login, answered, tmp_path):
    staff = login("planner")
    document = json.loads(staff.get("/results/quarter-needs/export.json").data)
    stated(document["perturbation"], 3)
    assert "cell key method" in document["suppression_rule"] and "at most 3" in document["suppression_rule"]

    workbook = load_workbook(io.BytesIO(staff.get("/results/quarter-needs/export.xlsx").data), read_only=True)
    metadata = dict(workbook["metadata"].iter_rows(min_row=2, values_only=True))
    assert metadata["perturbation_max_deviation"] == 3 and metadata["perturbation_threshold"] == 3
    assert "cell key method" in metadata["suppression_rule"]

    archive = zipfile.ZipFile(io.BytesIO(staff.get("/results/quarter-needs/export.zip").data))
    descriptor = json.loads(archive.read(next(n for n in archive.namelist() if n.endswith("datapackage.json"))))
    stated(descriptor["quartiersstimme"]["perturbation"], 3)
    assert "cell key method" in descriptor["description"]

    path = tmp_path / "responses.sav"
    path.write_bytes(staff.get("/results/quarter-needs/export.sav").data)
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert "cell key method" in " ".join(meta.notes)


def test_the_api_states_the_method_and_never_builds_the_response_table(login, answered, monkeypatch):
    from app.results import exports

    def refuse(*args, **kwargs):
        raise AssertionError("the API built the anonymous response table")

    staff = login("planner")
    form = hidden_fields(staff.get("/results/api-tokens").get_data(as_text=True))
    page = staff.post("/results/api-tokens", data={**form, "label": "Warehouse"}).get_data(as_text=True)
    token = page.split("<code>")[1].split("</code>")[0]
    monkeypatch.setattr(exports, "anonymous_responses", refuse)
    data = staff.get("/api/v1/surveys/quarter-needs/aggregates",
                     headers={"Authorization": f"Bearer {token}"}).get_json()
    stated(data["perturbation"], 3)
    assert data["rows"] and "cell key method" in data["suppression_rule"]


def test_an_installations_own_setting_takes_effect_in_figures_and_metadata(app, login, answered):
    app.config["PERTURBATION_MAX_DEVIATION"] = 5
    results = survey_results(answered.survey)
    stated(results.perturbation, 5)
    four = next(q for q in results.questions if q.question.code == "living_satisfaction").areas[("quarter", "126")]
    assert not four.options["4"].hidden and abs(four.options["4"].count - 12) <= 5 and four.options["4"].count >= K
    document = json.loads(login("planner").get("/results/quarter-needs/export.json").data)
    stated(document["perturbation"], 5)



@pytest.mark.parametrize("settings", [{"PERTURBATION_MAX_DEVIATION": 2},  # below the threshold
                                      {"PERTURBATION_VARIANCE": 0.0}, {"K_ANONYMITY": 2},
                                      {"RELEASE_MINIMUM": 4}])  # a release of fewer than k
def test_settings_that_cannot_protect_stop_the_app_at_start(settings):
    from tests.conftest import make_app
    with pytest.raises(RuntimeError, match="Perturbation settings refused"):
        make_app(**settings)
