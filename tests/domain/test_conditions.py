"""Conditions ("ask only if …"): parsed from a small grammar, evaluated with ODK's semantics,
checked against the survey, and never run as Python."""
import pytest

from app.domain import conditions
from app.domain.conditions import (
    And,
    Comparison,
    ConditionError,
    Literal,
    Not,
    Or,
    Ref,
    Selected,
    check,
    evaluate,
    parse,
    referenced,
)
from app.domain.definition import OptionDef, QuestionDef, SurveyDef


def holds(text: str, **answers) -> bool:
    """Parse ``text`` and evaluate it against ``answers`` (name → list of raw values)."""
    return evaluate(parse(text), answers)


# --- Parsing -------------------------------------------------------------------------------


def test_a_comparison_parses_into_a_reference_an_operator_and_a_literal():
    assert parse("${visits} = 'weekly'") == Comparison("=", Ref("visits"), Literal("weekly"))


def test_double_quotes_and_numbers_are_literals_too():
    assert parse('${a} != "x"') == Comparison("!=", Ref("a"), Literal("x"))
    assert parse("${minutes} >= 10.5") == Comparison(">=", Ref("minutes"), Literal("10.5", is_number=True))
    assert parse("${minutes} > -3") == Comparison(">", Ref("minutes"), Literal("-3", is_number=True))


def test_and_binds_tighter_than_or():
    condition = parse("${a} = 'x' or ${b} = 'y' and ${c} = 'z'")
    assert isinstance(condition, Or)
    assert condition.operands[0] == Comparison("=", Ref("a"), Literal("x"))
    assert isinstance(condition.operands[1], And)


def test_parentheses_group_before_and():
    condition = parse("(${a} = 'x' or ${b} = 'y') and ${c} = 'z'")
    assert isinstance(condition, And)
    assert isinstance(condition.operands[0], Or)


def test_not_and_selected_parse_into_their_nodes():
    assert parse("not(selected(${needs}, 'doctors'))") == Not(Selected("needs", "doctors"))


def test_referenced_lists_every_question_a_condition_uses():
    condition = parse("${a} = 'x' and not(selected(${b}, 'y') or ${c} > ${d})")
    assert referenced(condition) == {"a", "b", "c", "d"}


def test_referenced_ignores_literals():
    assert referenced(parse("'a' = 'a'")) == set()


@pytest.mark.parametrize("text, position", [
    ("${a} = ", 7),                      # nothing after the operator
    ("(${a} = 'x'", 11),                 # unclosed parenthesis
    ("${a} == 'x'", 5),                  # not XPath
    ("${a} = 'x", 7),                    # unclosed text
    ("${a = 'x'", 0),                    # unclosed reference
    ("${a}", 4),                         # a reference alone is not a condition
    ("${a} = 'x' 'y'", 11),              # two literals in a row
    ("${a} = 'x' and", 14),              # nothing after and
    ("count-selected(${a}) > 2", 0),     # a function we do not support
    (". > 3", 0),                        # the current node
    ("${a} = 'x' AND ${b} = 'y'", 11),   # keywords are lower-case, as in XPath
    ("selected(${a} 'x')", 14),          # missing comma
    ("", 0),
])
def test_bad_syntax_is_a_condition_error_with_its_position(text, position):
    with pytest.raises(ConditionError) as caught:
        parse(text)
    assert caught.value.position == position
    assert f"at character {position + 1}" in str(caught.value)


@pytest.mark.parametrize("text", [
    "__import__('os')",
    "__import__('os').system('touch /tmp/pwned')",
    "${a}.__class__ = 'x'",
    "open('/etc/passwd')",
    "1 if True else 0",
    "lambda: 1",
    "[x for x in ()]",
])
def test_python_code_is_a_syntax_error_not_something_run(text):
    with pytest.raises(ConditionError):
        parse(text)


def test_parse_never_calls_eval_or_exec(monkeypatch):
    import builtins

    def refuse(*args, **kwargs):
        raise AssertionError("conditions must not be evaluated as Python")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    assert holds("${a} = 'x' and not(${b} > 2)", a=["x"], b=["1"])


def test_very_deep_nesting_is_refused_instead_of_exhausting_the_stack():
    with pytest.raises(ConditionError, match="nested too deeply"):
        parse("not(" * 100 + "${a} = 'x'" + ")" * 100)


def test_reasonable_nesting_parses():
    condition = parse("not(" * 20 + "${a} = 'x'" + ")" * 20)
    assert referenced(condition) == {"a"}
    assert evaluate(condition, {"a": ["x"]}) is True   # an even number of nots


def test_a_very_long_condition_is_refused():
    with pytest.raises(ConditionError, match="at most"):
        parse(" or ".join(["${a} = 'x'"] * 500))


# --- Evaluation ----------------------------------------------------------------------------


def test_equals_compares_with_the_chosen_option_code():
    assert holds("${visits} = 'weekly'", visits=["weekly"])
    assert not holds("${visits} = 'weekly'", visits=["monthly"])


def test_not_equals_is_the_opposite_of_equals():
    assert holds("${visits} != 'weekly'", visits=["monthly"])
    assert not holds("${visits} != 'weekly'", visits=["weekly"])


@pytest.mark.parametrize("op, expected", [(">", [False, False, True]), (">=", [False, True, True]),
                                          ("<", [True, False, False]), ("<=", [True, True, False]),
                                          ("=", [False, True, False]), ("!=", [True, False, True])])
def test_numbers_compare_numerically(op, expected):
    assert [holds(f"${{minutes}} {op} 10", minutes=[value]) for value in ("9", "10", "11")] == expected


def test_numbers_compare_as_numbers_not_as_text():
    assert holds("${minutes} > 9", minutes=["10"])       # as text, "10" < "9"
    assert holds("${minutes} = 10", minutes=["10.0"])
    assert holds("${minutes} = '10'", minutes=[" 10 "])


def test_a_scale_answer_compares_with_its_point():
    assert holds("${satisfaction} >= 4", satisfaction=["5"])
    assert not holds("${satisfaction} >= 4", satisfaction=["2"])
    assert holds("${satisfaction} = '2'", satisfaction=["2"])


def test_unanswered_question_follows_odk_empty_value_semantics():
    assert not holds("${x} = 'a'")
    assert holds("${x} != 'a'")          # '' != 'a'
    assert holds("${x} = ''")
    assert not holds("${x} != ''")
    assert not holds("${x} > 1")
    assert not holds("${x} < 1")
    assert not holds("${x} >= 0", x=[])
    assert not holds("${x} <= 0", x=["", "  "])


def test_ordering_a_text_that_is_not_a_number_is_false():
    assert not holds("${x} > 1", x=["many"])
    assert not holds("${x} < 'b'", x=["a"])


def test_not_a_number_and_infinity_are_not_numbers():
    assert not holds("${x} > 1", x=["inf"])
    assert not holds("${x} = ${y}", x=["nan"], y=["NaN"])


def test_selected_tests_one_option_of_a_multiple_choice_answer():
    answers = {"needs": ["doctors", "childcare"]}
    assert evaluate(parse("selected(${needs}, 'childcare')"), answers)
    assert not evaluate(parse("selected(${needs}, 'shopping')"), answers)
    assert not evaluate(parse("selected(${other}, 'shopping')"), answers)


def test_a_multiple_answer_compares_as_its_codes_joined_by_spaces_as_in_odk():
    assert holds("${needs} = 'doctors childcare'", needs=["doctors", "childcare"])
    assert not holds("${needs} = 'doctors'", needs=["doctors", "childcare"])


def test_and_or_not_combine_as_in_logic():
    answers = {"a": ["x"], "b": ["y"]}
    assert evaluate(parse("${a} = 'x' and ${b} = 'y'"), answers)
    assert not evaluate(parse("${a} = 'x' and ${b} = 'z'"), answers)
    assert evaluate(parse("${a} = 'z' or ${b} = 'y'"), answers)
    assert not evaluate(parse("${a} = 'z' or ${b} = 'z'"), answers)
    assert evaluate(parse("not(${a} = 'z')"), answers)
    assert not evaluate(parse("not(${a} = 'x')"), answers)
    assert evaluate(parse("(${a} = 'z' or ${b} = 'y') and not(${a} = 'z')"), answers)


def test_a_literal_may_stand_on_the_left():
    assert holds("'weekly' = ${visits}", visits=["weekly"])
    assert holds("10 < ${minutes}", minutes=["12"])


# --- Checking a survey ---------------------------------------------------------------------


def survey(*questions: QuestionDef) -> SurveyDef:
    """A one-language survey of ``questions``."""
    return SurveyDef(code="s", default_language="de", languages=["de"], questions=list(questions))


def choice(code: str, *options: str, type: str = "single_choice", relevant: str = "") -> QuestionDef:
    return QuestionDef(code=code, type=type, options=[OptionDef(o, {"de": o}) for o in options],
                       relevant=relevant, settings={"max_picks": 1} if type == "priority" else {})


def test_a_survey_with_sound_conditions_has_no_problems():
    defn = survey(
        choice("visits", "weekly", "monthly"),
        QuestionDef("kids", "yes_no"),
        QuestionDef("satisfaction", "scale", settings={"min": 1, "max": 5}),
        choice("needs", "doctors", "childcare", type="multiple_choice"),
        QuestionDef("minutes", "number"),
        QuestionDef("home", "quarter"),
        QuestionDef("why", "long_text", relevant=(
            "${visits} = 'weekly' and ${kids} = 'yes' and ${satisfaction} <= 2 and "
            "selected(${needs}, 'doctors') and ${minutes} > 10 and ${home} = '126' and ${visits} != ''")),
    )
    assert check(defn) == []


def test_check_reports_a_condition_that_does_not_parse_with_its_question():
    defn = survey(choice("a", "x", "y"), QuestionDef("b", "short_text", relevant="${a} = "))
    assert check(defn) == ["question 2 (b): relevant: expected ${name}, a text or a number, "
                           "found the end at character 8"]


def test_check_reports_a_reference_to_an_unknown_question():
    defn = survey(choice("a", "x", "y"), QuestionDef("b", "short_text", relevant="${nope} = 'x'"))
    assert check(defn) == ["question 2 (b): relevant: unknown question 'nope'"]


def test_check_reports_a_reference_to_a_later_question():
    defn = survey(QuestionDef("a", "short_text", relevant="${b} = 'yes'"), QuestionDef("b", "yes_no"))
    problems = check(defn)
    assert len(problems) == 1
    assert problems[0].startswith("question 1 (a): relevant: 'b' comes later (question 2)")


def test_check_reports_a_question_that_depends_on_itself():
    defn = survey(QuestionDef("a", "yes_no", relevant="${a} = 'yes'"))
    assert check(defn) == ["question 1 (a): relevant: a question cannot depend on itself"]


def test_check_reports_an_option_code_the_question_does_not_offer():
    defn = survey(choice("visits", "weekly", "monthly"),
                  QuestionDef("b", "short_text", relevant="${visits} = 'daily'"))
    assert check(defn) == ["question 2 (b): relevant: 'daily' is not a choice of 'visits' (weekly, monthly)"]


def test_check_reports_unknown_codes_in_selected():
    defn = survey(choice("needs", "doctors", "childcare", type="priority"),
                  QuestionDef("b", "short_text", relevant="selected(${needs}, 'shopping')"))
    assert check(defn) == [
        "question 2 (b): relevant: 'shopping' is not a choice of 'needs' (doctors, childcare)"]


def test_yes_no_questions_offer_yes_and_no_only():
    defn = survey(QuestionDef("kids", "yes_no"),
                  QuestionDef("b", "short_text", relevant="${kids} = 'yes' or ${kids} = 'true'"))
    assert check(defn) == ["question 2 (b): relevant: 'true' is not a choice of 'kids' (yes, no)"]


def test_scale_questions_offer_their_points():
    defn = survey(QuestionDef("sat", "scale", settings={"min": 1, "max": 5}),
                  QuestionDef("b", "short_text", relevant="${sat} = 5 or ${sat} = '4' or ${sat} = 7"))
    assert check(defn) == ["question 2 (b): relevant: '7' is not a choice of 'sat' (1, 2, 3, 4, 5)"]


def test_quarter_codes_are_not_checked_because_the_consultation_supplies_them():
    defn = survey(QuestionDef("home", "quarter"), QuestionDef("b", "short_text", relevant="${home} = '999'"))
    assert check(defn) == []


def test_ordering_a_choice_question_is_reported():
    defn = survey(choice("visits", "weekly", "monthly"),
                  QuestionDef("b", "short_text", relevant="${visits} > 'monthly'"))
    assert check(defn) == [
        "question 2 (b): relevant: > compares numbers, but 'visits' is single_choice; use = or !="]


def test_selected_on_a_text_question_is_reported():
    defn = survey(QuestionDef("name", "short_text"),
                  QuestionDef("b", "yes_no", relevant="selected(${name}, 'x')"))
    assert check(defn) == [
        "question 2 (b): relevant: selected() needs a choice question; 'name' is short_text"]


def test_problems_of_gives_one_questions_problems_without_a_prefix():
    defn = survey(QuestionDef("a", "yes_no"), QuestionDef("b", "yes_no", relevant="${c} = 'x'"))
    assert conditions.problems_of(defn, defn.questions[1]) == ["relevant: unknown question 'c'"]
    assert conditions.problems_of(defn, defn.questions[0]) == []
