"""Reads for cross tables: counts of answer pairs of two questions, for the city or one area."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import aliased

from app.analyse.queries import scope_quarters
from app.db import db
from app.domain.aggregation import Area
from app.domain.answers import option_codes
from app.domain.crosstab import CrossTab, crosstab
from app.domain.definition import QuestionDef
from app.models import (
    Answer,
    District,
    Quarter,
    Question,
    Response,
    Survey,
    SurveyVersion,
)
from app.models.surveys import version_definition

#: Question types a cross table can break down: those with a fixed set of options.
TABULATED_TYPES = {"single_choice", "multiple_choice", "yes_no", "quarter", "scale", "priority"}


@dataclass
class PairCounts:
    """Counts over the responses that answered both questions."""

    #: (row option, column option) → responses
    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    #: row option → responses (that also answered the column question)
    row_totals: dict[str, int] = field(default_factory=dict)
    #: column option → responses (that also answered the row question)
    col_totals: dict[str, int] = field(default_factory=dict)
    #: responses that answered both
    total: int = 0


def pair_counts(survey: Survey, row_code: str, col_code: str, area: Area | None = None) -> PairCounts:
    """Counts of (row option, column option) over every version of ``survey``, keyed by codes;
    ``area`` (a district or quarter) restricts them to the responses counted there."""
    row_answer, col_answer = aliased(Answer), aliased(Answer)
    row_question, col_question = aliased(Question), aliased(Question)
    response_id = row_answer.response_id
    where = [SurveyVersion.survey_id == survey.id, row_question.code == row_code,
             col_question.code == col_code, row_answer.option_code.is_not(None),
             col_answer.option_code.is_not(None)]
    if area is not None and area.level == "quarter":
        where.append(Quarter.code == area.code)
    elif area is not None and area.level == "district":
        where.append(District.code == area.code)

    def grouped(*group_by):
        stmt = (select(*group_by, func.count(distinct(response_id)))
                .select_from(row_answer)
                .join(row_question, row_question.id == row_answer.question_id)
                .join(col_answer, col_answer.response_id == row_answer.response_id)
                .join(col_question, col_question.id == col_answer.question_id)
                .join(Response, Response.id == row_answer.response_id)
                .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                .outerjoin(Quarter, Quarter.id == Response.quarter_id)
                .outerjoin(District, District.id == Quarter.district_id)
                .where(*where))
        if group_by:
            stmt = stmt.group_by(*group_by)
        return db.session.execute(stmt).all()

    counts = PairCounts()
    for row, col, n in grouped(row_answer.option_code, col_answer.option_code):
        counts.cells[(row, col)] = n
    counts.row_totals = {row: n for row, n in grouped(row_answer.option_code)}
    counts.col_totals = {col: n for col, n in grouped(col_answer.option_code)}
    counts.total = grouped()[0][0]
    return counts


def tabulated_questions(survey: Survey) -> tuple[list[QuestionDef], list[QuestionDef]]:
    """The questions of the current version that can form rows, and the respondent questions
    that can form columns."""
    questions = [q for q in version_definition(survey.current_version).questions
                 if q.type in TABULATED_TYPES]
    return questions, [q for q in questions if q.is_respondent_question]


def _ordered(defined: list[str], seen) -> list[str]:
    """The defined codes, then codes found only in older versions' answers."""
    return defined + sorted(set(seen) - set(defined))


def survey_crosstab(survey: Survey, row: QuestionDef, col: QuestionDef, area: Area | None = None,
                    k: int | None = None) -> CrossTab:
    """The suppressed cross table of ``row`` by ``col`` for the city or ``area``."""
    k = current_app.config["K_ANONYMITY"] if k is None else k
    quarter_codes = [q.code for q in scope_quarters(survey)]
    counts = pair_counts(survey, row.code, col.code, area)
    return crosstab(_ordered(option_codes(row, quarter_codes), counts.row_totals),
                    _ordered(option_codes(col, quarter_codes), counts.col_totals),
                    counts.cells, counts.row_totals, counts.col_totals, counts.total, k,
                    exclusive_rows=row.is_exclusive, exclusive_cols=col.is_exclusive)
