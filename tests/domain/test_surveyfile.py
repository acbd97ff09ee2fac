"""The survey file format: shipped templates are complete and round-trip; problems are located."""
import pytest

from app.domain import surveyfile
from app.domain.definition import DefinitionError, missing_translations
from tests.conftest import load_template

TEMPLATES = ["quarter-needs", "meeting-place"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_shipped_template_has_every_text_in_every_language_it_offers(name):
    defn = load_template(name)
    assert {"de", "en", "tr", "ar"} <= set(defn.languages)
    assert missing_translations(defn) == []
    assert all(defn.thanks.get(language) for language in defn.languages)


@pytest.mark.parametrize("name", TEMPLATES)
def test_shipped_template_round_trips_through_dump_and_load(name):
    defn = load_template(name)
    assert surveyfile.load(surveyfile.dump(defn)) == defn


def test_quarter_needs_covers_the_four_fields_of_action_and_offers_prefer_not_to_say():
    defn = load_template("quarter-needs")
    fields = {q.tags.get("field") for q in defn.questions}
    assert {"living_together", "participation", "social_infrastructure", "housing"} <= fields
    respondent = [q for q in defn.questions if q.is_respondent_question]
    assert {q.code for q in respondent} >= {"age_band", "household", "languages_spoken"}
    for question in respondent:
        assert "prefer_not_to_say" in [o.code for o in question.options]
    assert any(q.type == "quarter" for q in defn.questions)


def test_a_missing_translation_is_reported_with_its_place():
    defn = load_template("meeting-place")
    del defn.questions[0].label["tr"]
    assert missing_translations(defn) == [f"{defn.questions[0].code}.label: tr"]


def test_every_problem_of_a_bad_file_is_reported_with_its_question():
    text = """
code: bad
default_language: de
languages: [de]
questions:
  - name: Colour
    type: single_choice
    label: {de: Farbe}
    choices: [{name: red, label: {de: rot}}]
  - name: many
    type: priority
    max_picks: 5
    label: {de: Wahl}
    choices: [{name: a, label: {de: A}}, {name: b, label: {de: B}}]
  - name: when
    type: date
    label: {de: Wann}
"""
    with pytest.raises(DefinitionError) as caught:
        surveyfile.load(text)
    problems = caught.value.problems
    assert any("question 1 (Colour)" in p and "name" in p for p in problems)
    assert any("question 1 (Colour)" in p and "two choices" in p for p in problems)
    assert any("question 2 (many)" in p and "max_picks" in p for p in problems)
    assert any("question 3 (when)" in p and "unknown type" in p for p in problems)


def test_invalid_yaml_is_reported_with_line_and_column():
    with pytest.raises(DefinitionError) as caught:
        surveyfile.load("code: x\nquestions: [\n")
    assert "line" in caught.value.problems[0]


def test_yaml_tags_that_would_build_objects_are_refused():
    with pytest.raises(DefinitionError):
        surveyfile.load("!!python/object/apply:os.system ['echo hi']")


OTHER_FILE = """
code: places
default_language: de
languages: [de, en]
title: {{de: Orte, en: Places}}
questions:
  - name: places
    type: {kind}{extra}
    label: {{de: "Wo?", en: "Where?"}}
    choices:
      - name: park
        label: {{de: Im Park, en: In the park}}
      - name: elsewhere_named
        other: {flag}
        label: {{de: "Woanders, und zwar:", en: "Somewhere else:"}}
      - name: nowhere
        other: {second}
        label: {{de: Nirgends, en: Nowhere}}
"""


def test_an_other_choice_is_read_from_the_file_and_written_back_on_its_choice():
    text = OTHER_FILE.format(kind="multiple_choice", flag="true", second="false", extra="")
    defn = surveyfile.load(text)
    question = defn.question("places")
    assert question.other_code == "elsewhere_named"
    assert question.other_option.label == {"de": "Woanders, und zwar:", "en": "Somewhere else:"}
    assert not question.is_other("park") and not question.is_other("nowhere")
    dumped = surveyfile.dump(defn)
    assert dumped.count("other: true") == 1 and "other: elsewhere_named" not in dumped
    assert surveyfile.load(dumped) == defn
    assert surveyfile.to_data(defn)["questions"][0]["choices"][1] == {
        "name": "elsewhere_named", "label": {"de": "Woanders, und zwar:", "en": "Somewhere else:"}, "other": True}


@pytest.mark.parametrize("kind, flag, second, message", [
    ("single_choice", "true", "true",
     "question 1: only one choice can be the 'other' choice with a text field (marked other: true), "
     "not 2 (elsewhere_named, nowhere)"),
    ("priority", "true", "false",
     "question 1 (places): only single_choice and multiple_choice questions can have an 'other' choice "
     "with a text field, not priority"),
    ("multiple_choice", "yes please", "false", "question 1, choice 2: other must be true or false"),
])
def test_two_other_choices_or_other_on_another_type_are_refused_with_a_clear_message(kind, flag, second, message):
    extra = "\n    max_picks: 2" if kind == "priority" else ""
    text = OTHER_FILE.format(kind=kind, flag=flag, second=second, extra=extra)
    with pytest.raises(DefinitionError) as caught:
        surveyfile.load(text)
    assert message in caught.value.problems


def test_an_other_setting_naming_no_choice_is_a_problem_of_the_definition():
    from app.domain.definition import check
    defn = surveyfile.load(OTHER_FILE.format(kind="single_choice", flag="true", second="false", extra=""))
    defn.questions[0].settings["other"] = "gone"
    assert check(defn) == ["question 1 (places): the 'other' choice 'gone' is not one of the choices"]


@pytest.mark.parametrize("name, questions", [
    ("quarter-needs", {"meeting_places", "easier_to_take_part", "housing_problems"}),
    ("meeting-place", {"likes"})])
def test_shipped_templates_offer_other_with_a_text_where_a_list_cannot_be_complete(name, questions):
    defn = load_template(name)
    assert {q.code for q in defn.questions if q.other_option} == questions
    for code in questions:
        other = defn.question(code).other_option
        assert other.code == "other" and set(other.label) == set(defn.languages)
        assert other.label["de"].endswith(", und zwar:")
    # No free text beside questions about the person: it could single someone out.
    assert not any(q.other_option for q in defn.questions if q.is_respondent_question)
