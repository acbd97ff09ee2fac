"""Conditional questions on the server: the form goes on on a next page, without JavaScript."""
import pytest
from sqlalchemy import select

from app.db import db
from app.domain.definition import OptionDef, QuestionDef, SurveyDef
from app.manage import operations
from app.models import Answer, Quarter, Question
from tests.conftest import hidden_fields

DE = "de"


@pytest.fixture
def conditional(stuttgart):
    defn = SurveyDef("family", DE, [DE], title={DE: "Familie"}, questions=[
        QuestionDef("children", "yes_no", {DE: "Haben Sie Kinder?"}, required=True),
        QuestionDef("childcare", "single_choice", {DE: "Welche Betreuung?"}, relevant="${children} = 'yes'",
                    options=[OptionDef("kita", {DE: "Kita"}), OptionDef("none", {DE: "Keine"})], required=True),
        QuestionDef("why_none", "short_text", {DE: "Warum keine?"}, relevant="${childcare} = 'none'"),
        QuestionDef("wish", "short_text", {DE: "Ihr Wunsch?"}),
    ])
    version = operations.import_survey(defn, stuttgart)
    operations.set_status(version.survey.consultation, "open")
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == "126"))
    placement = operations.place_survey(version.survey, operations.create_meeting_place("Kita-Treff", "family_centre", quarter))
    db.session.commit()
    return placement


def step(client, token, page_html, data, nav=None):
    fields = hidden_fields(page_html)
    payload = {**fields, **data}
    if nav:
        payload["nav"] = nav
    return client.post(f"/{token}", data=payload)


def stored():
    return sorted(db.session.execute(select(Question.code, Answer.option_code, Answer.text).join(Question)).all())


def test_a_follow_up_question_appears_on_the_next_page_and_back_keeps_answers(client, conditional):
    token = conditional.token
    first = client.get(f"/{token}").get_data(as_text=True)
    assert "Haben Sie Kinder?" in first and "Welche Betreuung?" not in first
    assert "Seite 1 von 2" in first or "Page 1 of 2" in first  # as far as known: the follow-up does not apply yet
    second = step(client, token, first, {"q_children": "yes"})
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and "Welche Betreuung?" in html and "Haben Sie Kinder?" not in html
    back = step(client, token, html, {}, nav="back").get_data(as_text=True)
    assert "Haben Sie Kinder?" in back and 'value="yes" checked' in back
    html = step(client, token, back, {"q_children": "yes"}).get_data(as_text=True)
    missing = step(client, token, html, {})
    assert missing.status_code == 422 and "Welche Betreuung?" in missing.get_data(as_text=True)
    third = step(client, token, html, {"q_childcare": "none"}).get_data(as_text=True)
    assert "Warum keine?" in third and "Ihr Wunsch?" in third
    done = step(client, token, third, {"q_why_none": "Kein Platz", "q_wish": "Mehr Kitas"})
    assert done.status_code == 302
    assert stored() == [("childcare", "none", None), ("children", "yes", None),
                        ("why_none", None, "Kein Platz"), ("wish", None, "Mehr Kitas")]


def test_questions_that_do_not_apply_are_skipped_and_never_stored(client, conditional):
    token = conditional.token
    first = client.get(f"/{token}").get_data(as_text=True)
    last = step(client, token, first, {"q_children": "no"}).get_data(as_text=True)
    assert "Welche Betreuung?" not in last and "Warum keine?" not in last and "Ihr Wunsch?" in last
    # a stale or forged answer to a question that does not apply is ignored
    done = step(client, token, last, {"q_wish": "Spielplatz", "q_childcare": "none", "q_why_none": "x"})
    assert done.status_code == 302
    assert stored() == [("children", "no", None), ("wish", None, "Spielplatz")]
