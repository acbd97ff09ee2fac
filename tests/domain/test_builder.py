"""The builder's edits, the versioning rule and translation completeness."""
import pytest

from app.domain.builder import (
    BuilderError,
    completeness,
    delete_question,
    is_structural,
    move_question,
    options_text,
    parse_option_lines,
    parse_options,
    put_question,
    set_texts,
)
from app.domain.definition import OptionDef, QuestionDef
from tests.conftest import load_template


def test_options_are_written_as_code_and_label_lines_keeping_other_languages():
    existing = [OptionDef("bus", {"de": "Bus", "tr": "Otobüs"})]
    options = parse_options("bus: Busse\n\n  park = Grünflächen  ", "de", existing)
    assert options == [OptionDef("bus", {"de": "Busse", "tr": "Otobüs"}), OptionDef("park", {"de": "Grünflächen"})]
    assert options_text(options, "de") == "bus: Busse\npark: Grünflächen"
    with pytest.raises(BuilderError):
        parse_options("Bus ohne Code", "de")
    with pytest.raises(BuilderError):
        parse_options("a: A\na: B", "de")


@pytest.mark.parametrize("kind", ["single_choice", "multiple_choice", "priority", "scale", "number",
                                  "short_text", "long_text", "yes_no", "quarter"])
def test_every_question_type_can_be_added_moved_and_deleted(kind):
    defn = load_template("meeting-place")
    options = [OptionDef("a", {"de": "A"}), OptionDef("b", {"de": "B"})] if kind in ("single_choice", "multiple_choice", "priority") else []
    settings = {"max_picks": 1} if kind == "priority" else ({"min": 1, "max": 5} if kind == "scale" else {})
    new = put_question(defn, QuestionDef(f"new_{kind}", kind, {"de": "Neu"}, options=options, settings=settings))
    assert new.questions[-1].code == f"new_{kind}" and defn.questions[-1].code != f"new_{kind}"
    moved = move_question(new, f"new_{kind}", -1)
    assert moved.questions[-2].code == f"new_{kind}"
    assert [q.code for q in delete_question(moved, f"new_{kind}").questions] == [q.code for q in defn.questions]


def test_a_duplicate_name_or_a_choice_question_without_choices_is_refused():
    defn = load_template("meeting-place")
    with pytest.raises(BuilderError):
        put_question(defn, QuestionDef(defn.questions[0].code, "short_text", {"de": "x"}))
    with pytest.raises(BuilderError):
        put_question(defn, QuestionDef("x", "single_choice", {"de": "x"}, options=[OptionDef("a")]))


def test_text_changes_are_not_structural_but_new_options_or_types_are():
    defn = load_template("meeting-place")
    typo = set_texts(defn, "de", {f"{defn.questions[0].code}.label": "Wie oft kommen Sie her?"})
    assert not is_structural(defn, typo) and typo != defn
    retyped = put_question(defn, QuestionDef(defn.questions[-1].code, "short_text", {"de": "x"}),
                           replacing=defn.questions[-1].code)
    assert is_structural(defn, retyped)
    first = defn.questions[0]
    more = put_question(defn, QuestionDef(first.code, first.type, first.label,
                                          options=first.options + [OptionDef("daily", {"de": "täglich"})]),
                        replacing=first.code)
    assert is_structural(defn, more)
    assert is_structural(defn, move_question(defn, first.code, 1))


def test_completeness_counts_the_texts_a_language_lacks():
    defn = load_template("meeting-place")
    done, total = completeness(defn, "tr")
    assert done == total > 10
    fewer = set_texts(defn, "tr", {"title": ""})
    assert completeness(fewer, "tr") == (total - 1, total)
    assert completeness(defn, "hu") == (0, total)  # a language no text is written in yet


def test_a_line_ending_in_three_underscores_marks_the_other_option_and_is_written_back_so():
    existing = [OptionDef("other", {"de": "Sonstiges", "tr": "Başka bir şey:"})]
    options, other = parse_option_lines("bus: Bus\nother: Anderes, und zwar: ___\npark: Park", "de", existing)
    assert other == "other"
    assert options[1] == OptionDef("other", {"de": "Anderes, und zwar:", "tr": "Başka bir şey:"})
    text = options_text(options, "de", other)
    assert text == "bus: Bus\nother: Anderes, und zwar: ___\npark: Park"
    assert parse_option_lines(text, "de", options) == (options, "other")
    # More underscores and no space work too; two underscores are part of the label.
    assert parse_option_lines("a: A\nb: Etwas anderes:_____", "de") == (
        [OptionDef("a", {"de": "A"}), OptionDef("b", {"de": "Etwas anderes:"})], "b")
    assert parse_option_lines("a: A\nb: B__", "de")[1] is None
    assert parse_options("a: A\nb: B ___", "de")[1] == OptionDef("b", {"de": "B"})


@pytest.mark.parametrize("lines, problem", [
    ("a: A ___\nb: B ___", "other_twice"),
    ("a: A\nb: ___", "line 2"),
])
def test_two_other_lines_or_an_other_line_without_text_are_refused(lines, problem):
    with pytest.raises(BuilderError) as caught:
        parse_option_lines(lines, "de")
    assert str(caught.value) == problem and caught.value.field == "options"


def test_an_other_option_is_refused_on_a_priority_question_and_marking_one_is_structural():
    defn = load_template("meeting-place")
    options = [OptionDef("a", {"de": "A"}), OptionDef("b", {"de": "B"})]
    with pytest.raises(BuilderError) as caught:
        put_question(defn, QuestionDef("top", "priority", {"de": "Top"}, options=options,
                                       settings={"max_picks": 1, "other": "b"}))
    assert str(caught.value) == "other_type"
    visits = defn.question("visits")
    marked = put_question(defn, QuestionDef(visits.code, visits.type, visits.label, required=visits.required,
                                            options=visits.options, settings={"other": visits.options[-1].code}),
                          replacing=visits.code)
    assert is_structural(defn, marked)
