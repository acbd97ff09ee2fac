"""XLSForm import and export: our surveys round-trip, KoboToolbox/ODK forms made by hand import
with what was left out reported by row, and malformed files are refused cleanly."""
import copy
import io
import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.domain import surveyfile
from app.domain.definition import DefinitionError, OptionDef, QuestionDef, SurveyDef
from app.domain.xlsform import MAX_ROWS, ImportResult, decode_tags, encode_tags, from_xlsform, language_code, to_xlsform

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"
TEMPLATES = ["quarter-needs", "meeting-place"]


def template(name: str) -> SurveyDef:
    """A shipped survey template."""
    return surveyfile.load((SURVEYS / f"{name}.yaml").read_text(encoding="utf-8"))


def xlsx(survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None,
         names=("survey", "choices", "settings")) -> bytes:
    """A workbook with the given sheets (each a list of rows, the header first)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in zip(names, (survey, choices, settings)):
        if rows is None:
            continue
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes, name: str) -> list[list]:
    """The rows of sheet ``name`` of an xlsx file, trailing empty cells dropped."""
    rows = []
    for row in load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


def by_column(data: bytes, name: str) -> list[dict]:
    """The rows of sheet ``name`` as ``{column title: value}``."""
    header, *rows = sheet_rows(data, name)
    return [dict(zip(header, row)) for row in rows]


def one_question_survey(*questions: QuestionDef, languages=("de", "en")) -> SurveyDef:
    return SurveyDef(code="test-survey", default_language=languages[0], languages=list(languages),
                     title={code: f"Title {code}" for code in languages}, questions=list(questions))


# --- Export --------------------------------------------------------------------------------


def test_export_writes_a_text_column_per_language_named_with_its_own_name_and_code():
    header = sheet_rows(to_xlsform(template("quarter-needs")), "survey")[0]
    assert header[:7] == ["type", "name", "label::Deutsch (de)", "label::Leichte Sprache (de-x-ls)",
                          "label::English (en)", "label::Türkçe (tr)", "label::العربية (ar)"]
    for column in ("hint::Deutsch (de)", "required", "relevant", "quartiersstimme_type", "max_picks",
                   "min", "max", "min_label::English (en)", "max_label::العربية (ar)", "tags"):
        assert column in header


def test_export_maps_each_question_type_to_its_xlsform_type():
    rows = {row["name"]: row for row in by_column(to_xlsform(template("quarter-needs")), "survey")}
    assert rows["home_quarter"]["type"] == "select_one quarter"
    assert rows["living_satisfaction"]["type"] == "select_one living_satisfaction"
    assert rows["meeting_places"]["type"] == "select_multiple meeting_places or_other"
    assert rows["help_nearby"]["type"] == "select_one yes_no"
    assert rows["get_involved"]["type"] == "select_one get_involved"
    assert (rows["top_needs"]["type"], rows["top_needs"]["constraint"], rows["top_needs"]["max_picks"]) == \
        ("select_multiple top_needs", "count-selected(.) <= 3", 3)
    assert (rows["minutes_to_stop"]["type"], rows["minutes_to_stop"]["constraint"]) == \
        ("integer", ". >= 0 and . <= 60")
    assert (rows["other_need"]["type"], rows["other_need"]["appearance"]) == ("text", None)
    assert (rows["change_wishes"]["type"], rows["change_wishes"]["appearance"]) == ("text", "multiline")
    assert {name: row["quartiersstimme_type"] for name, row in rows.items()}["top_needs"] == "priority"
    assert rows["living_satisfaction"]["required"] == "yes"
    assert rows["living_satisfaction"]["min_label::Deutsch (de)"] == "Gar nicht gern"
    assert rows["age_band"]["tags"] == "respondent=true"


def test_export_writes_a_scale_as_choices_labelled_with_their_numbers():
    choices = [row for row in by_column(to_xlsform(template("quarter-needs")), "choices")
               if row["list_name"] == "living_satisfaction"]
    assert [row["name"] for row in choices] == ["1", "2", "3", "4", "5"]
    assert all(row["label::Türkçe (tr)"] == row["name"] for row in choices)


def test_export_writes_one_shared_yes_no_list_and_no_quarter_list():
    choices = by_column(to_xlsform(template("quarter-needs")), "choices")
    yes_no = [(row["name"], row["label::Deutsch (de)"], row["label::English (en)"])
              for row in choices if row["list_name"] == "yes_no"]
    assert yes_no == [("yes", "Ja", "Yes"), ("no", "Nein", "No")]
    assert not [row for row in choices if row["list_name"] == "quarter"]


def test_export_settings_name_the_form_its_default_language_and_our_texts():
    defn = template("meeting-place")
    settings = by_column(to_xlsform(defn, version="2026041301"), "settings")
    assert len(settings) == 1
    row = settings[0]
    assert row["form_id"] == "meeting-place"
    assert row["form_title"] == defn.title["de"]
    assert row["default_language"] == "Deutsch (de)"
    assert row["version"] == "2026041301"
    assert row["intro::English (en)"] == defn.intro["en"]
    assert row["thanks::العربية (ar)"] == defn.thanks["ar"]
    assert row["consultation_code"] == "meeting-place-2026"


def test_a_question_named_like_the_shared_yes_no_list_does_not_collide_with_it():
    defn = one_question_survey(
        QuestionDef("yes_no", "single_choice", label={"de": "A", "en": "A"},
                    options=[OptionDef("a", {"de": "a", "en": "a"}), OptionDef("b", {"de": "b", "en": "b"})]),
        QuestionDef("kids", "yes_no", label={"de": "K", "en": "K"}))
    data = to_xlsform(defn)
    types = [row["type"] for row in by_column(data, "survey")]
    assert types == ["select_one yes_no", "select_one yes_no_2"]
    assert from_xlsform(data).definition == defn


def test_texts_that_start_with_an_equals_sign_are_written_as_texts_not_formulas():
    label = {"de": '=HYPERLINK("https://example.org")', "en": "=1+1"}
    defn = one_question_survey(QuestionDef("q", "short_text", label=label))
    data = to_xlsform(defn)
    sheet = load_workbook(io.BytesIO(data))["survey"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert from_xlsform(data).definition == defn


# --- Round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATES)
def test_shipped_template_round_trips_through_xlsform(name):
    defn = template(name)
    result = from_xlsform(to_xlsform(defn))
    assert result.definition == defn
    assert result.skipped == []


@pytest.mark.parametrize("name, question, relevant", [
    ("quarter-needs", "other_need", "selected(${top_needs}, 'doctors') or ${help_nearby} = 'no'"),
    ("meeting-place", "wish", "${visits} != 'first_time' and not(${comfort} >= 4)"),
])
def test_a_template_with_a_condition_round_trips_through_xlsform(name, question, relevant):
    defn = template(name)
    defn.question(question).relevant = relevant
    result = from_xlsform(to_xlsform(defn))
    assert result.definition.question(question).relevant == relevant
    assert result.definition == defn
    assert result.skipped == []


def test_every_setting_and_tag_type_round_trips():
    defn = one_question_survey(
        QuestionDef("age", "number", label={"de": "Alter", "en": "Age"}, settings={"min": 0},
                    tags={"respondent": True, "weight": 2, "share": 0.5, "year": "2024", "flag": "true",
                          "odd": "a;b=c\\d", "quoted": '"x"'}),
        QuestionDef("mood", "scale", label={"de": "Laune", "en": "Mood"}),
        QuestionDef("mood10", "scale", label={"de": "L", "en": "M"},
                    settings={"min": 0, "max": 10, "min_label": {"de": "schlecht", "en": "bad"}}),
        QuestionDef("picks", "priority", label={"de": "W", "en": "P"}, required=True,
                    options=[OptionDef(c, {"de": c.upper(), "en": c}) for c in ("a", "b", "c")],
                    settings={"max_picks": 2}, relevant="${age} >= 18 and ${mood} != ''"),
        QuestionDef("note", "long_text", label={"de": "Notiz", "en": "Note"}, hint={"en": "Only English"}),
        languages=("en", "de"))
    assert from_xlsform(to_xlsform(defn)).definition == defn


def test_tags_encode_and_decode_with_escapes_and_types():
    tags = {"field": "housing", "respondent": True, "n": 3, "year": "2024", "odd": "a;b=c\\d"}
    assert decode_tags(encode_tags(tags)) == tags
    assert decode_tags("field=housing; respondent ;n=3") == {"field": "housing", "respondent": True, "n": 3}
    assert decode_tags("") == {}


def test_an_export_without_our_columns_still_imports_the_same_question_types():
    defn = template("quarter-needs")
    defn.questions = [q for q in defn.questions if q.type != "quarter"]  # ODK needs the quarter list
    data = to_xlsform(defn)
    ours = ("quartiersstimme_type", "max_picks", "min", "max", "min_label", "max_label", "tags")
    rows = sheet_rows(data, "survey")
    keep = [i for i, title in enumerate(rows[0]) if title.split("::")[0] not in ours]
    stripped = xlsx([[row[i] if i < len(row) else None for i in keep] for row in rows],
                    sheet_rows(data, "choices"), sheet_rows(data, "settings"))
    imported = from_xlsform(stripped).definition
    assert [q.type for q in imported.questions] == [q.type for q in defn.questions]
    # XLSForm's own picture column carries the pictograms: top_needs keeps them.
    assert imported.question("top_needs").settings == {"max_picks": 3, "icons": defn.question("top_needs").settings["icons"]}
    assert imported.question("minutes_to_stop").settings == {"min": 0, "max": 60}
    assert imported.question("living_satisfaction").settings == {"min": 1, "max": 5}


# --- Import of hand-made KoboToolbox / ODK forms -------------------------------------------

KOBO_SURVEY = [
    ["type", "name", "label::English (en)", "label::Deutsch (de)", "hint::English (en)", "required",
     "relevant", "appearance", "calculation"],
    ["start", "start"],                                                                   # row 2
    ["note", "welcome", "Welcome!", "Willkommen!"],                                       # row 3
    ["begin group", "family", "Your family", "Ihre Familie"],                             # row 4
    ["select_one yes_no", "has_children", "Do you have children?", "Haben Sie Kinder?",
     None, "yes"],                                                                        # row 5
    ["integer", "children_count", "How many?", "Wie viele?", "Count all of them", "TRUE",
     "${has_children} = 'yes'"],                                                          # row 6
    ["end group"],                                                                        # row 7
    ["geopoint", "location", "Where do you live?", "Wo wohnen Sie?"],                     # row 8
    ["calculate", "double_count", None, None, None, None, None, None,
     "${children_count} * 2"],                                                            # row 9
    ["select_multiple needs", "needs", "What is missing?", "Was fehlt?", None, True],     # row 10
    ["text", "comments", "Anything else?", "Sonst noch etwas?", None, "false",
     "selected(${needs}, 'other')", "multiline"],                                         # row 11
    [],                                                                                   # row 12
    ["decimal", "height", "Your height", "Ihre Größe"],                                   # row 13
    ["end", "end"],                                                                       # row 14
]
KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Deutsch (de)"],
    ["yes_no", "yes", "Yes", "Ja"],
    ["yes_no", "no", "No", "Nein"],
    ["needs", "doctors", "Doctors", "Ärzte"],
    ["needs", "childcare", "Childcare", "Kinderbetreuung"],
    ["needs", "other", "Something else", "Etwas anderes"],
]
KOBO_SETTINGS = [["form_title", "form_id", "default_language"],
                 ["Family needs", "family_needs", "English (en)"]]


@pytest.fixture
def kobo() -> ImportResult:
    """The hand-made KoboToolbox-style form above, imported."""
    return from_xlsform(xlsx(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))


def test_a_kobo_form_imports_its_questions_in_order_with_mapped_types(kobo):
    defn = kobo.definition
    assert [(q.code, q.type) for q in defn.questions] == [
        ("has_children", "yes_no"), ("children_count", "number"),
        ("needs", "multiple_choice"), ("comments", "long_text")]


def test_a_kobo_form_keeps_each_language_of_its_labels_and_hints(kobo):
    defn = kobo.definition
    assert (defn.code, defn.default_language, defn.languages) == ("family_needs", "en", ["en", "de"])
    assert defn.title == {"en": "Family needs"}
    assert defn.question("has_children").label == {"en": "Do you have children?", "de": "Haben Sie Kinder?"}
    assert defn.question("children_count").hint == {"en": "Count all of them"}
    assert defn.question("needs").options == [
        OptionDef("doctors", {"en": "Doctors", "de": "Ärzte"}),
        OptionDef("childcare", {"en": "Childcare", "de": "Kinderbetreuung"}),
        OptionDef("other", {"en": "Something else", "de": "Etwas anderes"})]
    assert defn.question("has_children").options == []  # yes/no labels come from the interface


def test_a_kobo_form_reads_required_as_yes_true_or_a_boolean_cell(kobo):
    assert [q.required for q in kobo.definition.questions] == [True, True, True, False]


def test_a_kobo_form_keeps_its_relevant_conditions(kobo):
    defn = kobo.definition
    assert defn.question("children_count").relevant == "${has_children} = 'yes'"
    assert defn.question("comments").relevant == "selected(${needs}, 'other')"
    assert defn.question("has_children").relevant == ""


def test_a_kobo_form_reports_each_unsupported_row_by_its_spreadsheet_row(kobo):
    assert kobo.skipped == [
        "survey row 2: type 'start' is not supported",
        "survey row 3: type 'note' is not supported",
        "survey row 8: type 'geopoint' is not supported",
        "survey row 9: type 'calculate' is not supported",
        "survey row 13: type 'decimal' is not supported (Quartiersstimme collects whole numbers only)",
        "survey row 14: type 'end' is not supported",
    ]


def test_labels_without_a_language_are_in_the_default_language():
    data = xlsx([["type", "name", "label"], ["text", "q", "Frage"]],
                settings=[["default_language"], ["Türkçe (tr)"]])
    defn = from_xlsform(data).definition
    assert (defn.default_language, defn.languages) == ("tr", ["tr"])
    assert defn.questions[0].label == {"tr": "Frage"}


def test_a_form_without_any_language_is_taken_as_german():
    defn = from_xlsform(xlsx([["type", "name", "label"], ["text", "q", "Frage"]])).definition
    assert (defn.default_language, defn.languages, defn.code) == ("de", ["de"], "imported-survey")


def test_column_names_are_read_in_any_case_and_languages_by_their_common_names():
    data = xlsx([["TYPE", "Name", "Label::German", "LABEL::Turkish", "Label::العربية", "Required"],
                 ["Select_One colours", "colour", "Farbe", "Renk", "لون", "TRUE"]],
                [["List_Name", "NAME", "label::German", "label::Turkish", "label::Arabic"],
                 ["colours", "red", "Rot", "Kırmızı", "أحمر"],
                 ["colours", "blue", "Blau", "Mavi", "أزرق"]],
                names=("Survey", "CHOICES", "settings"))
    defn = from_xlsform(data).definition
    assert (defn.default_language, defn.languages) == ("de", ["de", "tr", "ar"])
    question = defn.questions[0]
    assert (question.type, question.required) == ("single_choice", True)
    assert question.label == {"de": "Farbe", "tr": "Renk", "ar": "لون"}
    assert question.options[1] == OptionDef("blue", {"de": "Blau", "tr": "Mavi", "ar": "أزرق"})


@pytest.mark.parametrize("title, code", [("Deutsch (de)", "de"), ("Deutsch (DE)", "de"), ("pt_BR (pt_BR)", "pt-BR"),
                                         ("English", "en"), ("german", "de"),
                                         ("Farsi", "fa"), ("Українська", "uk"), ("Greek", "el"),
                                         ("Română", "ro"), ("Srpski (sr)", "sr"), ("Klingon", None)])
def test_language_columns_are_recognised_by_code_or_by_name(title, code):
    assert language_code(title) == code


def test_a_column_in_an_unknown_language_is_reported_and_left_out():
    result = from_xlsform(xlsx([["type", "name", "label::English (en)", "label::Klingon"],
                                ["text", "q", "Question", "tlhIngan"]]))
    assert result.definition.languages == ["en"]
    assert result.skipped == ["survey column 4 (label::Klingon): language 'Klingon' is not known; "
                              "write it with its code, e.g. 'Deutsch (de)'",
                              "settings: no form_id; the survey code is 'imported-survey'"]


def test_a_groups_relevant_applies_to_every_question_inside_it():
    survey = [["type", "name", "label", "relevant"],
              ["select_one yn", "adult", "Adult?"],
              ["begin_group", "g1", "Group", "${adult} = 'yes'"],
              ["text", "job", "Job?"],
              ["begin group", "g2", "Inner", "${job} != ''"],
              ["text", "where", "Where?", "${adult} != 'no'"],
              ["end group"],
              ["end_group"],
              ["text", "after", "After?"]]
    choices = [["list_name", "name", "label"], ["yn", "yes", "Ja"], ["yn", "no", "Nein"]]
    result = from_xlsform(xlsx(survey, choices, [["form_id"], ["groups"]]))
    relevant = {q.code: q.relevant for q in result.definition.questions}
    assert relevant == {"adult": "", "job": "${adult} = 'yes'",
                        "where": "(${adult} = 'yes') and (${job} != '') and (${adult} != 'no')",
                        "after": ""}
    assert result.skipped == []


def test_a_relevant_that_does_not_parse_is_reported_and_dropped_but_the_question_kept():
    result = from_xlsform(xlsx([["type", "name", "label", "relevant"],
                                ["integer", "age", "Age"],
                                ["text", "job", "Job?", "${age} >= 18 and string-length(${age}) > 0"]],
                               settings=[["form_id"], ["s"]]))
    assert [q.code for q in result.definition.questions] == ["age", "job"]
    assert result.definition.question("job").relevant == ""
    assert len(result.skipped) == 1
    assert result.skipped[0].startswith("survey row 3: relevant '${age} >= 18 and string-length(${age}) > 0' "
                                        "is not understood ('string-length' is not supported")


def test_a_relevant_on_a_skipped_or_later_question_is_reported_and_dropped():
    result = from_xlsform(xlsx([["type", "name", "label", "relevant", "calculation"],
                                ["calculate", "twice", None, None, "${age} * 2"],
                                ["text", "job", "Job?", "${twice} > 30"],
                                ["text", "hobby", "Hobby?", "${age} >= 18"],
                                ["integer", "age", "Age"]],
                               settings=[["form_id"], ["s"]]))
    assert [q.relevant for q in result.definition.questions] == ["", "", ""]
    assert result.skipped == [
        "survey row 2: type 'calculate' is not supported",
        "survey row 3: relevant: unknown question 'twice'; the condition is dropped",
        "survey row 4: relevant: 'age' comes later (question 3); a condition may only depend on "
        "earlier questions; the condition is dropped",
    ]


def test_xlsform_constraints_become_our_settings():
    survey = [["type", "name", "label", "constraint", "parameters"],
              ["select_multiple needs", "top", "Top two", "count-selected(.) <= 2"],
              ["select_multiple needs", "under", "Fewer than 3", "count-selected(.) < 3"],
              ["integer", "age", "Age", ". >= 16 and . < 100"],
              ["integer", "kids", "Kids", ". > ${age}"],
              ["range", "mood", "Mood", None, "start=0 end=10 step=1"]]
    choices = [["list_name", "name", "label"], ["needs", "a", "A"], ["needs", "b", "B"], ["needs", "c", "C"]]
    result = from_xlsform(xlsx(survey, choices, [["form_id"], ["s"]]))
    settings = {q.code: (q.type, q.settings) for q in result.definition.questions}
    assert settings == {"top": ("priority", {"max_picks": 2}), "under": ("priority", {"max_picks": 2}),
                        "age": ("number", {"min": 16, "max": 99}), "kids": ("number", {}),
                        "mood": ("scale", {"min": 0, "max": 10})}
    assert result.skipped == ["survey row 5: constraint '. > ${age}' is not supported; dropped"]


def test_a_range_with_a_step_other_than_one_is_reported_and_skipped():
    result = from_xlsform(xlsx([["type", "name", "label", "parameters"],
                                ["range", "r", "R", "start=0 end=10 step=2"], ["text", "t", "T"]],
                               settings=[["form_id"], ["s"]]))
    assert [q.code for q in result.definition.questions] == ["t"]
    assert result.skipped == ["survey row 2: a range needs whole-number start and end and step 1; skipped"]


def test_a_yes_no_list_with_a_third_choice_stays_a_single_choice():
    choices = [["list_name", "name", "label"],
               ["yn", "yes", "Yes"], ["yn", "no", "No"], ["yn", "dont_know", "?"]]
    defn = from_xlsform(xlsx([["type", "name", "label"], ["select_one yn", "q", "Q"]], choices)).definition
    assert defn.questions[0].type == "single_choice"
    assert [o.code for o in defn.questions[0].options] == ["yes", "no", "dont_know"]


def test_numbered_categories_with_real_labels_are_not_taken_for_a_scale():
    choices = [["list_name", "name", "label"],
               ["mode", "1", "Bus"], ["mode", "2", "Car"], ["mode", "3", "Bike"]]
    with pytest.raises(DefinitionError) as caught:
        from_xlsform(xlsx([["type", "name", "label"], ["select_one mode", "mode", "How?"]], choices))
    assert "survey row 2: question 1 (mode): choice name '1' must be lower-case letters, digits and _" \
        in caught.value.problems


def test_repeats_and_dynamic_required_are_reported():
    survey = [["type", "name", "label", "required"],
              ["begin repeat", "people", "Person"],
              ["select_one c", "colour", "Colour", "${x} = 'a'"],
              ["end repeat"]]
    choices = [["list_name", "name", "label"], ["c", "red", "Red"], ["c", "blue", "Blue"]]
    result = from_xlsform(xlsx(survey, choices, [["form_id"], ["s"]]))
    assert [q.code for q in result.definition.questions] == ["colour"]
    assert result.definition.questions[0].required is False
    assert result.skipped == [
        "survey row 2: type 'begin repeat' is not supported; its questions are imported once",
        "survey row 3: required \"${x} = 'a'\" is not supported; the question is optional",
    ]


# --- An "other" choice with a text field (XLSForm's or_other) ------------------------------


def other_survey() -> SurveyDef:
    labels = {"de": "Anderes, und zwar:", "en": "Something else:"}
    return one_question_survey(
        QuestionDef("visits", "single_choice", label={"de": "Wie oft?", "en": "How often?"},
                    options=[OptionDef("weekly", {"de": "Wöchentlich", "en": "Weekly"}),
                             OptionDef("other", dict(labels))], settings={"other": "other"}),
        QuestionDef("places", "multiple_choice", label={"de": "Wo?", "en": "Where?"},
                    options=[OptionDef("sonstiges", dict(labels)), OptionDef("park", {"de": "Park", "en": "Park"})],
                    settings={"other": "sonstiges"}))


def test_an_other_choice_named_other_is_exported_as_or_other_with_its_labels_kept():
    data = to_xlsform(other_survey())
    rows = {row["name"]: row for row in by_column(data, "survey")}
    assert rows["visits"]["type"] == "select_one visits or_other"
    assert rows["visits"].get("other_choice") is None
    # Another code cannot be or_other (which always means "other"): our own column names it.
    assert (rows["places"]["type"], rows["places"]["other_choice"]) == ("select_multiple places", "sonstiges")
    choices = [(row["list_name"], row["name"], row["label::Deutsch (de)"]) for row in by_column(data, "choices")]
    assert ("visits", "other", "Anderes, und zwar:") in choices


def test_other_choices_round_trip_through_xlsform():
    defn = other_survey()
    result = from_xlsform(to_xlsform(defn))
    assert result.definition == defn and result.skipped == []
    assert result.definition.question("places").other_option.code == "sonstiges"


def test_or_other_in_a_hand_made_form_adds_an_other_choice_labelled_in_each_language():
    survey = [["type", "name", "label::Deutsch (de)", "label::Türkçe (tr)", "label::فارسی (fa)"],
              ["select_one c or_other", "colour", "Farbe", "Renk", "رنگ"],
              ["select_multiple c or_other", "colours", "Farben", "Renkler", "رنگ‌ها"]]
    choices = [["list_name", "name", "label::Deutsch (de)", "label::Türkçe (tr)", "label::فارسی (fa)"],
               ["c", "red", "Rot", "Kırmızı", "قرمز"], ["c", "blue", "Blau", "Mavi", "آبی"]]
    catalog = {"de": "Anderes", "tr": "Diğer"}  # what the interface catalog knows; no Persian
    result = from_xlsform(xlsx(survey, choices, [["form_id"], ["s"]]), other_label=lambda lang: catalog.get(lang, ""))
    for code in ("colour", "colours"):
        question = result.definition.question(code)
        assert [o.code for o in question.options] == ["red", "blue", "other"]
        assert question.other_option.label == {"de": "Anderes", "tr": "Diğer"}
    assert result.skipped == []
    # Without a catalog, XLSForm's own English label.
    plain = from_xlsform(xlsx(survey, choices, [["form_id"], ["s"]])).definition
    assert plain.question("colour").other_option.label == {"de": "Other", "tr": "Other", "fa": "Other"}


def test_or_other_marks_an_other_choice_the_list_already_has_and_makes_yes_no_a_single_choice():
    survey = [["type", "name", "label"], ["select_one yn or_other", "q", "Frage?"]]
    choices = [["list_name", "name", "label"], ["yn", "yes", "Ja"], ["yn", "no", "Nein"],
               ["yn", "other", "Etwas anderes:"]]
    question = from_xlsform(xlsx(survey, choices)).definition.question("q")
    assert (question.type, question.other_code) == ("single_choice", "other")
    assert question.other_option.label == {"de": "Etwas anderes:"}
    survey = [["type", "name", "label"], ["select_one yn or_other", "q", "Frage?"]]
    question = from_xlsform(xlsx(survey, choices[:3])).definition.question("q")
    assert [o.code for o in question.options] == ["yes", "no", "other"] and question.type == "single_choice"


def test_or_other_on_a_priority_question_is_reported_and_left_out():
    survey = [["type", "name", "label", "constraint"],
              ["select_multiple c or_other", "top", "Top", "count-selected(.) <= 2"]]
    choices = [["list_name", "name", "label"], ["c", "a", "A"], ["c", "b", "B"], ["c", "c", "C"]]
    result = from_xlsform(xlsx(survey, choices, [["form_id"], ["s"]]))
    question = result.definition.question("top")
    assert question.type == "priority" and question.other_option is None
    assert [o.code for o in question.options] == ["a", "b", "c"]
    assert result.skipped == ["survey row 2: an 'other' choice with a text field works with single and "
                              "multiple choice only, not priority; imported without it"]


def test_a_form_id_that_is_not_a_valid_code_is_made_into_one_and_reported():
    result = from_xlsform(xlsx([["type", "name", "label"], ["text", "q", "Q"]],
                               settings=[["form_id", "form_title"], ["Bürger Umfrage 2026", "T"]]))
    assert result.definition.code == "burger-umfrage-2026"
    assert result.skipped == ["settings: form_id 'Bürger Umfrage 2026' is not a valid survey code; "
                              "the survey code is 'burger-umfrage-2026'"]


# --- Refusing what cannot be read ----------------------------------------------------------


def test_a_structurally_invalid_survey_is_refused_with_its_rows():
    with pytest.raises(DefinitionError) as caught:
        from_xlsform(xlsx([["type", "name", "label"],
                           ["text", "Age", "Age"],
                           ["select_one missing", "colour", "Colour"],
                           ["text", "", "No name"]]))
    problems = caught.value.problems
    assert "survey row 3: list 'missing' is not on the choices sheet" in problems
    assert "survey row 4: a question needs a name" in problems
    assert "survey row 2: question 1 (Age): name must be lower-case letters, digits and _" in problems
    assert "survey row 3: question 2 (colour): needs at least two choices" in problems


def test_our_type_column_must_fit_the_xlsform_type():
    with pytest.raises(DefinitionError) as caught:
        from_xlsform(xlsx([["type", "name", "label", "quartiersstimme_type"], ["text", "q", "Q", "number"]]))
    assert "survey row 2: quartiersstimme_type 'number' does not fit type 'text'" in caught.value.problems


def test_a_form_of_only_unsupported_rows_is_refused_and_says_why():
    with pytest.raises(DefinitionError) as caught:
        from_xlsform(xlsx([["type", "name"], ["start", "start"], ["geopoint", "where"]]))
    assert "questions: a survey needs at least one question" in caught.value.problems
    assert "survey row 3: type 'geopoint' is not supported" in caught.value.problems


@pytest.mark.parametrize("data, message", [
    (b"", "not an xlsx file"),
    (b"type,name,label\ntext,q,Q\n", "not an xlsx file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "not an xlsx file"),   # old .xls
    (b"PK\x03\x04 this is not really a zip", "not a readable xlsx file"),
])
def test_malformed_bytes_are_refused_with_a_definition_error(data, message):
    with pytest.raises(DefinitionError) as caught:
        from_xlsform(data)
    assert caught.value.problems[0].startswith(message)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(DefinitionError, match="not a readable xlsx file"):
        from_xlsform(buffer.getvalue())


def test_text_instead_of_bytes_is_refused():
    with pytest.raises(DefinitionError, match="not an xlsx file"):
        from_xlsform("type,name")


def test_a_workbook_without_a_survey_sheet_is_refused():
    with pytest.raises(DefinitionError, match="no 'survey' sheet"):
        from_xlsform(xlsx([["type", "name"], ["text", "q"]], names=("Sheet1",)))


@pytest.mark.parametrize("header, missing", [(["name", "label"], "type"), (["type", "label"], "name")])
def test_a_survey_sheet_without_type_or_name_column_is_refused(header, missing):
    with pytest.raises(DefinitionError) as caught:
        from_xlsform(xlsx([header, ["text", "q"]]))
    assert caught.value.problems == [f"survey sheet: column '{missing}' is missing"]


def test_a_file_over_five_megabytes_is_refused_before_it_is_opened():
    with pytest.raises(DefinitionError, match="larger than 5 MB"):
        from_xlsform(b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))


def test_a_sheet_over_five_thousand_rows_is_refused():
    rows = [["type", "name", "label"]] + [["text", f"q{i}", "Q"] for i in range(MAX_ROWS)]
    with pytest.raises(DefinitionError, match="more than 5000 rows"):
        from_xlsform(xlsx(rows))


def test_a_zip_bomb_is_refused_by_its_unpacked_size():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (60 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(DefinitionError, match="unpacks to more than 50 MB"):
        from_xlsform(data)


def test_damaged_workbooks_raise_only_definition_errors():
    good = to_xlsform(template("meeting-place"))
    rng = random.Random(20260413)
    damaged = [good[:cut] for cut in (10, 100, 1000, len(good) // 2, len(good) - 10)]
    for _ in range(40):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        damaged.append(bytes(data))
    for data in damaged:
        try:
            from_xlsform(data)
        except DefinitionError:
            pass


def test_an_import_does_not_change_the_survey_it_came_from():
    defn = template("meeting-place")
    before = copy.deepcopy(defn)
    from_xlsform(to_xlsform(defn))
    assert defn == before


def test_pictograms_travel_in_the_picture_column_and_unknown_pictures_are_reported():
    defn = template("quarter-needs")
    choices = by_column(to_xlsform(defn), "choices")
    doctor = next(row for row in choices if row["list_name"] == "top_needs" and row["name"] == "doctors")
    assert doctor["image"] == "doctor.svg"
    rows = sheet_rows(to_xlsform(defn), "choices")
    column = rows[0].index("image")
    for row in rows[1:]:
        if len(row) > column and row[column] == "doctor.svg":
            row[column] = "my-photo.jpg"
    result = from_xlsform(xlsx(sheet_rows(to_xlsform(defn), "survey"), rows, sheet_rows(to_xlsform(defn), "settings")))
    assert "doctors" not in result.definition.question("top_needs").settings["icons"]
    assert any("'my-photo.jpg' is not one of the shipped pictograms" in note for note in result.skipped)
