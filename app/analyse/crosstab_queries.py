"""Reads for cross tables: a question by a question about the respondents, for the city or one
area, built from the groups of respondents that the filtered results use."""
from __future__ import annotations

from app.analyse.filters import REST, filter_questions, partition_results
from app.domain.aggregation import Area
from app.domain.crosstab import CrossTab, crosstab_from_parts
from app.domain.definition import QuestionDef
from app.models import Survey
from app.models.surveys import version_definition

#: Question types a cross table can break down: those with a fixed set of options.
TABULATED_TYPES = {"single_choice", "multiple_choice", "yes_no", "quarter", "scale", "priority"}


def tabulated_questions(survey: Survey) -> tuple[list[QuestionDef], list[QuestionDef]]:
    """The questions of the current version that can form rows, and the questions about the
    respondents that can form columns."""
    questions = [q for q in version_definition(survey.current_version).questions
                 if q.type in TABULATED_TYPES]
    return questions, filter_questions(survey)


def survey_crosstab(survey: Survey, row: QuestionDef, col: QuestionDef, area: Area,
                    k: int | None = None) -> CrossTab:
    """The suppressed cross table of ``row`` by ``col`` in ``area`` (the city included). For a
    question with one answer per response, a last column (``REST``) holds those who did not
    answer it."""
    whole, parts = partition_results(survey, "question", col, questions=[row], k=k)
    if REST in parts:
        parts = {**{code: results for code, results in parts.items() if code != REST},
                 REST: parts[REST]}
    return crosstab_from_parts(row.code, area.key, whole, parts)
