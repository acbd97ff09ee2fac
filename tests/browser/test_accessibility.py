"""Quiet groups first, proven in real Chromium: axe-core on every resident page in every
language, the keyboard alone, reflow at 320 px and at 200 % text, touch targets, right to left,
and the read-aloud button."""
import pytest
from playwright.sync_api import expect

from app.db import db
from tests.browser.axe_check import violations
from tests.browser.test_resident_journey import PAGE_LANGUAGES, prepare

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", PAGE_LANGUAGES)
def test_every_resident_page_has_no_axe_violations_in_every_language(live_server, browser, browser_context_args,
                                                                     language):
    app, base_url = live_server
    _, token = prepare(app, earlier_answers=5)
    with app.app_context():  # the public results page, too
        from app.models import Consultation
        db.session.query(Consultation).update({"results_public": True})
        db.session.commit()
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto(f"{base_url}/{token}?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    assert violations(page) == [], "first question"
    page.locator("button.primary").click()  # on to the required question …
    page.locator("button.primary").click()  # … and on without answering it: the error summary
    expect(page.locator(".error-summary")).to_be_visible()
    assert violations(page) == [], "with an error"
    page.get_by_role("button", name=page.locator("button.link[value=save]").inner_text()).click()
    expect(page.locator(".resume-code")).to_be_visible()
    assert violations(page) == [], "saved to continue later"
    for path in [f"/{token}/resume", f"/{token}/thanks", "/privacy", "/accessibility", "/", "/zzzzzzzzzz",
                 "/r/quarter-needs-2026", "/r/quarter-needs-2026/126"]:
        response = page.goto(base_url + path)
        assert response.status == (404 if path == "/zzzzzzzzzz" else 200), path
        assert page.locator("html").get_attribute("lang") == language, path
        assert violations(page) == [], path
    # The page for a phone that answered already, and the one for a paused placement.
    context.clear_cookies()  # no saved answers on this phone any more, but an answer sent before
    context.add_cookies([{"name": "qs_answered_1", "value": "x", "url": base_url}])
    page.goto(f"{base_url}/{token}")
    assert page.locator("a.button").count() == 1  # "Another person answers"
    assert violations(page) == [], "already answered"
    with app.app_context():
        from app.models import Placement
        db.session.query(Placement).update({"is_paused": True})
        db.session.commit()
    assert page.goto(f"{base_url}/{token}").status == 403
    assert violations(page) == [], "paused"
    context.close()


def test_the_survey_can_be_answered_with_the_keyboard_alone_one_question_per_page(live_server, browser):
    app, base_url = live_server
    _, token = prepare(app, earlier_answers=0)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    page = context.new_page()
    page.goto(f"{base_url}/{token}")

    def tab_to(predicate, limit=80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate):
                return
        raise AssertionError(f"never reached: {predicate}")

    # Question 1 (where one lives) is skipped: Tab to "Next" and press Enter.
    tab_to("document.activeElement.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#q_living_satisfaction")
    # Question 2: Tab to its first option, choose with the arrow keys; the focus is visible.
    tab_to("document.activeElement.name === 'q_living_satisfaction'")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "2"
    # Then Next, page after page, with Enter on the focused button.
    for _ in range(20):
        tab_to("document.activeElement.type === 'submit' && document.activeElement.classList.contains('primary')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if page.url.endswith("/thanks"):
            break
    assert page.url == f"{base_url}/{token}/thanks"
    with app.app_context():
        from sqlalchemy import select

        from app.models import Answer, Question
        stored = db.session.execute(select(Question.code, Answer.option_code).join(Question)).all()
    assert stored == [("living_satisfaction", "2")]
    context.close()


@pytest.mark.parametrize("language", PAGE_LANGUAGES)
def test_nothing_needs_horizontal_scrolling_at_320_px_nor_at_200_percent_text(live_server, browser, language):
    app, base_url = live_server
    _, token = prepare(app, earlier_answers=0, one_question_per_page=False)  # the longest page
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = context.new_page()
    for path in [f"/{token}?lang={language}", "/privacy", "/accessibility"]:
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, (path, "200 %")
        # No text is cut off: no element's content is wider than the element that clips it.
        clipped = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => {
            const s = getComputedStyle(e);
            // Text for screen readers only is clipped on purpose.
            if (e.classList.contains('visually-hidden') || e.classList.contains('skip')) return false;
            return (s.overflowX === 'hidden' || s.overflowX === 'clip') && e.scrollWidth > e.clientWidth + 1;
        }).map(e => e.tagName + '.' + e.className)""")
        assert clipped == [], (path, clipped)
    context.close()


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_languages_start_on_the_right(live_server, browser, language):
    app, base_url = live_server
    _, token = prepare(app, earlier_answers=0)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base_url}/{token}?lang={language}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("button.primary").click()  # question 2: a scale, answered by radio buttons
    field = page.locator("form .question input").first.bounding_box()
    assert field["x"] > 390 / 2, field  # the first field sits on the right half
    label = page.locator("form .question .choice label").first.bounding_box()
    assert label["x"] + label["width"] <= field["x"] + 1  # and its label reads on to the left of it
    assert page.locator("h1").evaluate("e => getComputedStyle(e).textAlign") in ("start", "right")
    context.close()


def test_touch_targets_are_at_least_44_by_44_pixels(live_server, browser):
    app, base_url = live_server
    _, token = prepare(app, earlier_answers=0, one_question_per_page=False)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base_url}/{token}")
    small = page.evaluate("""[...document.querySelectorAll(
            'main button:not([hidden]), main .choice, main input[type=text], main textarea, main select, header nav a')]
        .map(e => [e.tagName + (e.name ? '[' + e.name + ']' : '') + (e.className ? '.' + e.className : ''),
                   e.getBoundingClientRect()])
        .filter(([name, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
        .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""")
    assert small == []
    context.close()


def test_read_aloud_speaks_the_question_and_its_answers_in_the_page_language(live_server, browser):
    app, base_url = live_server
    _, token = prepare(app, earlier_answers=0)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    # A speech engine that records what it is asked to say (headless Chromium has no voices).
    context.add_init_script("""
        window.spoken = [];
        window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
        Object.defineProperty(window, 'speechSynthesis', {value: {
            cancel() {}, speak(u) { window.spoken.push([u.text, u.lang]); }}});
    """)
    page = context.new_page()
    page.goto(f"{base_url}/{token}?lang=tr")
    page.locator("button.primary").click()  # question 2: a scale with labelled ends
    button = page.locator("#q_living_satisfaction button.read-aloud")
    expect(button).to_be_visible()  # shown by the script once the page has loaded
    button.click()
    text, lang = page.evaluate("window.spoken[0]")
    assert lang == "tr"
    assert page.locator("#q_living_satisfaction .question-label").inner_text().split("(")[0].strip() in text
    for label in page.locator("#q_living_satisfaction .choice label").all_inner_texts():
        assert label.strip() in text
    context.close()
    # Without JavaScript (or without speech) there is no button, and the page works the same.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/{token}?lang=tr")
    assert page.locator("button.read-aloud").count() == 1 and not page.locator("button.read-aloud").is_visible()
    context.close()
