"""The survey builder in the browser's terms: create, every question type, order, conditions,
translations side by side with the opening gate, versions, preview."""
import re

import pytest
from sqlalchemy import select

from app.db import db
from app.models import AuditEntry, Consultation, Survey
from app.models.surveys import version_definition
from tests.conftest import hidden_fields

QUESTIONS = [
    {"type": "single_choice", "code": "visits", "label": "Wie oft kommen Sie?", "options": "often: Oft\nrarely: Selten", "required": "y"},
    {"type": "multiple_choice", "code": "times", "label": "Wann passt es?", "options": "morning: Morgens\nevening: Abends"},
    {"type": "priority", "code": "wishes", "label": "Was fehlt?", "options": "cafe: Café\nadvice: Beratung\nsport: Sport", "max_picks": "2"},
    {"type": "scale", "code": "comfort", "label": "Wie wohl fühlen Sie sich?", "scale_min": "1", "scale_max": "5", "min_label": "gar nicht", "max_label": "sehr"},
    {"type": "number", "code": "minutes", "label": "Wie viele Minuten Weg?", "number_min": "0", "number_max": "120"},
    {"type": "short_text", "code": "one_word", "label": "Ein Wort?"},
    {"type": "long_text", "code": "wish", "label": "Ihr Wunsch?", "relevant": "${visits} = 'often'"},
    {"type": "yes_no", "code": "reachable", "label": "Gut erreichbar?"},
    {"type": "quarter", "code": "home", "label": "Wo wohnen Sie?"},
]


@pytest.fixture
def coordinator(login, stuttgart):
    return login("coordinator")


def post_form(client, url, data):
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data={**fields, **data})


def act(client, url):
    """POST a button form (its CSRF token taken from the workspace page)."""
    token = hidden_fields(client.get("/manage/").get_data(as_text=True))["csrf_token"]
    return client.post(url, data={"csrf_token": token})


def new_survey(client, code="treff-umfrage", languages=("en",)):
    page = post_form(client, "/manage/surveys/new", {"title": "Unser Treffpunkt", "code": code,
                                                       "default_language": "de", "languages": list(languages)})
    assert page.status_code == 302, page.get_data(as_text=True)[:2000]
    return Survey.by_code(code)


def test_a_coordinator_builds_a_survey_with_every_question_type(coordinator):
    survey = new_survey(coordinator)
    assert survey.consultation.status == "draft" and survey.languages == ["de", "en"]
    for question in QUESTIONS:
        page = post_form(coordinator, f"/manage/surveys/{survey.code}/questions/new?type={question['type']}", question)
        assert page.status_code == 302, (question["code"], re.findall(r'class="error"[^>]*>(.*?)</p>', page.get_data(as_text=True), re.S))
    act(coordinator, f"/manage/surveys/{survey.code}/questions/first_question/delete")
    defn = version_definition(Survey.by_code(survey.code).current_version)
    assert [q.code for q in defn.questions] == [q["code"] for q in QUESTIONS]
    wishes = defn.question("wishes")
    assert wishes.settings == {"max_picks": 2} and [o.code for o in wishes.options] == ["cafe", "advice", "sport"]
    assert defn.question("comfort").settings["max_label"] == {"de": "sehr"}
    assert defn.question("visits").required and defn.question("wish").relevant == "${visits} = 'often'"
    act(coordinator, f"/manage/surveys/{survey.code}/questions/times/up")
    defn = version_definition(Survey.by_code(survey.code).current_version)
    assert [q.code for q in defn.questions][:2] == ["times", "visits"]
    assert Survey.by_code(survey.code).current_version.number == 1  # a draft changes freely


def test_a_condition_on_a_later_or_unknown_question_is_refused(coordinator):
    survey = new_survey(coordinator)
    page = post_form(coordinator, f"/manage/surveys/{survey.code}/questions/new?type=short_text",
                     {"type": "short_text", "code": "why", "label": "Warum?", "relevant": "${nothing} = 'x'"})
    assert page.status_code == 422 and 'id="relevant-error"' in page.get_data(as_text=True)
    page = post_form(coordinator, f"/manage/surveys/{survey.code}/questions/new?type=short_text",
                     {"type": "short_text", "code": "why", "label": "Warum?", "relevant": "${x = "})
    assert page.status_code == 422


def test_a_choice_question_without_two_answers_is_refused_with_a_message(coordinator):
    survey = new_survey(coordinator)
    page = post_form(coordinator, f"/manage/surveys/{survey.code}/questions/new?type=single_choice",
                     {"type": "single_choice", "code": "one", "label": "Eins?", "options": "only: Nur eine"})
    assert page.status_code == 422 and 'id="options-error"' in page.get_data(as_text=True)


def test_a_survey_opens_only_when_every_language_is_complete(coordinator, app):
    survey = new_survey(coordinator)
    post_form(coordinator, f"/manage/surveys/{survey.code}/questions/new?type=yes_no",
              {"type": "yes_no", "code": "likes", "label": "Gefällt es Ihnen?"})
    consultation_id = survey.consultation_id
    token = hidden_fields(coordinator.get("/manage/").get_data(as_text=True))["csrf_token"]
    page = coordinator.post(f"/manage/consultations/{consultation_id}/status", data={"csrf_token": token, "status": "open"})
    assert page.status_code == 302
    assert db.session.get(Consultation, consultation_id).status == "draft"
    translate = coordinator.get(f"/manage/surveys/{survey.code}/translate/en").get_data(as_text=True)
    names = re.findall(r'name="(t:[^"]+)"', translate)
    assert "t:title" in names and "t:likes.label" in names
    texts = {"t:title": "Our meeting place", "t:first_question.label": "Our meeting place", "t:likes.label": "Do you like it?"}
    post_form(coordinator, f"/manage/surveys/{survey.code}/translate/en", texts)
    coordinator.post(f"/manage/consultations/{consultation_id}/status", data={"csrf_token": token, "status": "open"})
    assert db.session.get(Consultation, consultation_id).status == "open"


def test_once_answered_a_typo_fix_stays_in_the_version_and_a_new_option_makes_a_new_version(coordinator, placement, answer):
    code = placement.survey.code
    answer(placement, {"q_living_satisfaction": "4", "q_get_involved": placement.survey.current_version.questions[4].options[0].code})
    post_form(coordinator, f"/manage/surveys/{code}/translate/en", {"t:title": "What does your quarter need, really?"})
    survey = Survey.by_code(code)
    assert survey.current_version.number == 1
    assert survey.current_version.title["en"] == "What does your quarter need, really?"
    question = survey.current_version.questions[4]
    options = "\n".join(f"{o.code}: {o.label['de']}" for o in question.options) + "\nneu: Etwas Neues"
    page = post_form(coordinator, f"/manage/surveys/{code}/questions/{question.code}",
                     {"type": question.type, "code": question.code, "label": question.label["de"], "options": options})
    assert page.status_code == 302
    survey = Survey.by_code(code)
    assert [v.number for v in survey.versions] == [1, 2]
    assert "neu" in [o.code for o in survey.current_version.questions[4].options]
    assert "neu" not in [o.code for o in survey.versions[0].questions[4].options]
    summaries = [e.summary for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert any("texts" in s for s in summaries) and any("new_version" in s for s in summaries)


def test_the_preview_shows_the_residents_page_in_a_frame_and_stores_nothing(coordinator, placement):
    code = placement.survey.code
    page = coordinator.get(f"/manage/surveys/{code}/preview/ar")
    assert '<iframe class="phone-frame"' in page.get_data(as_text=True)
    frame = coordinator.get(f"/manage/surveys/{code}/preview/ar/frame")
    html = frame.get_data(as_text=True)
    assert frame.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert placement.survey.current_version.title["ar"] in html
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert re.search(r'<button type="submit" class="primary" disabled>', html)


def test_survey_files_and_xlsforms_round_trip_through_upload_and_download(coordinator, placement):
    import io

    from openpyxl import load_workbook

    from app.domain import surveyfile, xlsform
    code = placement.survey.code
    yaml_file = coordinator.get(f"/manage/surveys/{code}/export.yaml")
    xlsx_file = coordinator.get(f"/manage/surveys/{code}/export.xlsx")
    assert surveyfile.load(yaml_file.get_data(as_text=True)).questions == version_definition(placement.survey.current_version).questions
    sheets = load_workbook(io.BytesIO(xlsx_file.data)).sheetnames
    assert {"survey", "choices", "settings"} <= set(sheets)
    # Change the code and import the XLSForm as a new survey.
    defn = xlsform.from_xlsform(xlsx_file.data).definition
    defn.code = "needs-copy"
    token = hidden_fields(coordinator.get("/manage/surveys/import").get_data(as_text=True))["csrf_token"]
    page = coordinator.post("/manage/surveys/import", data={"csrf_token": token, "file": (io.BytesIO(xlsform.to_xlsform(defn)), "copy.xlsx")},
                            content_type="multipart/form-data")
    assert page.status_code == 302, page.get_data(as_text=True)[:3000]
    copy = Survey.by_code("needs-copy")
    assert version_definition(copy.current_version).questions == defn.questions


def test_a_broken_upload_is_refused_with_its_problems_and_nothing_stored(coordinator):
    import io
    token = hidden_fields(coordinator.get("/manage/surveys/import").get_data(as_text=True))["csrf_token"]
    page = coordinator.post("/manage/surveys/import", data={"csrf_token": token, "file": (io.BytesIO(b"PK\x03\x04 not a zip"), "form.xlsx")},
                            content_type="multipart/form-data")
    assert page.status_code == 422 and "error-summary" in page.get_data(as_text=True)
    bad_yaml = b"code: x\nlanguages: [de]\ndefault_language: de\nquestions:\n  - name: a\n    type: nope\n"
    page = coordinator.post("/manage/surveys/import", data={"csrf_token": token, "file": (io.BytesIO(bad_yaml), "x.yaml")},
                            content_type="multipart/form-data")
    assert page.status_code == 422 and "unknown type" in page.get_data(as_text=True)
    assert Survey.by_code("x") is None


def test_titles_texts_and_the_time_window_are_edited_and_the_window_is_respected(coordinator, placement, client):
    from datetime import date, timedelta
    code = placement.survey.code
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    page = post_form(coordinator, f"/manage/surveys/{code}/settings",
                     {"consultation_title": "Bedarfsbefragung 2027", "title": "Was fehlt bei Ihnen?",
                      "intro": "Fünf Minuten.", "thanks": "Danke!", "opens_on": tomorrow})
    assert page.status_code == 302
    survey = Survey.by_code(code)
    assert survey.consultation.title["de"] == "Bedarfsbefragung 2027" and survey.current_version.title["de"] == "Was fehlt bei Ihnen?"
    assert survey.current_version.title["en"]  # other languages untouched
    assert survey.current_version.number == 1  # texts only
    assert coordinator.application.test_client().get(f"/{placement.token}").status_code == 403  # not yet open
    assert survey.one_question_per_page is None  # long surveys: one question per page
    page = post_form(coordinator, f"/manage/surveys/{code}/settings",
                     {"consultation_title": "Bedarfsbefragung 2027", "title": "Was fehlt bei Ihnen?", "layout": "all"})
    assert page.status_code == 302 and Survey.by_code(code).one_question_per_page is False
    assert '<option selected value="all">' in coordinator.get(f"/manage/surveys/{code}/settings").get_data(as_text=True)
    wrong = post_form(coordinator, f"/manage/surveys/{code}/settings",
                      {"consultation_title": "x", "title": "y", "opens_on": tomorrow, "closes_on": date.today().isoformat()})
    assert wrong.status_code == 422 and 'id="closes_on-error"' in wrong.get_data(as_text=True)


def test_a_survey_file_larger_than_the_residents_body_limit_can_be_uploaded(coordinator, placement):
    import io

    from app.domain import surveyfile
    defn = version_definition(placement.survey.current_version)
    defn.code = "large-copy"
    text = surveyfile.dump(defn) + "# " + "x" * 400_000 + "\n"  # e.g. a long comment block
    token = hidden_fields(coordinator.get("/manage/surveys/import").get_data(as_text=True))["csrf_token"]
    page = coordinator.post("/manage/surveys/import", data={"csrf_token": token,
                            "file": (io.BytesIO(text.encode()), "large.yaml")}, content_type="multipart/form-data")
    assert page.status_code == 302 and Survey.by_code("large-copy") is not None
    too_big = "# " + "x" * (6 * 1024 * 1024)
    page = coordinator.post("/manage/surveys/import", data={"csrf_token": token,
                            "file": (io.BytesIO(too_big.encode()), "huge.yaml")}, content_type="multipart/form-data")
    assert page.status_code == 413


def test_a_coordinator_marks_the_other_answer_with_underscores_and_sees_it_again(coordinator):
    survey = new_survey(coordinator)
    url = f"/manage/surveys/{survey.code}/questions/new?type=multiple_choice"
    form = coordinator.get(url).get_data(as_text=True)
    assert "___" in form and 'aria-describedby="options-help"' in form  # the help says how, tied to the field
    page = post_form(coordinator, url, {"type": "multiple_choice", "code": "places", "label": "Wo treffen Sie andere?",
                                        "options": "park: Im Park\nother: Woanders, und zwar: ___"})
    assert page.status_code == 302, re.findall(r'class="error"[^>]*>(.*?)</p>', page.get_data(as_text=True), re.S)
    question = version_definition(Survey.by_code(survey.code).current_version).question("places")
    assert question.other_code == "other"
    assert question.other_option.label == {"de": "Woanders, und zwar:"}
    edit = coordinator.get(f"/manage/surveys/{survey.code}/questions/places").get_data(as_text=True)
    assert "other: Woanders, und zwar: ___</textarea>" in edit
    assert "other ___" in coordinator.get(f"/manage/surveys/{survey.code}/edit").get_data(as_text=True)
    # Taking the underscores away removes the text field again; the answer stays.
    page = post_form(coordinator, f"/manage/surveys/{survey.code}/questions/places",
                     {"type": "multiple_choice", "code": "places", "label": "Wo treffen Sie andere?",
                      "options": "park: Im Park\nother: Woanders"})
    assert page.status_code == 302
    question = version_definition(Survey.by_code(survey.code).current_version).question("places")
    assert question.other_option is None and [o.code for o in question.options] == ["park", "other"]


@pytest.mark.parametrize("kind, options, extra", [
    ("priority", "a: A\nb: B ___", {"max_picks": "1"}),
    ("single_choice", "a: A ___\nb: B ___", {}),
])
def test_an_other_answer_on_a_priority_question_or_twice_is_refused_at_the_answers(coordinator, kind, options, extra):
    survey = new_survey(coordinator)
    page = post_form(coordinator, f"/manage/surveys/{survey.code}/questions/new?type={kind}",
                     {"type": kind, "code": "q", "label": "Frage?", "options": options, **extra})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and 'id="options-error"' in html and "___" in html.split('id="options-error"')[1][:300]
    assert 'aria-describedby="options-help options-error"' in html


def test_an_xlsform_with_or_other_is_imported_with_an_other_answer_labelled_from_the_interface(coordinator):
    import io

    from openpyxl import Workbook
    workbook = Workbook()
    survey_sheet = workbook.active
    survey_sheet.title = "survey"
    for row in (["type", "name", "label::English (en)", "label::Magyar (hu)", "label::فارسی (fa)"],
                ["select_one c or_other", "colour", "Colour?", "Szín?", "رنگ؟"]):
        survey_sheet.append(row)
    choices = workbook.create_sheet("choices")
    for row in (["list_name", "name", "label::English (en)", "label::Magyar (hu)", "label::فارسی (fa)"],
                ["c", "red", "Red", "Piros", "قرمز"], ["c", "blue", "Blue", "Kék", "آبی"]):
        choices.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "default_language"])
    settings.append(["colours", "English (en)"])
    data = io.BytesIO()
    workbook.save(data)
    token = hidden_fields(coordinator.get("/manage/surveys/import").get_data(as_text=True))["csrf_token"]
    page = coordinator.post("/manage/surveys/import", data={"csrf_token": token, "file": (io.BytesIO(data.getvalue()), "colours.xlsx")},
                            content_type="multipart/form-data")
    assert page.status_code == 302, page.get_data(as_text=True)[:3000]
    question = version_definition(Survey.by_code("colours").current_version).question("colour")
    # English and Persian from the interface catalogs; Hungarian has none: left for the translation page.
    assert question.other_option.code == "other" and question.other_option.label == {"en": "Other", "fa": "سایر"}
