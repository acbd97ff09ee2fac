"""Residents hear back: the public results page per consultation, and the coordinators' switch."""
import re

import pytest
from sqlalchemy import select

from app import accounts
from app.db import db
from app.domain.aggregation import AreaResult, Figure, QuestionResult
from app.domain.definition import QuestionDef
from app.models import AuditEntry, Consultation, District, User
from app.public.views import summarize_question
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields, log_in
from tests.figures import figure as published_figure
from tests.figures import plausible


def results_of(placement):
    from app.results.queries import survey_results
    return survey_results(placement.survey)

CODE = "quarter-needs-2026"
SECRET_SHORT = "Geheimer Wunsch Nummer Siebzehn"
SECRET_LONG = "Bitte mehr Sitzbänke am Pragfriedhof"
NOTE_DE = "Im Herbst laden wir zu einem Quartiersabend ins Stadtteilhaus ein."
NOTE_AR = "في الخريف ندعوكم إلى أمسية الحيّ في مركز الحيّ."
LABEL_DE = "Wie gern wohnen Sie in Ihrem Quartier?"
LABEL_AR = "إلى أي حدّ تحبّون العيش في حيّكم؟"


@pytest.fixture
def answered(placement, today):
    """Nordbahnhof (126): 7 like living there 4 (and wrote a wish), 2 like it 5 (and wrote more)."""
    add_responses(placement, today,
                  [{"living_satisfaction": "4", "other_need": SECRET_SHORT}] * 7
                  + [{"living_satisfaction": "5", "change_wishes": SECRET_LONG}] * 2)
    return placement


def consultation() -> Consultation:
    return db.session.scalar(select(Consultation).where(Consultation.code == CODE))


def edit_url() -> str:
    return f"/r/manage/{consultation().id}"


def save_publication(client, **fields):
    """Post the publishing form like a browser: GET it, then POST it with its CSRF token."""
    page = client.get(edit_url())
    assert page.status_code == 200
    return client.post(edit_url(), data={**hidden_fields(page.get_data(as_text=True)), **fields})


@pytest.fixture
def published(app, login, answered):
    """A coordinator switched the results on and wrote the note in German and Arabic."""
    coordinator = login("coordinator")
    response = save_publication(coordinator, results_public="y", note_de=NOTE_DE, note_ar=NOTE_AR)
    assert response.status_code == 302
    return answered


def visit(app, path, **headers):
    """The page as an anonymous visitor sees it, on a browser of its own."""
    page = app.test_client().get(path, headers=headers)
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)


def question_section(html: str, code: str) -> str:
    """The part of the page about one question."""
    start = html.index(f'id="q-{code}"')
    return html[start:html.index("</section>", start)]


def table_row(section: str, label: str) -> str:
    """The table row of the option labelled ``label``."""
    match = re.search(rf'<tr><th scope="row">{re.escape(label)}</th>(.*?)</tr>', section)
    assert match, label
    return match.group(1)


def test_results_are_not_found_while_not_public(client, answered):
    assert client.get(f"/r/{CODE}").status_code == 404
    assert client.get(f"/r/{CODE}/126").status_code == 404
    assert client.get("/r/no-such-consultation").status_code == 404


def test_a_coordinator_publishes_and_the_change_is_audited(published):
    assert consultation().results_public is True
    assert consultation().public_note == {"de": NOTE_DE, "ar": NOTE_AR}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consultation.public"))
    assert entry.target == f"consultation:{consultation().id}" and entry.details["results_public"] is True


def test_anonymous_visitors_see_the_page_in_german(app, published):
    html = visit(app, f"/r/{CODE}", **{"Accept-Language": "de"})
    assert '<html lang="de" dir="ltr">' in html
    assert LABEL_DE in html and LABEL_AR not in html
    assert NOTE_DE in html and NOTE_AR not in html


def test_anonymous_visitors_see_the_page_in_arabic_right_to_left(app, published):
    html = visit(app, f"/r/{CODE}", **{"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl">' in html
    assert LABEL_AR in html and LABEL_DE not in html
    assert NOTE_AR in html and NOTE_DE not in html


def test_the_note_falls_back_to_the_survey_language_and_says_so(app, published):
    html = visit(app, f"/r/{CODE}?lang=en")
    assert '<html lang="en" dir="ltr">' in html
    assert f'<div lang="de" dir="ltr">\n  <p>{NOTE_DE}</p>' in html


def test_suppressed_options_never_show_a_number(app, published):
    for path in (f"/r/{CODE}/126?lang=en", f"/r/{CODE}?lang=en"):
        html = visit(app, path)
        section = question_section(html, "living_satisfaction")
        shown = table_row(section, "4")  # truly 7 of 9
        area = ("quarter", "126") if path.endswith("/126?lang=en") else ("city", "")
        four = published_figure(results_of(published), "living_satisfaction", area, "4")
        assert plausible(four.shown, 7)
        if not four.hidden:
            assert f">{four.count}</td>" in shown and str(round(four.share * 100)) in shown
        hidden = table_row(section, "5 – Very much")
        assert "not shown" in hidden
        assert not re.search(r"\d", re.sub(r"<[^>]*>", "", hidden))
        assert "22" not in section  # 2 of 9
        assert "On average" not in section  # a mean would give the hidden points away


def test_free_text_is_counted_but_never_shown(app, published):
    for path in (f"/r/{CODE}?lang=en", f"/r/{CODE}/126?lang=en", f"/r/{CODE}?lang=de", f"/r/{CODE}?lang=ar"):
        html = visit(app, path)
        assert SECRET_SHORT not in html and SECRET_LONG not in html
    html = visit(app, f"/r/{CODE}/126?lang=en")
    wrote = re.search(r"(\d+) people wrote something\.", question_section(html, "other_need"))
    assert wrote and plausible(wrote.group(1), 7)  # truly seven
    assert "Too few people wrote something here to say how many." in question_section(html, "change_wishes")


def test_a_quarter_page_lists_the_quarters_and_unknown_quarters_are_not_found(app, client, published):
    html = visit(app, f"/r/{CODE}/126?lang=en")
    assert f'href="/r/{CODE}/126" aria-current="page">Nordbahnhof</a>' in html
    assert f'href="/r/{CODE}/214">Hallschlag</a>' in html
    assert app.test_client().get(f"/r/{CODE}/999").status_code == 404


def test_unticking_the_box_takes_the_page_down_again(app, client, published):
    response = save_publication(client, note_de=NOTE_DE, note_ar="")  # an unticked box is not sent
    assert response.status_code == 302
    assert consultation().results_public is False and consultation().public_note == {"de": NOTE_DE}
    assert app.test_client().get(f"/r/{CODE}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_from_the_edit_page(client, placement):
    page = client.get(edit_url())
    assert page.status_code == 302 and "/login" in page.location


def test_planners_may_not_publish(login, placement):
    planner = login("planner")
    assert planner.get(edit_url()).status_code == 403


def test_coordinators_outside_the_scope_may_not_publish(client, placement):
    user = accounts.create_user("district@example.org", "a-long-password", "coordinator")
    user.is_city_wide = False
    user.districts = [db.session.scalar(select(District).where(District.code == "02"))]
    db.session.commit()
    log_in(client, "district@example.org", "a-long-password")
    assert client.get(edit_url()).status_code == 403  # the consultation covers the whole city
    assert db.session.scalar(select(User).where(User.email == "district@example.org")) is not None


# --- The summary itself, without a request ---------------------------------------------------------

def result_of(question, options: dict[str, Figure], base: Figure, mean=None) -> QuestionResult:
    area = AreaResult(base=base, options=options, mean=mean)
    return QuestionResult(question, list(options), {("city", ""): area})


def test_a_leader_is_called_the_most_frequent_only_when_the_shown_figures_prove_it():
    question = QuestionDef(code="q", type="single_choice")
    base = Figure(20, False)
    proven = result_of(question, {"a": Figure(12, False, 0.6), "b": Figure(3, True), "c": Figure(5, True)}, base)
    summary = summarize_question(proven, ("city", ""), {("q", "a"): "A"})
    assert summary.top.label == "A" and summary.top_is_certain  # a is 9 or more; a hidden one below k + D = 8
    unproven = result_of(question, {"a": Figure(6, False, 0.3), "b": Figure(3, True), "c": Figure(11, True)}, base)
    summary = summarize_question(unproven, ("city", ""), {})
    assert summary.top.code == "a" and not summary.top_is_certain  # a may be 3, a hidden one 7
    close = result_of(question, {"a": Figure(12, False, 0.5), "b": Figure(8, False, 0.3), "c": Figure(0, True)},
                      Figure(24, False))
    summary = summarize_question(close, ("city", ""), {})
    assert summary.top.code == "a" and not summary.top_is_certain  # published 12 and 8: truly 9 and 11 possible
    clear = result_of(question, {"a": Figure(15, False, 0.6), "b": Figure(8, False, 0.3), "c": Figure(0, True)},
                      Figure(25, False))
    assert summarize_question(clear, ("city", ""), {}).top_is_certain  # 12 or more against 11 at most


def test_a_scale_mean_is_left_out_when_a_point_is_hidden():
    question = QuestionDef(code="s", type="scale", settings={"min": 1, "max": 2})
    base = Figure(9, False)
    hidden = result_of(question, {"1": Figure(7, False, 7 / 9), "2": Figure(2, True)}, base, mean=1.2)
    assert summarize_question(hidden, ("city", ""), {}).mean is None
    shown = result_of(question, {"1": Figure(7, False, 0.7), "2": Figure(3, False, 0.3)}, Figure(10, False), mean=1.3)
    assert summarize_question(shown, ("city", ""), {}).mean == 1.3


def test_nothing_of_a_text_question_but_how_many_answered():
    question = QuestionDef(code="t", type="long_text")
    summary = summarize_question(result_of(question, {}, Figure(7, False)), ("city", ""), {})
    assert summary.kind == "text" and summary.rows == [] and summary.base.count == 7


def took_part(placement) -> str:
    figure = results_of(placement).responses[("city", "")]
    assert not figure.hidden
    return f"{figure.count} people took part."


def test_a_new_response_shows_at_once_although_results_are_reused(app, published, today):
    before = took_part(published)  # truly 9
    assert plausible(before.split()[0], 9)
    assert before in visit(app, f"/r/{CODE}?lang=en")
    assert before in visit(app, f"/r/{CODE}?lang=en")  # from the cache
    add_responses(published, today, [{"living_satisfaction": "3"}])
    after = took_part(published)  # a new key for every cell of the area: fresh noise
    assert plausible(after.split()[0], 10)
    assert after in visit(app, f"/r/{CODE}?lang=en")


def test_the_public_page_says_plainly_that_numbers_are_changed_a_little_in_every_language(app, published):
    """The statement comes from the catalogs: English source, Arabic, Persian and Easy German."""
    for language, words in (("en", "we change every number a little, at random (by 3 at most)"),
                            ("ar", "نغيّر كل رقم قليلًا"), ("fa", "هر عدد را کمی"),
                            ("de-x-ls", "Wir ändern eine Zahl höchstens um 3.")):
        html = visit(app, f"/r/{CODE}?lang={language}")
        assert words in html, language
