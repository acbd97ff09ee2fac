"""Save and resume: stop, and continue later on the same phone or with a short code elsewhere;
nothing personal is kept, and unfinished answers go after 30 days."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.db import db
from app.models import Answer, Draft, Question, Response
from tests.respond.test_one_question_per_page import shown_questions, step

CODE = re.compile(r'<strong class="resume-code" dir="ltr">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>')


def save_on_third_question(client, placement):
    url = f"/{placement.token}"
    page = step(client, url, client.get(url), {"q_home_quarter": "126"})
    page = step(client, url, page, {"q_living_satisfaction": "5"})
    page = step(client, url, page, {"q_meeting_places": ["playground", "other"], "q_meeting_places-other": "Bücherei"},
                save=True)
    assert page.status_code == 200
    return CODE.search(page.get_data(as_text=True)).group(1), page


def test_saved_answers_come_back_on_the_same_phone_and_are_sent_once(app, client, placement):
    code, page = save_on_third_question(client, placement)
    assert f"qs_draft_{placement.survey.id}={code.replace('-', '')}" in page.headers["Set-Cookie"]
    draft = db.session.scalar(select(Draft))
    # Only a keyed digest of the code, the fields, the language and the day: nothing about the phone.
    assert code.replace("-", "") not in draft.digest and draft.saved_on == date.today() and draft.language == "de"
    assert set(draft.fields) == {"page", "q_home_quarter", "q_living_satisfaction", "q_meeting_places",
                                 "q_meeting_places-other"}
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    # Later, on the same phone: back on the third question, everything filled in.
    again = client.get(f"/{placement.token}")
    html = again.get_data(as_text=True)
    assert shown_questions(html) == ["meeting_places"] and "Willkommen zurück" in html
    assert re.search(r'value="playground"[^>]*checked', html) and 'value="Bücherei"' in html
    page = again
    for _ in range(20):
        page = step(client, f"/{placement.token}", page)
        if page.status_code != 200:
            break
    assert page.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    stored = dict(db.session.execute(select(Question.code, Answer.option_code).join(Question)
                                     .where(Question.code == "living_satisfaction")).all())
    assert stored == {"living_satisfaction": "5"}
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0  # sent: gone
    assert f"qs_draft_{placement.survey.id}=;" in page.headers.getlist("Set-Cookie")[-1]


def test_another_device_continues_with_the_code_typed_loosely(app, client, placement):
    code, _ = save_on_third_question(client, placement)
    laptop = app.test_client()
    form = laptop.get(f"/{placement.token}/resume")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    wrong = laptop.post(f"/{placement.token}/resume", data={"csrf_token": token, "code": "AAAA-AAAA"})
    assert wrong.status_code == 422 and "Bitte prüfen Sie jeden Buchstaben" in wrong.get_data(as_text=True)
    typed = code.lower().replace("-", " ")
    found = laptop.post(f"/{placement.token}/resume", data={"csrf_token": token, "code": typed})
    assert found.status_code == 302 and found.location.endswith(f"/{placement.token}?lang=de")
    html = laptop.get(f"/{placement.token}").get_data(as_text=True)
    assert shown_questions(html) == ["meeting_places"] and 'value="Bücherei"' in html


def test_saved_answers_are_gone_after_thirty_days(app, client, placement, runner):
    code, _ = save_on_third_question(client, placement)
    draft = db.session.scalar(select(Draft))
    draft.saved_on = date.today() - timedelta(days=31)
    db.session.commit()
    html = client.get(f"/{placement.token}").get_data(as_text=True)
    assert shown_questions(html) == ["home_quarter"]  # a fresh start: too old to come back
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0 and "Deleted 1 unfinished answers" in result.output
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_code_typed_on_a_cyrillic_or_greek_keyboard_is_read_as_meant():
    from app.respond.drafts import normalized
    assert normalized("авек-мнрс") == "ABEKMHPC"  # Cyrillic look-alikes, lower case
    assert normalized(" ΑΒΕΖ ΗΚΜΝ ") == "ABEZHKMN"  # Greek
    assert normalized("q7x2-9kpd") == "Q7X29KPD"


def test_a_draft_is_checked_like_an_answer_and_a_client_cannot_store_them_by_the_thousand(app, client, placement):
    """Issue 15, point 4: 40 drafts of 250 KB each were stored for 30 days without a log-in."""
    url = f"/{placement.token}"
    page = step(client, url, client.get(url), {"q_home_quarter": "126"})
    too_long = step(client, url, page, {"q_living_satisfaction": "5", "q_change_wishes": "x" * 2001,
                                        "q_meeting_places": ["no_such_option"] * 500}, save=True)
    assert too_long.status_code == 422 and "2.001" in too_long.get_data(as_text=True)  # says how long it is
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0  # nothing sent either
    saved = step(client, url, page, {"q_living_satisfaction": "5", "q_meeting_places": ["playground", "bogus"]},
                 save=True)
    assert saved.status_code == 200
    assert db.session.scalar(select(Draft)).fields["q_meeting_places"] == ["playground"]
    statuses = [step(client, url, page, {"q_living_satisfaction": "4"}, save=True).status_code for _ in range(12)]
    assert statuses.count(429) >= 2 and statuses[:8] == [200] * 8  # ten a minute per client
