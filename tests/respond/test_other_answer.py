"""An "other" answer: its text field sits right under its choice, and the choice and the text are
stored together in one answer row — on the web, on later pages and in staff entry."""
import re

import pytest
from sqlalchemy import func, select

from app.db import db
from app.domain.definition import OptionDef, QuestionDef, SurveyDef
from app.manage import operations
from app.models import Answer, Quarter, Question, Response
from tests.conftest import hidden_fields

REQUIRED = {"q_living_satisfaction": "4"}


def answers_to(code: str) -> list[tuple]:
    """The stored (option_code, text) rows of question ``code``."""
    return db.session.execute(select(Answer.option_code, Answer.text).join(Question)
                              .where(Question.code == code).order_by(Answer.id)).all()


def test_the_text_field_sits_right_under_its_choice_in_the_same_fieldset_with_a_label(all_on_one_page, client, placement):
    html = client.get(f"/{placement.token}").get_data(as_text=True)
    fieldset = re.search(r'<div class="question" id="q_meeting_places">.*?</fieldset>', html, re.S).group(0)
    choice = re.search(r'<div class="choice">\s*<input type="checkbox" id="(q_meeting_places-\d+)" '
                       r'name="q_meeting_places" value="other"[^>]*>\s*'
                       r'<label for="\1" id="\1-label">Woanders, und zwar:</label>\s*</div>\s*'
                       r'<div class="other-text">\s*<label for="q_meeting_places-other">([^<]+)</label>\s*'
                       r'<input type="text" id="q_meeting_places-other" name="q_meeting_places-other" ([^>]*)>',
                       fieldset)
    assert choice, fieldset
    assert choice.group(2).strip()
    attributes = choice.group(3)
    assert 'maxlength="200"' in attributes and 'value=""' in attributes
    assert f'aria-describedby="{choice.group(1)}-label"' in attributes
    # The next choice comes after the text field: it sits between "other" and "hardly anyone".
    assert fieldset.index('name="q_meeting_places-other"') < fieldset.index('value="hardly_anyone"')
    # Questions without an "other" choice get no text field.
    assert 'name="q_get_involved-other"' not in html


def test_other_chosen_with_a_text_is_stored_as_one_row_holding_both(client, placement, answer):
    page = answer(placement, {**REQUIRED, "q_meeting_places": ["outdoors", "other"],
                              "q_meeting_places-other": "  Bei der Tafel \u202e"})
    assert page.status_code == 302, page.get_data(as_text=True)[:2000]
    assert answers_to("meeting_places") == [("outdoors", None), ("other", "Bei der Tafel")]
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.option_code == "other")) == 1


def test_a_text_written_without_ticking_other_is_stored_as_other_with_the_text(client, placement, answer):
    page = answer(placement, {**REQUIRED, "q_easier_to_take_part-other": "Ein Aufzug im Rathaus"})
    assert page.status_code == 302
    assert answers_to("easier_to_take_part") == [("other", "Ein Aufzug im Rathaus")]


def test_other_ticked_without_text_is_stored_as_chosen(client, placement, answer):
    page = answer(placement, {**REQUIRED, "q_housing_problems": "other", "q_housing_problems-other": ""})
    assert page.status_code == 302
    assert answers_to("housing_problems") == [("other", None)]


def test_after_an_error_elsewhere_the_typed_text_and_the_ticked_choice_are_still_there(all_on_one_page, client, placement, answer):
    page = answer(placement, {"q_meeting_places": "other", "q_meeting_places-other": "Im Waschsalon \"Blau\""})
    html = page.get_data(as_text=True)
    assert page.status_code == 422  # the required satisfaction question is missing
    assert 'name="q_meeting_places-other" value="Im Waschsalon &#34;Blau&#34;"' in html
    assert re.search(r'name="q_meeting_places" value="other" checked', html)
    # A text alone shows its choice as ticked, as it is counted.
    html = answer(placement, {"q_easier_to_take_part-other": "Mehr Zeit"}).get_data(as_text=True)
    assert re.search(r'name="q_easier_to_take_part" value="other" checked', html)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_too_long_other_text_is_refused_in_the_residents_language_and_kept(client, placement, answer):
    text = "x" * 230
    page = answer(placement, {**REQUIRED, "q_meeting_places": "other", "q_meeting_places-other": text},
                  headers={"Accept-Language": "tr"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    error = re.search(r'<p class="error" id="q_meeting_places-error">(.*?)</p>', html, re.S).group(1)
    assert "200" in error and "230" in error and "Please" not in error  # Turkish, not English
    assert f'value="{text}"' in html
    field = re.search(r'<input type="text" id="q_meeting_places-other"[^>]*>', html).group(0)
    assert re.search(r'aria-describedby="q_meeting_places-\d+-label q_meeting_places-error"', field)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


@pytest.fixture
def other_then_follow_up(stuttgart):
    """A survey whose second page depends on the "other" answer of the first."""
    de = "de"
    defn = SurveyDef("treff", de, [de], title={de: "Treff"}, questions=[
        QuestionDef("how", "single_choice", {de: "Wie kommen Sie her?"}, required=True, settings={"other": "other"},
                    options=[OptionDef("bus", {de: "Bus"}), OptionDef("other", {de: "Anders, und zwar:"})]),
        QuestionDef("why", "short_text", {de: "Warum so?"}, relevant="selected(${how}, 'other')"),
    ])
    version = operations.import_survey(defn, stuttgart)
    operations.set_status(version.survey.consultation, "open")
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == "126"))
    placement = operations.place_survey(version.survey, operations.create_meeting_place("Treff", "community_centre", quarter))
    db.session.commit()
    return placement


def test_the_other_text_travels_to_the_next_page_and_a_text_alone_meets_the_condition(client, other_then_follow_up):
    token = other_then_follow_up.token
    first = client.get(f"/{token}").get_data(as_text=True)
    second = client.post(f"/{token}", data={**hidden_fields(first), "q_how-other": "Mit dem Rad"})
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and "Warum so?" in html
    assert hidden_fields(html)["q_how-other"] == "Mit dem Rad"
    done = client.post(f"/{token}", data={**hidden_fields(html), "q_why": "Gesund"})
    assert done.status_code == 302
    assert answers_to("how") == [("other", "Mit dem Rad")]


def test_a_single_choice_with_another_answer_and_an_other_text_asks_to_keep_one(client, other_then_follow_up):
    token = other_then_follow_up.token
    first = client.get(f"/{token}").get_data(as_text=True)
    page = client.post(f"/{token}", data={**hidden_fields(first), "q_how": "bus", "q_how-other": "Mit dem Rad"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'id="q_how-error"' in html
    # Neither is lost: the ticked answer and the text are both still there.
    assert re.search(r'value="bus" checked', html) and not re.search(r'value="other" checked', html)
    assert 'value="Mit dem Rad"' in html


def test_paper_entry_gets_the_same_text_field_and_stores_the_text(login, placement, client):
    login("coordinator")
    url = f"/manage/surveys/{placement.survey.code}/entry/paper"
    html = client.get(url).get_data(as_text=True)
    assert 'name="q_get_involved-other"' not in html and 'name="q_meeting_places-other"' in html
    page = client.post(url, data={**hidden_fields(html), "batch": "", "placement": str(placement.id), "language": "de", **REQUIRED,
                                  "q_meeting_places": "other", "q_meeting_places-other": "Auf dem Markt"})
    assert page.status_code == 302, re.findall(r'class="error"[^>]*>(.*?)</p>', page.get_data(as_text=True), re.S)
    assert answers_to("meeting_places") == [("other", "Auf dem Markt")]


def test_paper_entry_without_a_batch_field_is_stored_not_a_server_error(login, placement, client):
    """A hand-made request may leave the batch field out: stored without a batch, never a 500."""
    login("coordinator")
    url = f"/manage/surveys/{placement.survey.code}/entry/paper"
    html = client.get(url).get_data(as_text=True)
    page = client.post(url, data={**hidden_fields(html), "placement": str(placement.id), "language": "de",
                                  **REQUIRED, "q_meeting_places": "other", "q_meeting_places-other": "Im Hof"})
    assert page.status_code == 302
    assert answers_to("meeting_places") == [("other", "Im Hof")]
