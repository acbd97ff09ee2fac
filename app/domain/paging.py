"""Conditional questions without JavaScript: which questions apply, and on which page.

A question with a condition on an answer given on the same page cannot be shown or hidden
without a script, so it starts a new page. The server decides after each page which questions
of the next pages apply. A question that does not apply is neither asked nor stored, and its
answer counts as empty in later conditions.
"""
from __future__ import annotations

from app.domain import conditions
from app.domain.definition import SurveyDef

#: A survey with more questions than this is "long": one question per page unless it says otherwise.
LONG_SURVEY = 8


def one_per_page(defn: SurveyDef) -> bool:
    """Whether the survey asks one question per page: its own setting, else whether it is long."""
    if defn.one_question_per_page is not None:
        return defn.one_question_per_page
    return len(defn.questions) > LONG_SURVEY


def pages(defn: SurveyDef) -> list[list[str]]:
    """The question codes of each page, in order: one each, or as many as can go together."""
    if one_per_page(defn):
        return [[question.code] for question in defn.questions]
    result: list[list[str]] = [[]]
    for question in defn.questions:
        if question.relevant and result[-1]:
            needs = conditions.referenced(conditions.parse(question.relevant))
            if needs & set(result[-1]):
                result.append([])
        result[-1].append(question.code)
    return result


def applicable(defn: SurveyDef, raw: dict[str, list[str]]) -> set[str]:
    """The codes of the questions that apply, given the raw answers so far."""
    seen: dict[str, list[str]] = {}
    codes = set()
    for question in defn.questions:
        if not question.relevant or conditions.evaluate(conditions.parse(question.relevant), seen):
            codes.add(question.code)
            seen[question.code] = raw.get(question.code, [])
        else:
            seen[question.code] = []
    return codes


def step(layout: list[list[str]], current: int, applies: set[str], direction: int) -> int | None:
    """The next (``direction`` 1) or previous (−1) page with a question that applies, or None."""
    index = current + direction
    while 0 <= index < len(layout):
        if applies & set(layout[index]):
            return index
        index += direction
    return None
