"""Residents without a smartphone, in real Chromium: a kiosk tablet, and staff typing in paper forms."""
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import db
from app.manage import operations
from app.models import MeetingPlace, Response, Survey
from tests.browser.test_resident_journey import STAFF, prepare

pytestmark = pytest.mark.browser


def kiosk_token(app):
    with app.app_context():
        survey = Survey.by_code("quarter-needs")
        place = db.session.scalar(select(MeetingPlace))
        placement = operations.place_survey(survey, place, "kiosk")
        db.session.commit()
        return placement.token


def stored(app):
    with app.app_context():
        return [(r.channel, r.batch) for r in db.session.scalars(select(Response).order_by(Response.id))]


def test_a_kiosk_starts_fresh_after_each_answer_and_after_idle_time(live_server, browser):
    app, base_url = live_server
    app.config.update(KIOSK_IDLE_SECONDS=2, KIOSK_THANKS_SECONDS=1)
    prepare(app, earlier_answers=0, one_question_per_page=False)  # the whole survey on one screen
    token = kiosk_token(app)
    context = browser.new_context(viewport={"width": 800, "height": 1200}, locale="de-DE")
    page = context.new_page()
    for _ in range(2):  # two people one after another: no "already answered" for the second
        page.goto(f"{base_url}/{token}")
        page.locator('#q_living_satisfaction input[value="3"]').check()
        page.locator("button.primary").click()
        page.wait_for_url(f"{base_url}/{token}/thanks")
        page.wait_for_url(f"{base_url}/{token}", timeout=5000)  # back to the start by itself
        expect(page.locator("#q_living_satisfaction")).to_be_visible()
    assert stored(app) == [("kiosk", None), ("kiosk", None)]
    # Someone starts, then walks away: after the idle time (2 s here) the page starts afresh by
    # itself and the answers on screen are gone.
    started = time.monotonic()
    with page.expect_navigation(timeout=15_000):
        page.locator("#q_other_need-input").fill("Bänke")
    assert time.monotonic() - started >= 2
    assert page.url == f"{base_url}/{token}"
    assert page.locator("#q_other_need-input").input_value() == ""
    context.close()


def test_staff_type_in_paper_forms_one_after_another_with_a_running_count(live_server, browser):
    app, base_url = live_server
    prepare(app, earlier_answers=0)
    context = browser.new_context(viewport={"width": 1000, "height": 1200}, locale="de-DE")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#email", STAFF[0])
    page.fill("#password", STAFF[1])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/manage/")
    page.goto(f"{base_url}/manage/surveys/quarter-needs/entry/paper")
    # Awaited without a JavaScript string: the page's CSP (script-src 'self') forbids eval, and
    # Chromium 156.0.8078.129 applies that to Playwright's wait_for_function too.
    expect(page.locator("#batch")).to_be_focused()
    page.keyboard.type("B-7")  # the batch field has the focus
    page.select_option("#language", "tr")
    for number, point in [(1, "4"), (2, "2")]:
        page.locator(f'#q_living_satisfaction input[value="{point}"]').check()
        page.locator("#q_minutes_to_stop-input").fill("12")
        page.locator("#q_minutes_to_stop-input").press("Enter")
        page.wait_for_load_state()
        notice = page.locator(".notice").inner_text()
        assert f"{number}" in notice and "B-7" in notice
        assert page.locator("#batch").input_value() == "B-7"  # kept for the next form
        assert page.locator("#language").input_value() == "tr"
    assert stored(app) == [("paper", "B-7"), ("paper", "B-7")]
    with app.app_context():
        languages = [r.language for r in db.session.scalars(select(Response))]
    assert languages == ["tr", "tr"]
    context.close()
