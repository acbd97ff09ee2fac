"""Checking answers: the one place that decides what is valid."""
from app.domain.answers import Part, parse, resident_quarter
from app.domain.definition import OptionDef, QuestionDef

PICK = QuestionDef("needs", "priority", options=[OptionDef(c) for c in "abcd"], settings={"max_picks": 2})
ONE = QuestionDef("often", "single_choice", required=True, options=[OptionDef("weekly"), OptionDef("never")])
NUMBER = QuestionDef("minutes", "number", settings={"min": 0, "max": 60})
SCALE = QuestionDef("like", "scale", settings={"min": 1, "max": 5})
TEXT = QuestionDef("wish", "short_text")


def test_required_question_without_answer_is_an_error_and_optional_is_fine():
    assert parse(ONE, []).error == "required"
    assert parse(ONE, ["  "]).error == "required"
    assert parse(NUMBER, []).parts == [] and parse(NUMBER, []).error is None


def test_unknown_option_codes_are_refused():
    assert parse(ONE, ["daily"]).error == "unknown_option"
    assert parse(PICK, ["a", "z"]).error == "unknown_option"


def test_priority_allows_up_to_max_picks():
    assert parse(PICK, ["a", "b"]).parts == [Part(option_code="a"), Part(option_code="b")]
    result = parse(PICK, ["a", "b", "c"])
    assert result.error == "too_many" and result.params == {"max": 2}


def test_single_choice_takes_one_answer_only():
    assert parse(ONE, ["weekly", "never"]).error == "one_only"
    assert parse(ONE, ["weekly", "weekly"]).parts == [Part(option_code="weekly")]


def test_numbers_must_be_whole_and_in_range():
    assert parse(NUMBER, ["12"]).parts == [Part(number=12.0)]
    assert parse(NUMBER, ["1.5"]).error == "not_a_whole_number"
    assert parse(NUMBER, ["zwölf"]).error == "not_a_whole_number"
    assert parse(NUMBER, ["61"]).error == "too_large"
    assert parse(NUMBER, ["-1"]).error == "too_small"
    assert parse(NUMBER, ["9" * 40]).error == "not_a_whole_number"


def test_scale_points_are_stored_as_option_and_number():
    assert parse(SCALE, ["4"]).parts == [Part(option_code="4", number=4.0)]
    assert parse(SCALE, ["6"]).error == "unknown_option"


def test_text_is_cleaned_of_control_and_direction_override_characters_and_limited():
    assert parse(TEXT, ["  Bänke\u202e im Park\x00 "]).parts == [Part(text="Bänke im Park")]
    assert parse(TEXT, ["x" * 201]).error == "too_long"


def test_the_residents_own_quarter_wins_over_the_posters_quarter():
    assert resident_quarter({"home": [Part(option_code="214")]}, "home", "126") == ("214", "answer")
    assert resident_quarter({"home": [Part(option_code="prefer_not_to_say")]}, "home", "126") == ("126", "place")
    assert resident_quarter({}, "home", "126") == ("126", "place")
    assert resident_quarter({"home": [Part(option_code="elsewhere")]}, "home", "126") == (None, "answer")
    assert resident_quarter({}, None, None) == (None, None)


# --- An "other" option with the resident's own text beside it -------------------------------

PLACES = QuestionDef("places", "multiple_choice", options=[OptionDef("park"), OptionDef("cafe"), OptionDef("other")],
                     settings={"other": "other"})
VISITS = QuestionDef("visits", "single_choice", required=True,
                     options=[OptionDef("weekly"), OptionDef("never"), OptionDef("other")], settings={"other": "other"})


def test_the_other_option_chosen_with_a_text_is_one_part_holding_both():
    assert parse(PLACES, ["park", "other"], other=["Bei der Tafel"]).parts == [
        Part(option_code="park"), Part(option_code="other", text="Bei der Tafel")]
    assert parse(VISITS, ["other"], other=["Zweimal im Jahr"]).parts == [Part(option_code="other", text="Zweimal im Jahr")]


def test_a_text_written_without_ticking_other_counts_as_other_chosen():
    assert parse(PLACES, ["cafe"], other=["Im Waschsalon"]).parts == [
        Part(option_code="cafe"), Part(option_code="other", text="Im Waschsalon")]
    # A required single choice is answered by the text alone.
    assert parse(VISITS, [], other=["Zweimal im Jahr"]).parts == [Part(option_code="other", text="Zweimal im Jahr")]


def test_a_single_choice_with_another_answer_ticked_and_an_other_text_asks_the_resident():
    result = parse(VISITS, ["weekly"], other=["Zweimal im Jahr"])
    assert result.error == "other_and_choice" and result.parts == []


def test_the_other_option_chosen_without_text_is_stored_as_chosen():
    assert parse(PLACES, ["other"], other=["   "]).parts == [Part(option_code="other")]
    assert parse(VISITS, ["other"]).parts == [Part(option_code="other")]


def test_an_other_text_longer_than_200_characters_is_refused_with_its_length():
    result = parse(PLACES, ["other"], other=["x" * 201])
    assert result.error == "too_long" and result.params == {"max": 200, "length": 201}
    assert parse(PLACES, ["other"], other=["x" * 200]).parts == [Part(option_code="other", text="x" * 200)]


def test_an_other_text_loses_control_and_direction_characters_and_stays_on_one_line():
    parts = parse(PLACES, ["other"], other=["\u202eIm\x00 Hof\n  hinten\x07 "]).parts
    assert parts == [Part(option_code="other", text="Im Hof hinten")]
    # Only control characters: nothing written, so the option alone.
    assert parse(PLACES, ["other"], other=["\x00\x1b"]).parts == [Part(option_code="other")]


def test_a_text_sent_for_a_question_without_other_option_is_ignored():
    assert parse(ONE, ["weekly"], other=["Hallo"]).parts == [Part(option_code="weekly")]
    assert parse(ONE, [], other=["Hallo"]).error == "required"
