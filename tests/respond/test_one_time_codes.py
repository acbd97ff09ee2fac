"""One-time codes: a code works once, is stored only as a salted digest, and links to no one."""
import re

from sqlalchemy import func, select

from app.db import db
from app.domain import codes
from app.models import OneTimeCode, Response
from tests.conftest import hidden_fields, walk_pages


def test_a_printed_code_works_once_and_only_its_digest_is_stored(login, placement, answer):
    coordinator = login("coordinator")
    form = hidden_fields(coordinator.get(f"/manage/surveys/{placement.survey.code}").get_data(as_text=True))
    coordinator.post(f"/manage/surveys/{placement.survey.code}/codes", data={**form, "action": "on"})
    sheet = coordinator.post(f"/manage/surveys/{placement.survey.code}/codes", data={**form, "count": "3"})
    printed = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4})</code>", sheet.get_data(as_text=True))
    assert len(printed) == 3
    stored = [c.digest for c in db.session.scalars(select(OneTimeCode))]
    assert len(stored) == 3 and not any(p.replace("-", "") in d for p in printed for d in stored)
    assert codes.digest(placement.survey.code_salt, printed[0]) in stored
    assert "response_id" not in OneTimeCode.__table__.columns

    anonymous = coordinator.application.test_client()
    url = f"/{placement.token}"
    missing = walk_pages(anonymous, url, anonymous.get(url), {"q_living_satisfaction": "4"})
    assert missing.status_code == 422
    wrong = walk_pages(anonymous, url, anonymous.get(url), {"q_living_satisfaction": "4", "access_code": "aaaa-aaaa"})
    assert wrong.status_code == 422 and 'id="access_code-error"' in wrong.get_data(as_text=True)
    typed = printed[0].upper().replace("-", " ")  # as a person might type it
    good = walk_pages(anonymous, url, anonymous.get(url), {"q_living_satisfaction": "4", "access_code": typed})
    assert good.status_code == 302
    other = coordinator.application.test_client()
    reused = walk_pages(other, url, other.get(url), {"q_living_satisfaction": "2", "access_code": printed[0]})
    assert reused.status_code == 422
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(OneTimeCode.id)).where(OneTimeCode.is_used.is_(True))) == 1
