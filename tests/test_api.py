"""The read-only API: tokens, scope, and every answer valid against the OpenAPI document."""
import jsonschema
import pytest
from sqlalchemy import select

from app.db import db
from app.models import ApiToken, District, User
from tests.conftest import hidden_fields


def schema_of(document, path, status="200"):
    """The response schema of ``path`` in the OpenAPI document, with its references resolvable."""
    schema = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


@pytest.fixture
def token(login, placement, answer):
    for point in ["4"] * 6 + ["2"]:
        answer(placement, {"q_living_satisfaction": point}, query="?again=1")
    staff = login("planner")
    form = hidden_fields(staff.get("/results/api-tokens").get_data(as_text=True))
    page = staff.post("/results/api-tokens", data={**form, "label": "Data warehouse"}).get_data(as_text=True)
    import re
    return re.search(r"<code>(qs_[^<]+)</code>", page).group(1)


def test_the_api_needs_a_valid_token(client, token):
    assert client.get("/api/v1/surveys").status_code == 401
    assert client.get("/api/v1/surveys", headers={"Authorization": "Bearer qs_wrong"}).status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200
    stored = db.session.scalar(select(ApiToken))
    assert stored.digest != token and token not in stored.digest


def test_aggregates_match_the_csv_and_validate_against_the_openapi_document(client, token):
    auth = {"Authorization": f"Bearer {token}"}
    document = client.get("/api/v1/openapi.json").get_json()
    surveys = client.get("/api/v1/surveys", headers=auth).get_json()
    jsonschema.validate(surveys, schema_of(document, "/surveys"))
    assert [s["code"] for s in surveys["surveys"]] == ["quarter-needs"]
    data = client.get("/api/v1/surveys/quarter-needs/aggregates?quarter=126", headers=auth).get_json()
    jsonschema.validate(data, schema_of(document, "/surveys/{code}/aggregates"))
    cell = {(r["question_code"], r["option_code"]): r for r in data["rows"]}
    from app.models import Survey
    from app.results.queries import survey_results
    from tests.figures import figure, plausible
    four = figure(survey_results(Survey.by_code("quarter-needs")), "living_satisfaction", ("quarter", "126"), "4")
    assert cell[("living_satisfaction", "4")]["count"] == four.shown  # the release layer's figure
    assert cell[("living_satisfaction", "4")]["suppressed"] is four.hidden and plausible(four.shown, 6)
    assert cell[("living_satisfaction", "2")]["count"] is None and cell[("living_satisfaction", "2")]["suppressed"]
    assert {r["quarter_code"] for r in data["rows"]} == {"126"}
    assert client.get("/api/v1/surveys/nothing/aggregates", headers=auth).status_code == 404


def test_a_revoked_token_or_a_survey_outside_the_scope_is_refused(client, login, token, placement, stuttgart):
    auth = {"Authorization": f"Bearer {token}"}
    user = db.session.scalar(select(User).where(User.email == "planner@example.org"))
    user.is_city_wide = False
    user.districts = [db.session.scalar(select(District).where(District.code == "06"))]
    db.session.commit()
    outside = client.get("/api/v1/surveys/quarter-needs/aggregates", headers=auth)
    missing = client.get("/api/v1/surveys/nothing/aggregates", headers=auth)
    assert outside.status_code == missing.status_code == 404 and outside.get_json() == missing.get_json()
    row = db.session.scalar(select(ApiToken))
    row.is_revoked = True
    db.session.commit()
    assert client.get("/api/v1/surveys", headers=auth).status_code == 401


def test_errors_are_problem_details_a_405_names_its_methods_and_a_bad_level_is_a_400(client, token, placement):
    """Issue 15, point 9."""
    auth = {"Authorization": f"Bearer {token}"}
    bad = client.get("/api/v1/surveys/quarter-needs/aggregates?level=street", headers=auth)
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["status"] == 400 and "city, district, quarter" in bad.get_json()["detail"]
    wrong_method = client.post("/api/v1/surveys", headers=auth)
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert wrong_method.mimetype == "application/problem+json" and wrong_method.get_json()["status"] == 405
    unknown = client.get("/api/v1/no/such/path", headers=auth)
    assert unknown.status_code == 404 and unknown.get_json()["title"] == "Not Found"
    assert client.get("/api/v1/surveys/quarter-needs/aggregates?level=quarter", headers=auth).status_code == 200


def test_a_page_answers_a_wrong_method_with_405_and_its_allowed_methods(client):
    page = client.delete("/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"] and page.mimetype == "text/html"
