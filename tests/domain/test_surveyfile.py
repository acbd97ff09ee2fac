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
