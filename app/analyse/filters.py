"""Filtered results: the figures of one group of respondents (a channel, a language, a meeting
place, an answer to a question about the person), protected against differencing.

A filter's group is one part of a partition of all responses: the values of one dimension
(every channel, every language, …) split the responses into disjoint groups, plus those with no
value. ``app.domain.aggregation.aggregate_partition`` suppresses every group of the partition
together with the unfiltered results, so neither "all minus this group" nor "this group minus
that group" reveals a count below k. One filter applies at a time (besides the area, which is a
column of the same table): a combination of two would need the suppression of every
combination at once. A multiple-choice question about the person does not split responses
into disjoint groups; each of its options splits them in two (chose it, did not).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.db import db
from app.domain.aggregation import REST, Counts, Results, aggregate_partition
from app.domain.answers import option_codes
from app.domain.definition import QuestionDef
from app.models import Answer, MeetingPlace, Question, Response, Survey, SurveyVersion
from app.models.surveys import scope_quarters, version_definition
from app.results import cache
from app.results.queries import perturbation_table, survey_areas, survey_counts

#: Dimensions a filter can use, besides the questions about the person.
RESPONSE_DIMENSIONS = ("channel", "language", "place")


@dataclass(frozen=True)
class Filter:
    """One filter: a ``dimension`` (channel, language, place or question) and a value; for a
    question, ``question`` names it. ``param`` is its form value, e.g. ``q:age_band:65_79``."""

    dimension: str
    value: str
    question: str = ""

    @property
    def param(self) -> str:
        """The value of the filter in a URL."""
        if self.dimension == "question":
            return f"q:{self.question}:{self.value}"
        return f"{self.dimension}:{self.value}"

    @classmethod
    def parse(cls, text: str) -> Filter | None:
        """The filter a URL parameter names, or None for anything else."""
        kind, _, rest = (text or "").partition(":")
        if kind == "q":
            question, _, value = rest.partition(":")
            return cls("question", value, question) if question and value else None
        if kind in RESPONSE_DIMENSIONS and rest:
            return cls(kind, rest)
        return None


def filter_questions(survey: Survey) -> list[QuestionDef]:
    """The questions about the person that a filter can use: those with fixed options."""
    return [q for q in version_definition(survey.current_version).questions
            if q.is_respondent_question and q.type in ("single_choice", "multiple_choice", "yes_no", "scale")]


def dimension_values(survey: Survey, dimension: str, question: QuestionDef | None = None,
                     counts: Counts | None = None) -> list[str]:
    """The values a dimension takes: a question's options (then codes only older versions
    knew); for channel, language and place the values found among the responses. Read from the
    survey's counts (kept between requests), or from ``counts`` when given."""
    if dimension == "place":
        return sorted(place_names(survey))
    counts = survey_counts(survey) if counts is None else counts
    if dimension == "question":
        quarter_codes = [q.code for q in scope_quarters(survey)]
        defined = option_codes(question, quarter_codes)
        seen = {option for (code, _, option), n in counts.options.items() if code == question.code and n}
        return defined + sorted(seen - set(defined))
    found = counts.breakdowns.get(dimension, {})
    return sorted(str(value) for value, n in found.items() if value is not None and n)


def _condition(flt: Filter):
    """The SQL condition on ``Response`` that selects the filter's group."""
    if flt.dimension == "question":
        return Response.id.in_(
            select(Answer.response_id).join(Question, Question.id == Answer.question_id)
            .where(Question.code == flt.question, Answer.option_code == flt.value))
    if flt.dimension == "place":
        return Response.meeting_place_id == (int(flt.value) if flt.value.isdigit() else -1)
    column = Response.channel if flt.dimension == "channel" else Response.language
    return column == flt.value


def partition_results(survey: Survey, dimension: str, question: QuestionDef | None = None,
                      questions: list[QuestionDef] | None = None, values: list[str] | None = None,
                      k: int | None = None) -> tuple[Results, dict[str, Results]]:
    """The unfiltered results and those of each group of a dimension (``REST``: no value),
    suppressed together. ``questions`` limits the questions (the cells hidden for a question do
    not depend on which other questions are included); ``values`` limits the groups of a
    multiple-choice question, which is split in two per option."""
    k = current_app.config["K_ANONYMITY"] if k is None else k
    all_questions = version_definition(survey.current_version).questions
    questions = all_questions if questions is None else questions
    areas = survey_areas(survey)
    quarter_codes = [q.code for q in scope_quarters(survey)]
    whole = survey_counts(survey)
    if values is None:
        values = dimension_values(survey, dimension, question)
    groups = {value: survey_counts(survey, _condition(Filter(dimension, value, question.code if question else "")))
              for value in values}
    if question is not None and not question.is_exclusive:
        parts = {}
        for value, counts in groups.items():
            whole_results, split = aggregate_partition(questions, areas, whole, {value: counts}, k,
                                                       quarter_codes, perturbation_table())
            parts[value] = split[value]
        return whole_results, parts
    return aggregate_partition(questions, areas, whole, groups, k, quarter_codes, perturbation_table())


def filtered_results(survey: Survey, flt: Filter, k: int | None = None) -> Results | None:
    """The results of the filter's group, or None when the filter names nothing in the survey."""
    question = None
    if flt.dimension == "question":
        question = next((q for q in filter_questions(survey) if q.code == flt.question), None)
        if question is None:
            return None
    if flt.value not in dimension_values(survey, flt.dimension, question):
        return None
    values = [flt.value] if question is not None and not question.is_exclusive else None
    return partition_results(survey, flt.dimension, question, values=values, k=k)[1][flt.value]


def filter_choices(survey: Survey) -> list[tuple[str, QuestionDef | None, list[str]]]:
    """What the filter form offers: ``(dimension, question or None, values)`` per dimension
    with at least two values (one value would filter nothing)."""
    choices = []
    counts = survey_counts(survey)
    for dimension in RESPONSE_DIMENSIONS:
        values = dimension_values(survey, dimension, counts=counts)
        if len(values) > 1:
            choices.append((dimension, None, values))
    for question in filter_questions(survey):
        choices.append(("question", question, dimension_values(survey, "question", question, counts)))
    return choices


def place_names(survey: Survey) -> dict[str, str]:
    """Names of the meeting places with responses to ``survey``: id (as text) → name."""
    answered = cache.remember(survey, cache.current_mark(survey), "meeting places", lambda: set(db.session.scalars(
        select(Response.meeting_place_id).distinct()
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, Response.release_id.is_not(None),
               Response.meeting_place_id.is_not(None)))))
    rows = db.session.execute(select(MeetingPlace.id, MeetingPlace.name).where(MeetingPlace.id.in_(answered)))
    return {str(place_id): name for place_id, name in rows}


__all__ = ["REST", "Filter", "dimension_values", "filter_choices", "filter_questions", "filtered_results",
           "partition_results", "place_names"]
