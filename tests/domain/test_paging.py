"""Pages and conditional questions."""
from app.domain.definition import OptionDef, QuestionDef, SurveyDef
from app.domain.paging import applicable, pages, step

DEFN = SurveyDef("s", "de", ["de"], questions=[
    QuestionDef("children", "yes_no", {"de": "Kinder?"}),
    QuestionDef("age", "short_text", {"de": "Alter?"}),
    QuestionDef("childcare", "single_choice", {"de": "Betreuung?"}, options=[OptionDef("kita"), OptionDef("none")],
                relevant="${children} = 'yes'"),
    QuestionDef("why_none", "long_text", {"de": "Warum?"}, relevant="${childcare} = 'none'"),
    QuestionDef("wish", "long_text", {"de": "Wunsch?"}),
])


def test_a_condition_on_the_same_page_starts_a_new_page():
    assert pages(DEFN) == [["children", "age"], ["childcare"], ["why_none", "wish"]]


def test_questions_apply_only_when_their_condition_holds_on_questions_that_apply():
    assert applicable(DEFN, {"children": ["no"]}) == {"children", "age", "wish"}
    assert applicable(DEFN, {"children": ["yes"], "childcare": ["none"]}) == {"children", "age", "childcare", "why_none", "wish"}
    # childcare does not apply, so its (stale) answer does not make why_none apply
    assert "why_none" not in applicable(DEFN, {"children": ["no"], "childcare": ["none"]})


def test_stepping_skips_pages_where_nothing_applies():
    layout = pages(DEFN)
    applies = applicable(DEFN, {"children": ["no"]})
    assert step(layout, 0, applies, 1) == 2
    assert step(layout, 2, applies, -1) == 0
    assert step(layout, 2, applies, 1) is None
