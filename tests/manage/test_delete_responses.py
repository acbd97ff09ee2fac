"""A coordinator deletes every response of a survey on request: confirmed by typing its short
name, with a reason, audit-logged, and refused to anyone without the right."""
from sqlalchemy import func, select

from app.db import db
from app.models import Answer, AuditEntry, Response
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields

URL = "/manage/surveys/quarter-needs/delete-responses"


def stored():
    return db.session.scalar(select(func.count(Response.id))), db.session.scalar(select(func.count(Answer.id)))


def test_a_coordinator_deletes_every_response_after_typing_the_short_name(login, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "2", "change_wishes": "Mehr Licht"}] * 4)
    client = login("coordinator")
    page = client.get(URL + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This survey has 4 responses." in html
    wrong = client.post(URL + "?lang=en", data={**hidden_fields(html), "confirm": "quarter", "reason": "Test"})
    assert wrong.status_code == 422 and "not the survey&#39;s short name" in wrong.get_data(as_text=True)
    no_reason = client.post(URL + "?lang=en", data={**hidden_fields(html), "confirm": "quarter-needs", "reason": ""})
    assert no_reason.status_code == 422 and stored() == (4, 8)
    done = client.post(URL, data={**hidden_fields(html), "confirm": "quarter-needs", "reason": "Testlauf"})
    assert done.status_code == 302 and stored() == (0, 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.responses_deleted"))
    assert entry.details == {"count": 4, "reason": "Testlauf"} and entry.user_id is not None
    assert "Mehr Licht" not in str(entry.details) + entry.summary


def test_planners_may_not_delete_responses(login, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "2"}])
    client = login("planner")
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"confirm": "quarter-needs", "reason": "x"}).status_code in (400, 403)
    assert stored()[0] == 1
