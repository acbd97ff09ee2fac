"""End to end in real headless Chromium on a phone: QR code → Turkish answers → results → CSV."""
import csv
import io
import secrets
import subprocess

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from app import accounts
from app.answering.operations import submit_response
from app.config import PROJECT_ROOT
from app.db import db
from app.domain.answers import parse
from app.i18n import LANGUAGES
from app.manage import operations
from app.models.surveys import version_definition
from tests.browser.axe_check import violations
from tests.conftest import load_template, log_in

pytestmark = pytest.mark.browser

STAFF = ("plan@example.org", "a-long-password")


def prepare(app, earlier_answers=5, one_question_per_page=None):
    """Stuttgart, the quarter needs survey open at a meeting place in Nordbahnhof (126), a planner,
    and ``earlier_answers`` residents of 126 who liked it 4 and need green space. The survey asks
    one question per page (it is long) unless ``one_question_per_page`` says otherwise."""
    with app.app_context():
        text = (PROJECT_ROOT / "app" / "data" / "stuttgart_quarters.csv").read_text(encoding="utf-8")
        city = operations.load_areas("stuttgart", "Stuttgart", text).city
        version = operations.import_survey(load_template("quarter-needs"), city)
        operations.set_status(version.survey.consultation, "open")
        version.survey.one_question_per_page = one_question_per_page
        from sqlalchemy import select

        from app.models import Quarter
        quarter = db.session.scalar(select(Quarter).where(Quarter.code == "126"))
        place = operations.create_meeting_place("Stadtteilhaus Nordbahnhof", "community_centre", quarter)
        placement = operations.place_survey(version.survey, place)
        accounts.create_user(*STAFF, role="admin")  # sees every staff page
        db.session.commit()
        defn = version_definition(version)
        for _ in range(earlier_answers):
            answers = {"living_satisfaction": parse(defn.question("living_satisfaction"), ["4"]).parts,
                       "top_needs": parse(defn.question("top_needs"), ["green_space"]).parts}
            submit_response(version, answers, language="de", channel="paper",
                            submission_key=secrets.token_urlsafe(8), today=__import__("datetime").date.today(),
                            placement=placement)
        return placement.id, placement.token


def staff_client(app):
    return log_in(app.test_client(), *STAFF)


def turkish(app, text):
    with app.test_request_context(), force_locale("tr"):
        return gettext(text)


def test_a_resident_scans_the_poster_answers_in_turkish_and_the_answer_reaches_results_and_csv(
        live_server, browser, browser_context_args, tmp_path):
    app, base_url = live_server
    placement_id, token = prepare(app, one_question_per_page=False)  # the whole survey on one page
    staff = staff_client(app)

    # The QR code the app generated, decoded by a real decoder.
    png = staff.get(f"/manage/placements/{placement_id}/qr.png")
    (tmp_path / "qr.png").write_bytes(png.data)
    url = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "qr.png")],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert url == f"{base_url}/{token}"

    # A phone whose language is Turkish opens it.
    context = browser.new_context(**browser_context_args, locale="tr-TR")
    page = context.new_page()
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "tr"
    title = load_template("quarter-needs").title["tr"]
    assert page.locator("h1").inner_text() == title

    # Sending without the one required answer shows the error in Turkish.
    send = page.get_by_role("button", name=turkish(app, "Send answers"))
    send.click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert turkish(app, "Please answer this question.") in page.locator("#q_living_satisfaction-error").inner_text()

    page.locator('#q_living_satisfaction input[value="4"]').check()
    page.locator('#q_top_needs input[value="green_space"]').check()
    page.locator("#q_home_quarter-input").select_option("126")
    page.get_by_role("button", name=turkish(app, "Send answers")).click()
    page.wait_for_url(f"{base_url}/{token}/thanks")
    assert page.locator("h1").inner_text() == turkish(app, "Thank you! Your answers have been saved.")
    context.close()

    # The answer is in the per-quarter results: 5 earlier answers + this one = 6 in Nordbahnhof,
    # counted exactly and published by the release layer (perturbed, the same on page and CSV).
    from app.models import Survey
    from app.results.queries import survey_counts, survey_results
    from tests.figures import figure, plausible
    with app.app_context():
        survey = Survey.by_code("quarter-needs")
        counts = survey_counts(survey)
        results = survey_results(survey)
    assert counts.options[("top_needs", "126", "green_space")] == 6
    assert counts.options[("living_satisfaction", "126", "4")] == 6
    green = figure(results, "top_needs", ("quarter", "126"), "green_space")
    satisfied_figure = figure(results, "living_satisfaction", ("quarter", "126"), "4")
    assert plausible(green.shown, 6) and plausible(satisfied_figure.shown, 6)
    html = staff.get("/results/quarter-needs?area=quarter:126").get_data(as_text=True)
    section = html.split('id="q-top_needs"')[1].split("</section>")[0]
    if not green.hidden:
        assert [row for row in section.split("<tr>") if f">{green.count}</td>" in row]

    # …and in the CSV export.
    text = staff.get("/results/quarter-needs/aggregates.csv").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(text)))
    cell = next(r for r in table if r["question_code"] == "top_needs" and r["level"] == "quarter"
                and r["quarter_code"] == "126" and r["option_code"] == "green_space")
    assert (cell["count"], cell["suppressed"]) == (str(green.shown or ""), str(green.hidden).lower())
    satisfied = next(r for r in table if r["question_code"] == "living_satisfaction" and r["level"] == "quarter"
                     and r["quarter_code"] == "126" and r["option_code"] == "4")
    assert satisfied["count"] == str(satisfied_figure.shown or "")
    responses = list(csv.DictReader(io.StringIO(staff.get("/results/quarter-needs/responses.csv").get_data(as_text=True))))
    # The only Turkish web answer would stand out in a group of one: k-anonymity leaves it out of
    # the response-level table (it is counted in the aggregates above).
    assert len(responses) == 5 and all(r["language"] == "de" for r in responses)


#: Every staff page with an HTML view (files and PDFs are not pages).
STAFF_PAGES = [
    "/manage/", "/results/", "/results/quarter-needs", "/results/quarter-needs?area=quarter:126",
    "/manage/placements/{placement_id}/poster", "/manage/surveys/quarter-needs", "/manage/surveys/quarter-needs/edit",
    "/manage/surveys/quarter-needs/questions/top_needs", "/manage/surveys/quarter-needs/questions/new?type=scale",
    "/manage/surveys/quarter-needs/translate/ar", "/manage/surveys/quarter-needs/preview/ar",
    "/manage/surveys/quarter-needs/preview/ar/frame", "/manage/surveys/new", "/manage/surveys/import",
    "/manage/places", "/manage/figures", "/manage/surveys/quarter-needs/monitor",
    "/manage/surveys/quarter-needs/entry/paper", "/manage/surveys/quarter-needs/entry/assisted",
    "/r/manage/1", "/manage/surveys/quarter-needs/settings", "/manage/surveys/quarter-needs/delete-responses",
    "/results/quarter-needs/texts", "/results/quarter-needs/texts/change_wishes", "/results/quarter-needs/categories",
    "/results/quarter-needs/compare", "/results/quarter-needs/waves", "/results/quarter-needs/crosstab",
    "/results/quarter-needs/map", "/results/quarter-needs/profile/126", "/results/api-tokens", "/results/boundaries",
    "/results/quarter-needs?filter=channel:paper", "/admin/users", "/admin/audit",
]


def with_language(path, language):
    return path + ("&" if "?" in path else "?") + f"lang={language}"


#: Every language (residents' pages are checked in each of them in every tier).
PAGE_LANGUAGES = list(LANGUAGES)
#: Staff pages in both writing directions in ``make test``; in every language in ``make test-all``.
STAFF_LANGUAGES = [pytest.param(code, marks=() if code in ("de", "ar") else pytest.mark.all_matrices)
                   for code in LANGUAGES]


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_staff_pages_have_no_axe_violations(live_server, browser, browser_context_args, language):
    app, base_url = live_server
    placement_id, _ = prepare(app)
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto(base_url + with_language("/login", language))
    page.locator("button.primary").click()  # with errors first
    assert violations(page) == [], "login errors"
    page.fill("#email", STAFF[0])
    page.fill("#password", STAFF[1])
    page.locator("button.primary").click()
    page.wait_for_url(base_url + "/manage/")
    for path in STAFF_PAGES:
        page.goto(base_url + with_language(path.format(placement_id=placement_id), language))
        # Previews and the poster speak the survey's languages, whatever the staff member reads.
        assert page.locator("html").get_attribute("lang") == language or "/preview/" in path or "/poster" in path, path
        assert violations(page) == [], path
    context.close()


def test_axe_does_find_a_violation_where_there_is_one(live_server, browser):
    """The accessibility check is real: an unlabelled field and low contrast are caught."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<!doctype html><html lang="de"><title>x</title><main><input type="text">'
                     '<p style="color:#ddd">blass</p></main></html>')
    found = violations(page)
    assert {"label", "color-contrast"} <= {rule for rule, _ in found}
    assert ["input"] in [target for rule, target in found if rule == "label"]  # and where
    context.close()
