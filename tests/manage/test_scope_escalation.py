"""A coordinator limited to one district stays in it: a survey file cannot carry them into
another consultation, and the whole city's boundaries are not theirs to replace (issue 15,
points 1 and 2)."""
import io
import json

import pytest
from sqlalchemy import func, select

from app import accounts
from app.db import db
from app.domain import surveyfile
from app.manage import operations
from app.models import AuditEntry, Consultation, District, Quarter, Response, Survey
from app.models.surveys import version_definition
from tests.conftest import hidden_fields, log_in


def quarters(*codes):
    return list(db.session.scalars(select(Quarter).where(Quarter.code.in_(codes)).order_by(Quarter.code)))


@pytest.fixture
def other(stuttgart):
    """A consultation of Bad Cannstatt (district 06), with one survey."""
    survey = operations.create_survey(stuttgart, "cannstatt-needs", "Bedarf Cannstatt", "de", ["de"],
                                      quarters("214", "215"))
    db.session.commit()
    return survey


def coordinator_of(client, district_code, email="nord@example.org"):
    user = accounts.create_user(email, "a-long-password", "coordinator")
    user.is_city_wide = False
    user.districts = [db.session.scalar(select(District).where(District.code == district_code))]
    db.session.commit()
    return log_in(client, email, "a-long-password")


def upload(client, defn, name="survey.yaml"):
    token = hidden_fields(client.get("/manage/surveys/import").get_data(as_text=True))["csrf_token"]
    return client.post("/manage/surveys/import", data={"csrf_token": token, "file": (
        io.BytesIO(surveyfile.dump(defn).encode()), name)}, content_type="multipart/form-data")


def file_naming(survey, code: str, consultation_code: str):
    defn = version_definition(survey.current_version)
    defn.code = code
    defn.consultation = {"code": consultation_code, "title": {"de": "Egal"}}
    return defn


def test_a_survey_file_cannot_carry_a_district_coordinator_into_another_consultation(client, other):
    nord = coordinator_of(client, "02")
    assert nord.get("/results/cannstatt-needs").status_code == 403
    page = upload(nord, file_naming(other, "sneaky", "cannstatt-needs"))
    assert page.status_code == 403
    db.session.expire_all()
    consultation = db.session.scalar(select(Consultation).where(Consultation.code == "cannstatt-needs"))
    assert sorted(q.code for q in consultation.quarters) == ["214", "215"]  # unchanged
    assert Survey.by_code("sneaky") is None
    assert nord.get("/results/cannstatt-needs").status_code == 403
    assert nord.get("/manage/surveys/cannstatt-needs/delete-responses").status_code == 403


def test_a_new_consultation_from_a_file_gets_the_coordinators_quarters_and_is_audited(client, other):
    nord = coordinator_of(client, "02")
    page = upload(nord, file_naming(other, "nord-needs", "nord-2027"))
    assert page.status_code == 302
    consultation = Survey.by_code("nord-needs").consultation
    assert consultation.code == "nord-2027"
    assert {q.district.code for q in consultation.quarters} == {"02"}
    created = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "consultation.create")).all()
    assert [entry.target for entry in created] == [f"consultation:{consultation.id}"]
    # A second survey joins that consultation, in scope, and leaves its quarters as they are.
    consultation.quarters = quarters("126")
    db.session.commit()
    assert upload(nord, file_naming(other, "nord-more", "nord-2027")).status_code == 302
    db.session.expire_all()
    joined = Survey.by_code("nord-more").consultation
    assert joined.code == "nord-2027" and [q.code for q in joined.quarters] == ["126"]


def test_only_city_wide_roles_replace_the_citys_boundaries(client, app, stuttgart):
    nord = coordinator_of(client, "02")
    assert nord.get("/results/boundaries").status_code == 403
    empty = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    assert nord.post("/results/boundaries", data={"file": (io.BytesIO(empty), "b.geojson")},
                     content_type="multipart/form-data").status_code in (400, 403)
    city_wide = app.test_client()
    accounts.create_user("stadt@example.org", "a-long-password", "coordinator")
    db.session.commit()
    log_in(city_wide, "stadt@example.org", "a-long-password")
    assert city_wide.get("/results/boundaries").status_code == 200


def test_a_file_sent_in_an_answer_or_a_staff_form_is_a_clear_400_not_a_500(client, placement, login):
    """Issue 15, point 6: only the three upload pages take files."""
    page = client.get(f"/{placement.token}")
    fields = hidden_fields(page.get_data(as_text=True))
    sent = client.post(f"/{placement.token}", data={**fields, "q_home_quarter": (io.BytesIO(b"x" * 100), "a.txt")},
                       content_type="multipart/form-data")
    assert sent.status_code == 400 and "<h1" in sent.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    staff = login("coordinator")
    form = hidden_fields(staff.get("/manage/places").get_data(as_text=True))
    sent = staff.post("/manage/places", data={**form, "name": (io.BytesIO(b"x"), "name.txt")},
                      content_type="multipart/form-data")
    assert sent.status_code == 400
