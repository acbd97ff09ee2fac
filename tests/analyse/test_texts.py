"""Free-text answers: lists per question and area, categories, coding, hiding, and the counts."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from app import accounts
from app.analyse import coding
from app.db import db
from app.models import Answer, AnswerCoding, AuditEntry, District, HiddenAnswer, TextCategory
from app.results.queries import survey_results
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields, log_in
from tests.figures import D

TEXTS = "/results/quarter-needs/texts/change_wishes"
CATEGORIES = "/results/quarter-needs/categories"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def texts(placement, today):
    """Nordbahnhof (126, district 02): six wishes; Am Pragfriedhof (127, district 02): two, one a
    script; Hallschlag (214, district 06): five; one response with no quarter and no text."""
    add_responses(placement, today,
                  [{"change_wishes": f"Mehr Bänke {i}"} for i in range(3)]
                  + [{"change_wishes": f"Ein Café {i}"} for i in range(3)]
                  + [{"change_wishes": SCRIPT, "home_quarter": "127"},
                     {"change_wishes": "Spielplatz", "home_quarter": "127"}]
                  + [{"change_wishes": f"Busse {i}", "home_quarter": "214"} for i in range(5)]
                  + [{"living_satisfaction": "3", "home_quarter": "elsewhere"}])
    return placement.survey


@pytest.fixture
def planner(login):
    """A city-wide planner who reads the interface in English (the catalogs may lag behind)."""
    client = login("planner")
    client.get("/results/?lang=en")
    return client


def answered_base(survey):
    """How many responses answered ``change_wishes`` in the whole city, as the results count it."""
    result = next(r for r in survey_results(survey).questions if r.question.code == "change_wishes")
    return result.areas[("city", "")].base.count


def token(client, url=CATEGORIES):
    """The CSRF token of a page."""
    return hidden_fields(client.get(url).get_data(as_text=True))["csrf_token"]


def answer(text):
    return db.session.scalar(select(Answer).where(Answer.text == text))


def listed(html):
    """The answer texts of a list page, in order."""
    return [re.sub(r"<br>", "\n", t) for t in re.findall(r'<p class="answer-text[^"]*" id="[^"]+">(.*?)</p>', html, re.DOTALL)]


def add_category(client, code, de, en=""):
    return client.post(CATEGORIES, data={"csrf_token": token(client), "action": "create", "code": code,
                                         "label-de": de, "label-en": en})


def actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_planner_adds_renames_and_deletes_categories_and_each_step_is_audited(planner, texts):
    assert add_category(planner, "seating", "Sitzplätze", "Seating").status_code == 302
    assert add_category(planner, "cafe", "Café").status_code == 302
    categories = coding.survey_categories(texts)
    assert [(c.code, c.label, c.position) for c in categories] == [
        ("seating", {"de": "Sitzplätze", "en": "Seating"}, 0), ("cafe", {"de": "Café"}, 1)]
    page = planner.post(CATEGORIES, data={"csrf_token": token(planner), "action": "rename",
                                          "category": "cafe", "label-de": "Treffpunkt", "label-en": "Meeting point"})
    assert page.status_code == 302
    assert coding.survey_categories(texts)[1].label == {"de": "Treffpunkt", "en": "Meeting point"}
    coding.set_answer_categories(texts, answer("Ein Café 0"), ["cafe"])
    db.session.commit()
    # Deleting needs the box ticked, then takes the category off every answer.
    refused = planner.post(CATEGORIES, data={"csrf_token": token(planner), "action": "delete", "category": "cafe"})
    assert refused.status_code == 422 and 'id="confirm-cafe-error"' in refused.get_data(as_text=True)
    assert planner.post(CATEGORIES, data={"csrf_token": token(planner), "action": "delete", "category": "cafe",
                                          "confirm": "yes"}).status_code == 302
    assert coding.category_codes(texts) == ["seating"]
    assert db.session.scalars(select(AnswerCoding)).all() == []
    assert actions() == ["text_category.create", "text_category.create", "text_category.rename",
                         "answer.code", "text_category.delete"]
    deleted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "text_category.delete")).one()
    assert deleted.details["codings"] == 1 and deleted.details["code"] == "cafe"


@pytest.mark.parametrize("code", ["", "Seating", "1st", "two words", "x" * 41, "seating"])
def test_a_category_needs_a_new_machine_name_and_a_name_in_the_main_language(planner, texts, code):
    add_category(planner, "seating", "Sitzplätze")
    page = planner.post(CATEGORIES, data={"csrf_token": token(planner), "action": "create", "code": code,
                                          "label-de": "Etwas"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="new-code" name="code"' in html and 'aria-describedby="new-code-hint new-code-error"' in html
    assert 'href="#new-code"' in html
    nameless = planner.post(CATEGORIES, data={"csrf_token": token(planner), "action": "create", "code": "benches",
                                              "label-en": "Benches"})
    assert nameless.status_code == 422 and 'id="new-label-de-error"' in nameless.get_data(as_text=True)
    assert coding.category_codes(texts) == ["seating"]


def test_coding_an_answer_checks_its_boxes_and_takes_it_off_the_uncoded_list(planner, texts):
    add_category(planner, "seating", "Sitzplätze")
    add_category(planner, "cafe", "Café")
    target = answer("Mehr Bänke 1")
    ref = coding.answer_ref(target.id)
    page = planner.post(TEXTS, data={"csrf_token": token(planner, TEXTS), "answer": ref, "action": "save",
                                     "category": ["seating", "cafe"]})
    assert page.status_code == 302 and page.location.endswith(f"{TEXTS}#a-{ref}")
    html = planner.get(TEXTS).get_data(as_text=True)
    assert f'id="c-{ref}-seating" name="category" value="seating" checked' in html
    assert f'id="c-{ref}-cafe" name="category" value="cafe" checked' in html
    assert "Mehr Bänke 1" not in listed(planner.get(TEXTS + "?show=uncoded").get_data(as_text=True))
    # Unticking one box takes that category off again.
    planner.post(TEXTS, data={"csrf_token": token(planner, TEXTS), "answer": ref, "action": "save",
                              "category": "cafe"})
    codes = db.session.scalars(select(TextCategory.code).join(AnswerCoding).where(AnswerCoding.answer_id == target.id))
    assert list(codes) == ["cafe"]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "answer.code")).all()
    assert [(e.details["added"], e.details["removed"]) for e in entries] == [(["cafe", "seating"], []), ([], ["seating"])]
    assert all("Bänke" not in e.summary and "Bänke" not in str(e.details) for e in entries)


def test_a_hidden_answer_leaves_the_list_and_every_export_but_stays_counted_and_codable(planner, texts):
    add_category(planner, "seating", "Sitzplätze")
    base_before = answered_base(texts)
    target = answer("Mehr Bänke 2")
    ref = coding.answer_ref(target.id)
    page = planner.post(TEXTS, data={"csrf_token": token(planner, TEXTS), "answer": ref, "action": "hide"})
    assert page.status_code == 302 and page.location.endswith(f"{TEXTS}#answers")
    assert "Mehr Bänke 2" not in listed(planner.get(TEXTS).get_data(as_text=True))
    assert "Mehr Bänke 2" not in listed(planner.get(TEXTS + "?show=uncoded").get_data(as_text=True))
    assert listed(planner.get(TEXTS + "?show=hidden").get_data(as_text=True)) == ["Mehr Bänke 2"]
    assert coding.hidden_answer_ids(texts) == {target.id}
    assert db.session.scalar(select(Answer.id).where(coding.not_hidden(), Answer.id == target.id)) is None
    assert answered_base(texts) == base_before == 13
    # Still codable from the hidden list, and its category still counts.
    planner.post(TEXTS + "?show=hidden", data={"csrf_token": token(planner, TEXTS), "answer": ref,
                                               "action": "save", "category": "seating"})
    assert coding.coded_counts(texts) == {("change_wishes", "126", "seating"): 1}
    planner.post(TEXTS + "?show=hidden", data={"csrf_token": token(planner, TEXTS), "answer": ref, "action": "unhide"})
    assert coding.hidden_answer_ids(texts) == set()
    assert "Mehr Bänke 2" in listed(planner.get(TEXTS).get_data(as_text=True))
    assert actions()[-3:] == ["answer.hide", "answer.code", "answer.unhide"]
    hide = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "answer.hide")).one()
    assert hide.target == f"answer:{target.id}" and hide.user_id is not None and "Bänke" not in hide.summary


def test_coded_counts_are_responses_per_question_quarter_and_category(app, texts):
    seating = coding.create_category(texts, "seating", {"de": "Sitzplätze"})
    cafe = coding.create_category(texts, "cafe", {"de": "Café"})
    transport = coding.create_category(texts, "transport", {"de": "Bus und Bahn"})
    for i in range(3):
        coding.set_answer_categories(texts, answer(f"Mehr Bänke {i}"), ["seating"])
    coding.set_answer_categories(texts, answer("Ein Café 0"), ["cafe", "seating"])
    coding.set_answer_categories(texts, answer("Spielplatz"), ["seating"])
    for i in range(4):
        coding.set_answer_categories(texts, answer(f"Busse {i}"), ["transport"])
    coding.hide_answer(texts, answer("Busse 0"))  # hidden answers keep counting
    db.session.commit()
    assert coding.coded_counts(texts) == {
        ("change_wishes", "126", "seating"): 4, ("change_wishes", "126", "cafe"): 1,
        ("change_wishes", "127", "seating"): 1, ("change_wishes", "214", "transport"): 4,
    }
    assert coding.category_codes(texts) == ["seating", "cafe", "transport"]
    assert coding.category_labels(texts, "en") == {"seating": "Sitzplätze", "cafe": "Café", "transport": "Bus und Bahn"}
    by_response = coding.response_categories(texts)
    cafe_response = answer("Ein Café 0").response_id
    assert by_response[(cafe_response, "change_wishes")] == ["seating", "cafe"]
    assert len(by_response) == 9
    summary = coding.text_summary(texts)["change_wishes"]
    # 13 texts, one hidden; of the 12 shown, 8 carry a category: published, so 12 and 4 within D
    # (4 below k: not shown) and the one hidden not shown.
    assert abs(summary.shown - 12) <= D and summary.shown >= 5
    assert summary.uncoded is None or abs(summary.uncoded - 4) <= D
    assert summary.hidden is None
    assert {seating.id, cafe.id, transport.id} == {c.id for c in coding.survey_categories(texts)}


def test_posts_without_a_csrf_token_are_refused(app, planner, texts):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    add_category(planner, "seating", "Sitzplätze")
    ref = coding.answer_ref(answer("Mehr Bänke 0").id)
    assert planner.post(TEXTS, data={"answer": ref, "action": "hide"}).status_code == 400
    assert planner.post(TEXTS, data={"csrf_token": "forged", "answer": ref, "action": "save",
                                     "category": "seating"}).status_code == 400
    assert planner.post(CATEGORIES, data={"action": "create", "code": "cafe", "label-de": "Café"}).status_code == 400
    assert coding.hidden_answer_ids(texts) == set() and coding.category_codes(texts) == ["seating"]
    assert db.session.scalars(select(AnswerCoding)).all() == []


def test_a_planner_of_another_district_is_refused_and_one_of_the_survey_district_may_code(app, client, texts):
    nord, cannstatt = (db.session.scalar(select(District).where(District.code == c)) for c in ("02", "06"))
    texts.consultation.quarters = nord.quarters[:]
    for email, district in (("nord@example.org", nord), ("cannstatt@example.org", cannstatt)):
        user = accounts.create_user(email, "a-long-password", "planner")
        user.is_city_wide = False
        user.districts = [district]
    db.session.commit()
    other = log_in(app.test_client(), "cannstatt@example.org", "a-long-password")
    other.get("/results/?lang=en")
    form = {"csrf_token": token(other, "/results/"), "answer": coding.answer_ref(answer("Spielplatz").id),
            "action": "hide"}
    for url in (TEXTS, "/results/quarter-needs/texts", CATEGORIES):
        assert other.get(url).status_code == 403, url
    assert other.post(TEXTS, data=form).status_code == 403
    assert other.post(CATEGORIES, data={**form, "action": "create", "code": "x", "label-de": "X"}).status_code == 403
    assert coding.hidden_answer_ids(texts) == set() and coding.category_codes(texts) == []
    own = log_in(client, "nord@example.org", "a-long-password")
    own.get("/results/?lang=en")
    assert own.post(TEXTS, data={**form, "csrf_token": token(own, TEXTS)}).status_code == 302
    assert coding.hidden_answer_ids(texts) == {answer("Spielplatz").id}


def test_small_quarters_get_no_list_and_neither_does_a_quarter_that_would_give_them_away(planner, texts):
    # 127 has two texts (fewer than k = 5). 126 has six, but district 02 minus 126 would be 127's
    # two texts, so 126 is withheld as well; the district's list is shown.
    assert coding.withheld_areas(texts, "change_wishes") >= {("quarter", "127"), ("quarter", "126")}
    for area in ("quarter:127", "quarter:126"):
        html = planner.get(f"{TEXTS}?area={area}").get_data(as_text=True)
        assert listed(html) == [], area
        assert "fewer than 5 people answered this question there" in html
        assert f'href="{TEXTS}?area=district:02"' in html  # choose the district instead
        assert "Spielplatz" not in html and "Mehr Bänke" not in html
    district = listed(planner.get(f"{TEXTS}?area=district:02").get_data(as_text=True))
    assert len(district) == 8 and "Spielplatz" in district
    assert len(listed(planner.get(f"{TEXTS}?area=quarter:214").get_data(as_text=True))) == 5
    assert ("district", "02") not in coding.withheld_areas(texts, "change_wishes")


def test_responses_without_a_quarter_cannot_be_worked_out_from_the_city_list(app, placement, today):
    # City: 5 in 126 (district 02), 6 in 214 (district 06), 2 without a quarter. The city's list
    # minus both districts' lists would be those two: the smaller district is withheld, quarters and all.
    add_responses(placement, today, [{"change_wishes": f"a{i}"} for i in range(5)]
                  + [{"change_wishes": f"b{i}", "home_quarter": "214"} for i in range(6)]
                  + [{"change_wishes": f"c{i}", "home_quarter": "elsewhere"} for i in range(2)])
    withheld = coding.withheld_areas(placement.survey, "change_wishes")
    assert ("district", "02") in withheld and ("quarter", "126") in withheld
    assert ("district", "06") not in withheld and ("quarter", "214") not in withheld


def test_texts_are_escaped_and_listed_alphabetically_not_in_the_order_given(planner, texts):
    html = planner.get(TEXTS).get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    texts_listed = listed(html)
    assert texts_listed == sorted(texts_listed, key=str.lower)
    assert texts_listed[:4] == ["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "Busse 0", "Busse 1", "Busse 2"]
    ids = {str(a.id) for a in db.session.scalars(select(Answer))}
    refs = re.findall(r'name="answer" value="([^"]+)"', html)
    assert len(refs) == 13 and not set(refs) & ids


def test_a_long_list_has_pages_of_fifty_with_a_next_link(planner, placement, today):
    add_responses(placement, today, [{"change_wishes": f"Wunsch {i:03d}"} for i in range(55)])
    first = planner.get(TEXTS).get_data(as_text=True)
    assert listed(first) == [f"Wunsch {i:03d}" for i in range(50)]
    assert f'href="{TEXTS}?page=2" rel="next"' in first
    second = planner.get(f"{TEXTS}?page=2").get_data(as_text=True)
    assert listed(second) == [f"Wunsch {i:03d}" for i in range(50, 55)]
    assert 'rel="next"' not in second and f'href="{TEXTS}" rel="prev"' in second and 'start="51"' in second


def test_after_a_change_the_list_comes_back_where_it_was_and_never_follows_a_foreign_url(planner, texts):
    add_category(planner, "seating", "Sitzplätze")
    ref = coding.answer_ref(answer("Spielplatz").id)
    page = planner.post(f"{TEXTS}?area=district:02&show=uncoded&page=1&next=https://evil.example/",
                        data={"csrf_token": token(planner, TEXTS), "answer": ref, "action": "save",
                              "category": "seating", "next": "https://evil.example/"})
    assert page.status_code == 302
    assert page.location == f"{TEXTS}?area=district:02&show=uncoded#answers"
    odd = planner.post(f"{TEXTS}?area=quarter:999&show=<b>&page=-3",
                       data={"csrf_token": token(planner, TEXTS), "answer": ref, "action": "save"})
    assert odd.location == f"{TEXTS}#a-{ref}"
    unknown = planner.post(TEXTS, data={"csrf_token": token(planner, TEXTS), "answer": "nope", "action": "hide"})
    assert unknown.status_code == 404


def test_the_overview_lists_the_text_questions_with_their_counts(planner, texts):
    html = planner.get("/results/quarter-needs/texts").get_data(as_text=True)
    assert f'href="{TEXTS}"' in html and 'id="q-other_need"' in html
    assert 'id="q-living_satisfaction"' not in html
    shown = int(re.search(r"Texts: (\d+)", html).group(1))  # published: 13 changed by at most D
    assert abs(shown - 13) <= D and "Hidden: <span class=\"suppressed\">not shown</span>" in html
    assert planner.get("/results/quarter-needs/texts/no_such_question").status_code == 404


def test_every_control_of_the_list_and_category_pages_has_a_label(planner, texts):
    add_category(planner, "seating", "Sitzplätze")
    for url in (TEXTS, CATEGORIES, "/results/quarter-needs/texts"):
        html = planner.get(url).get_data(as_text=True)
        main = html.split('<main id="main"', 1)[1]
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", main):
            if 'type="hidden"' in control:
                continue
            control_id = re.search(r'id="([^"]+)"', control).group(1)
            assert f'for="{control_id}"' in main, (url, control)
        assert main.count("<fieldset") == main.count("<legend")
        assert html.count("<h1") == 1


def test_deleting_a_response_or_a_survey_category_takes_its_codes_and_hidden_mark_along(app, texts):
    seating = coding.create_category(texts, "seating", {"de": "Sitzplätze"})
    coding.create_category(texts, "cafe", {"de": "Café"})
    bench, cafe = answer("Mehr Bänke 0"), answer("Ein Café 0")
    coding.set_answer_categories(texts, bench, ["seating", "cafe"])
    coding.set_answer_categories(texts, cafe, ["cafe"])
    coding.hide_answer(texts, bench)
    db.session.commit()
    db.session.delete(bench.response)
    db.session.commit()
    assert db.session.scalars(select(HiddenAnswer)).all() == []
    assert [c.answer_id for c in db.session.scalars(select(AnswerCoding))] == [cafe.id]
    db.session.execute(TextCategory.__table__.delete().where(TextCategory.id != seating.id))
    db.session.commit()
    assert db.session.scalars(select(AnswerCoding)).all() == []


def code_answers(client, texts_and_codes):
    """Code each answer (by its text) with the given category codes through the list page."""
    for text, codes in texts_and_codes.items():
        ref = coding.answer_ref(answer(text).id)
        client.post(TEXTS, data={"csrf_token": token(client, TEXTS), "answer": ref, "action": "save",
                                 "category": codes})


def test_categories_are_counted_like_options_on_the_results_page_and_in_the_export(planner, texts):
    """Six wishes in 126 coded seating (3) and cafe (3), one in 127 seating, Hallschlag's five
    all bus: categories are counted and published like options, on the page and in the export."""
    add_category(planner, "seating", "Sitzplätze", "Seating")
    add_category(planner, "cafe", "Café", "Café")
    add_category(planner, "bus", "Bus", "Bus")
    code_answers(planner, {**{f"Mehr Bänke {i}": ["seating"] for i in range(3)},
                           **{f"Ein Café {i}": ["cafe"] for i in range(3)},
                           **{f"Busse {i}": ["bus"] for i in range(5)},
                           "Spielplatz": ["seating"]})
    result = next(r for r in survey_results(texts).questions if r.question.code == "change_wishes")
    assert result.option_codes == ["seating", "cafe", "bus"]
    city, q126, q214 = (result.areas[key] for key in [("city", ""), ("quarter", "126"), ("quarter", "214")])
    from tests.figures import plausible
    for figure, truth in ((city.options["seating"], 4), (city.options["bus"], 5), (city.options["cafe"], 3),
                          (q126.options["seating"], 3), (q126.options["cafe"], 3), (q214.options["bus"], 5)):
        assert plausible(figure.shown, truth)
    if not city.options["bus"].hidden:  # a share of those who wrote a wish (13), as published
        assert city.options["bus"].share == pytest.approx(city.options["bus"].count / city.base.count)
    assert q126.options["cafe"].hidden or q126.options["cafe"].count >= 5
    html = planner.get("/results/quarter-needs?area=quarter:214&lang=en").get_data(as_text=True)
    section = html[html.index('id="q-change_wishes"'):]
    section = section[:section.index("</section>")]
    bus_cell = "not shown" if q214.options["bus"].hidden else str(q214.options["bus"].count)
    assert re.search(r"<th scope=\"row\">Bus</th>\s*<td>(<span[^>]*>)?" + bus_cell, section)
    assert "Read, code and hide the text answers" in section
    rows = list(csv.DictReader(io.StringIO(planner.get("/results/quarter-needs/aggregates.csv").get_data(as_text=True))))
    bus = [r for r in rows if r["question_code"] == "change_wishes" and r["option_code"] == "bus"
           and r["level"] == "quarter" and r["quarter_code"] == "214"]
    assert len(bus) == 1 and bus[0]["count"] == ("" if q214.options["bus"].hidden else str(q214.options["bus"].count))



def test_a_question_fewer_than_k_wrote_to_shows_no_count_and_no_list(planner, placement, today):
    """Two texts in the whole city: the results hide the question's count, so the texts page
    does not show it either, and no list — not even the city's — gives the two texts away."""
    add_responses(placement, today, [{"change_wishes": "Ein Platz im Frauenhaus"}, {"change_wishes": "Mehr Licht"}]
                  + [{"living_satisfaction": "4"}] * 8)
    overview = planner.get("/results/quarter-needs/texts").get_data(as_text=True)
    assert re.search(r"Texts: <span class=\"suppressed\">not shown</span>", overview)
    assert "Texts: 2" not in overview
    for area in ("", "?area=quarter:126", "?area=district:02"):
        html = planner.get(TEXTS + area).get_data(as_text=True)
        assert listed(html) == [] and "Frauenhaus" not in html, area
        assert "fewer than 5 people answered this question there" in html
        assert "Show the texts for Stuttgart" not in html  # no link round in a circle
