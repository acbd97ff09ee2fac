"""The resident's path through HTTP: languages, validation, exactly-once storage, closed surveys."""
import base64
import gzip
import hashlib
import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.db import db
from app.models import Answer, Response
from app.models.places import display_token
from tests.conftest import hidden_fields


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("language, own_name, direction", [
    ("de", "Deutsch", "ltr"), ("en", "English", "ltr"), ("tr", "Türkçe", "ltr"), ("ar", "العربية", "rtl")])
def test_survey_page_speaks_the_browsers_language_and_sets_lang_and_dir(client, placement, language, own_name, direction):
    page = client.get(f"/{placement.token}", headers={"Accept-Language": f"{language},en;q=0.5"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in html
    title = placement.survey.current_version.title[language]
    assert f"<h1>{title}</h1>" in html
    # The switcher names every language in its own script.
    for name in ("Deutsch", "English", "Türkçe", "العربية"):
        assert f">{name}</a>" in html


def test_the_lang_parameter_overrides_the_browser_and_is_remembered(client, placement):
    client.get(f"/{placement.token}?lang=tr", headers={"Accept-Language": "de"})
    html = client.get(f"/{placement.token}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="tr"' in html


def test_a_language_the_survey_does_not_offer_falls_back_to_german(client, placement):
    html = client.get(f"/{placement.token}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in html


def test_every_input_has_a_label_and_choice_groups_have_a_legend(client, placement):
    html = client.get(f"/{placement.token}").get_data(as_text=True)
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html)
    assert ids
    for input_id in ids:
        if input_id in ("csrf_token", "submission_key", "another_person", "page"):
            continue
        assert f'for="{input_id}"' in html, input_id
    assert html.count("<fieldset>") == html.count("<legend")
    assert html.count("<h1>") == 1


def test_missing_required_answer_shows_turkish_error_in_summary_and_next_to_field(client, placement, answer):
    page = answer(placement, {}, headers={"Accept-Language": "tr"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Lütfen bu soruyu cevaplayın" in html
    assert '<div class="error-summary" role="alert"' in html
    assert 'href="#q_living_satisfaction"' in html
    assert 'id="q_living_satisfaction-error"' in html
    assert 'aria-describedby="q_living_satisfaction-error"' in html
    assert html.split("<title>")[1].startswith("Hata:")
    assert count(Response) == 0


def test_answers_stay_in_the_form_after_an_error(all_on_one_page, client, placement, answer):
    html = answer(placement, {"q_living_satisfaction": "9", "q_other_need": "Ein Arzt",
                              "q_top_needs": ["green_space", "doctors"]}).get_data(as_text=True)
    assert 'value="Ein Arzt"' in html
    assert re.search(r'value="green_space" checked', html)
    assert count(Response) == 0


def test_a_valid_submission_is_stored_once_with_its_answers_and_nothing_identifying(client, placement, answer, today):
    page = answer(placement, {"q_living_satisfaction": "4", "q_top_needs": ["green_space", "doctors"],
                              "q_minutes_to_stop": "7", "q_change_wishes": "Mehr Bänke"},
                  headers={"Accept-Language": "tr", "User-Agent": "Phone/1.0", "X-Forwarded-For": "203.0.113.9"})
    assert page.status_code == 302 and page.location.endswith(f"/{placement.token}/thanks")
    response = db.session.scalar(select(Response))
    assert (response.language, response.channel, response.submitted_on) == ("tr", "web", today)
    assert response.quarter.code == "126" and response.quarter_source == "place"
    stored = {(a.option_code, a.number, a.text) for a in response.answers}
    assert ("4", 4.0, None) in stored and ("green_space", None, None) in stored
    assert (None, 7.0, None) in stored and (None, None, "Mehr Bänke") in stored
    columns = set(Response.__table__.columns.keys())
    assert not columns & {"ip", "ip_address", "user_agent", "created_at", "submitted_at", "cookie"}
    dump = repr([tuple(r) for r in db.session.execute(select(Response.__table__))])
    assert "203.0.113.9" not in dump and "Phone/1.0" not in dump


def test_every_stored_response_draws_its_own_random_record_key(client, placement, answer, today):
    """The cell key method needs a key per response, drawn when it is stored, on every channel."""
    from app.domain.cellkey import RECORD_KEYS
    from tests.analyse.test_results import add_responses
    answer(placement, {"q_living_satisfaction": "4"})
    add_responses(placement, today, [{"living_satisfaction": "3"}] * 120)
    keys = list(db.session.scalars(select(Response.record_key)))
    assert len(keys) == 121 and all(key in RECORD_KEYS for key in keys)
    assert len(set(keys)) > 60  # 121 draws from 256: about 95 different keys, never 60 or fewer in practice


def test_the_residents_own_quarter_wins_over_the_meeting_places(client, placement, answer):
    answer(placement, {"q_living_satisfaction": "3", "q_home_quarter": "214"})
    response = db.session.scalar(select(Response))
    assert response.quarter.code == "214" and response.quarter_source == "answer"
    assert response.meeting_place.quarter.code == "126"


def test_a_double_click_stores_the_answers_once(all_on_one_page, client, placement):
    from tests.conftest import hidden_fields
    fields = hidden_fields(client.get(f"/{placement.token}").get_data(as_text=True))
    data = {**fields, "q_living_satisfaction": "5"}
    first = client.post(f"/{placement.token}", data=data)
    client.delete_cookie(next(c.key for c in client._cookies.values() if c.key.startswith("qs_answered")))
    second = client.post(f"/{placement.token}", data=data)
    assert first.status_code == second.status_code == 302
    assert count(Response) == 1
    assert count(Answer) == 1


def test_the_same_form_sent_again_with_other_answers_is_stored_as_the_new_response_it_is(
        all_on_one_page, client, placement):
    """Issue 15, point 3: the next person pressing Back on a kiosk or a shared phone sends the
    same form (same hidden key) with their own answers: thanked and stored, never dropped."""
    from tests.conftest import hidden_fields
    fields = hidden_fields(client.get(f"/{placement.token}").get_data(as_text=True))
    first = client.post(f"/{placement.token}", data={**fields, "q_living_satisfaction": "5"})
    client.delete_cookie(next(c.key for c in client._cookies.values() if c.key.startswith("qs_answered")))
    second = client.post(f"/{placement.token}", data={**fields, "q_living_satisfaction": "2"})
    assert first.status_code == second.status_code == 302
    stored = sorted(db.session.scalars(select(Answer.option_code)))
    assert stored == ["2", "5"] and count(Response) == 2


def test_a_second_submission_from_the_same_phone_is_answered_kindly_and_not_stored(client, placement, answer):
    answer(placement, {"q_living_satisfaction": "5"})
    page = client.get(f"/{placement.token}", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert "Sie haben schon geantwortet" in page.get_data(as_text=True)
    again = answer(placement, {"q_living_satisfaction": "2"})
    assert again.status_code == 200 and count(Response) == 1


def test_another_person_on_the_same_phone_can_answer_on_purpose(client, placement, answer):
    answer(placement, {"q_living_satisfaction": "5"})
    page = answer(placement, {"q_living_satisfaction": "2"}, query="?again=1")
    assert page.status_code == 302 and count(Response) == 2


def test_thank_you_page_says_what_happens_next_in_arabic(client, placement, answer):
    answer(placement, {"q_living_satisfaction": "5"}, headers={"Accept-Language": "ar"})
    html = client.get(f"/{placement.token}/thanks", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert placement.survey.current_version.thanks["ar"].split("\n")[0][:20] in html


@pytest.mark.parametrize("status, code", [("closed", 410), ("draft", 403)])
def test_a_closed_or_unopened_survey_gets_a_friendly_page_in_the_residents_language(client, make_placement, status, code):
    placement = make_placement(status=status)
    page = client.get(f"/{placement.token}", headers={"Accept-Language": "tr"})
    html = page.get_data(as_text=True)
    assert page.status_code == code
    assert '<html lang="tr"' in html and "Traceback" not in html
    assert "<form method=\"post\"" not in html
    posted = client.post(f"/{placement.token}", data={"q_living_satisfaction": "3"})
    assert posted.status_code == code and count(Response) == 0


def test_a_paused_placement_takes_no_answers(client, placement):
    placement.is_paused = True
    db.session.commit()
    assert client.get(f"/{placement.token}").status_code == 403


def test_an_unknown_code_gets_a_friendly_page_in_the_residents_language(client, placement):
    page = client.get("/zzzzzzzzzz", headers={"Accept-Language": "ar"})
    assert page.status_code == 404
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)


def test_a_code_typed_from_the_poster_with_capitals_and_hyphen_opens_the_survey(client, placement):
    typed = display_token(placement.token).upper()
    assert client.get(f"/{typed}").status_code == 200
    go = client.get(f"/go?code={typed}")
    assert go.status_code == 302 and go.location.endswith(f"/{placement.token}")
    assert client.get("/go?code=nothing").status_code == 404


def test_a_form_without_csrf_token_is_refused_but_keeps_the_answers(all_on_one_page, client, placement):
    page = client.post(f"/{placement.token}", data={"q_living_satisfaction": "4", "q_other_need": "Bank"})
    assert page.status_code == 422
    assert 'value="Bank"' in page.get_data(as_text=True)
    assert count(Response) == 0


def test_resident_pages_send_security_headers(client, placement):
    headers = client.get(f"/{placement.token}").headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_resident_page_travels_compressed_and_small(client, placement):
    page = client.get(f"/{placement.token}", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert len(page.data) < 8_000  # the first question with the stylesheet, compressed
    html = gzip.decompress(page.data).decode()
    # One request paints the page: the stylesheet comes inside it, allowed by its hash alone.
    assert 'rel="stylesheet"' not in html and html.count("<style>") == 1
    style = html.split("<style>")[1].split("</style>")[0]
    assert style == (PROJECT_ROOT / "app" / "static" / "style.css").read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = page.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in policy and "unsafe-inline" not in policy
    assert '<link rel="icon" href="data:,">' in html  # no request for a favicon that is not there
    script = client.get("/static/read-aloud.js", headers={"Accept-Encoding": "gzip"})
    assert script.headers["Content-Encoding"] == "gzip" and len(script.data) < 1_000


def test_an_oversized_body_gets_a_friendly_page_and_stores_nothing(client, placement):
    page = client.post(f"/{placement.token}", data={"q_change_wishes": "x" * 300_000},
                       headers={"Accept-Language": "tr"})
    assert page.status_code == 413
    html = page.get_data(as_text=True)
    assert '<html lang="tr"' in html and "Traceback" not in html
    assert count(Response) == 0


def test_unknown_option_codes_and_wrong_methods_never_cause_a_server_error(client, placement, answer):
    page = answer(placement, {"q_living_satisfaction": "<script>alert(1)</script>", "q_top_needs": ["x", "y"]})
    assert page.status_code == 422
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert client.put(f"/{placement.token}").status_code == 405
    assert client.delete(f"/{placement.token}/thanks").status_code == 405
    assert count(Response) == 0


def test_a_busy_database_asks_the_resident_to_send_again_in_their_language_and_keeps_the_answers(all_on_one_page, 
        client, placement, answer, monkeypatch):
    """A write that still fails after SQLite's busy timeout (or a database that is away): the
    resident sees a clear message in Turkish, the typed answers are still in the form, nothing is
    stored — and sending again works."""
    from sqlalchemy.exc import OperationalError

    from app.respond import views

    def busy(*args, **kwargs):
        raise OperationalError("INSERT INTO responses", {}, Exception("database is locked"))

    monkeypatch.setattr(views, "submit_response", busy)
    page = answer(placement, {"q_living_satisfaction": "4", "q_change_wishes": "Daha çok bank"},
                  headers={"Accept-Language": "tr"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'lang="tr"' in html
    assert "Daha çok bank" in html and re.search(r'value="4"[^>]*checked', html)
    with force_locale("tr"):
        assert gettext("Your answers could not be saved just now. Nothing is lost: they are still here. "
                       "Please press “Send answers” again.") in html
    assert count(Response) == 0
    monkeypatch.undo()
    fields = hidden_fields(html)
    again = client.post(f"/{placement.token}", data={**fields, "q_living_satisfaction": "4"},
                        headers={"Accept-Language": "tr"})
    assert again.status_code == 302 and count(Response) == 1
