"""One question per page for long surveys: "Question 3 of 16", back and next without losing
anything, and without JavaScript (plain form posts)."""
import re
from html import unescape

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.db import db
from app.domain import surveyfile
from app.models import Answer, Question
from tests.conftest import load_template

QUESTIONS = 16  # the needs survey


def shown_questions(html):
    return re.findall(r'<div class="question[^"]*" id="q_(\w+)"', html)


def title(html):
    return re.search(r"<title>(.*?)</title>", html).group(1)


def form_pairs(html):
    """What a browser sends for the form as it stands: hidden inputs, ticked boxes, typed text
    and chosen options, repeated names included."""
    form = html.split("<form", 1)[1].split("</form>", 1)[0]
    pairs = []
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        if not name or kind == "submit" or (kind in ("radio", "checkbox") and " checked" not in tag):
            continue
        pairs.append((name.group(1), unescape(value.group(1)) if value else ""))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        pairs.append((name, unescape(text)))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        pairs.append((name, unescape(selected.group(1) or selected.group(2)) if selected else ""))
    return pairs


def step(client, url, page, data=None, back=False, save=False):
    """Press "Next" (or "Back", or "Save and continue later") on ``page`` with ``data`` filled in."""
    form = MultiDict(form_pairs(page.get_data(as_text=True)))
    for name, value in (data or {}).items():
        form.setlist(name, value if isinstance(value, list) else [value])
    if back or save:
        form["nav"] = "back" if back else "save"
    return client.post(url, data=form)


def test_a_long_survey_asks_one_question_per_page_and_says_which_one(client, placement):
    url = f"/{placement.token}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert shown_questions(html) == ["home_quarter"]
    assert title(html).startswith(f"Frage 1 von {QUESTIONS} – ")
    assert f'<progress max="{QUESTIONS}" value="1"' in html
    assert "anonym" in html  # the introduction and the privacy note come first
    page = step(client, url, page, {"q_home_quarter": "126"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and shown_questions(html) == ["living_satisfaction"]
    assert title(html).startswith(f"Frage 2 von {QUESTIONS} – ")
    assert "anonym" not in html.split("<form")[1]  # no introduction again


def test_a_required_question_stops_on_its_own_page_with_the_error_in_the_title(client, placement):
    url = f"/{placement.token}"
    page = step(client, url, client.get(url), {"q_home_quarter": "126"})
    page = step(client, url, page)  # "Next" without the required answer
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and shown_questions(html) == ["living_satisfaction"]
    assert title(html).startswith(f"Fehler: Frage 2 von {QUESTIONS}")
    assert 'href="#q_living_satisfaction"' in html


def test_back_and_next_keep_every_answer_and_the_last_page_sends_them_all(client, placement):
    url = f"/{placement.token}"
    page = step(client, url, client.get(url), {"q_home_quarter": "126"})
    page = step(client, url, page, {"q_living_satisfaction": "4"})
    page = step(client, url, page, {"q_meeting_places": ["playground", "other"],
                                    "q_meeting_places-other": "Im Waschsalon"})
    assert shown_questions(page.get_data(as_text=True)) == ["help_nearby"]
    # Back twice: the earlier answers are still chosen and typed.
    page = step(client, url, page, back=True)
    html = page.get_data(as_text=True)
    assert shown_questions(html) == ["meeting_places"]
    assert re.search(r'value="playground"[^>]*checked', html) and 'value="Im Waschsalon"' in html
    page = step(client, url, page, back=True)
    html = page.get_data(as_text=True)
    assert shown_questions(html) == ["living_satisfaction"] and re.search(r'value="4"[^>]*checked', html)
    # Change the answer, then go forward to the end without answering the rest.
    page = step(client, url, page, {"q_living_satisfaction": "2"})
    for number in range(3, QUESTIONS + 1):
        html = page.get_data(as_text=True)
        assert title(html).startswith(f"Frage {number} von {QUESTIONS}"), number
        last = number == QUESTIONS
        assert ("Antworten senden" in html) == last and ("Weiter" in html) == (not last)
        page = step(client, url, page)
    assert page.status_code == 302 and page.location.endswith("/thanks")
    stored = dict(db.session.execute(select(Question.code, Answer.option_code).join(Question)
                                     .where(Question.code.in_(["home_quarter", "living_satisfaction"]))).all())
    assert stored == {"home_quarter": "126", "living_satisfaction": "2"}
    others = db.session.scalars(select(Answer.text).join(Question).where(Question.code == "meeting_places")).all()
    assert "Im Waschsalon" in others


def test_the_survey_setting_decides_and_short_surveys_stay_on_one_page(client, placement, make_placement):
    placement.survey.one_question_per_page = False
    db.session.commit()
    assert len(shown_questions(client.get(f"/{placement.token}").get_data(as_text=True))) == QUESTIONS
    short = make_placement("meeting-place", place_name="Familienzentrum")
    assert len(short.survey.current_version.questions) == 8
    html = client.get(f"/{short.token}").get_data(as_text=True)
    assert len(shown_questions(html)) == 8 and "Frage 1 von" not in html
    short.survey.one_question_per_page = True
    db.session.commit()
    assert len(shown_questions(client.get(f"/{short.token}").get_data(as_text=True))) == 1


def test_a_survey_file_can_set_one_question_per_page_and_writes_it_back():
    defn = load_template("meeting-place")
    assert defn.one_question_per_page is None
    text = surveyfile.dump(surveyfile.from_data({**surveyfile.to_data(defn), "one_question_per_page": True})) \
        if hasattr(surveyfile, "dump") else None
    data = surveyfile.to_data(surveyfile.from_data({**surveyfile.to_data(defn), "one_question_per_page": True}))
    assert data["one_question_per_page"] is True
    assert "one_question_per_page" not in surveyfile.to_data(defn)
    assert text is None or "one_question_per_page: true" in text
