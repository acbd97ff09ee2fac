"""Reads for results and exports: SQL ``GROUP BY`` queries that feed the domain core."""
from __future__ import annotations

import functools
from collections import defaultdict

from flask import current_app
from sqlalchemy import func, select

from app.db import db
from app.domain.aggregation import Area, Counts, Results, add, aggregate
from app.domain.cellkey import PerturbationParameters, PerturbationTable
from app.domain.texts import localized
from app.models.responses import CHANNELS
from app.models import Answer, District, MeetingPlace, Quarter, Question, Response, Survey, SurveyVersion
from app.models.coding import AnswerCoding, TextCategory
from app.models.surveys import scope_quarters, version_definition
from app.results import cache, releases
from app.results.releases import RELEASED

#: Question types whose answers are free text: planners code them into categories.
TEXT_QUESTION_TYPES = ("short_text", "long_text")


def survey_areas(survey: Survey) -> list[Area]:
    """The city, then each district with its quarters in scope (plus quarters with released answers)."""
    releases.ensure(survey)
    quarters = {q.id: q for q in scope_quarters(survey)}
    answered = cache.remember(survey, cache.current_mark(survey), "answered quarters", lambda: set(db.session.scalars(
        select(Response.quarter_id).join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, RELEASED, Response.quarter_id.is_not(None)).distinct())))
    for quarter in db.session.scalars(select(Quarter).where(Quarter.id.in_(answered - set(quarters)))):
        quarters[quarter.id] = quarter
    city = survey.consultation.city
    areas = [Area("city", "", city.name)]
    by_district: dict[str, list[Quarter]] = {}
    for quarter in sorted(quarters.values(), key=lambda q: q.code):
        by_district.setdefault(quarter.district.code, []).append(quarter)
    districts = {d.code: d for d in db.session.scalars(
        select(District).where(District.city_id == city.id))}
    for code in sorted(by_district):
        areas.append(Area("district", code, districts[code].name))
        areas += [Area("quarter", q.code, q.name, code) for q in by_district[code]]
    return areas


def survey_counts(survey: Survey, only=None) -> Counts:
    """Counts of every answer of every version of ``survey``, per quarter, keyed by codes, with
    the planners' categories of text answers; ``only`` (a condition on ``Response``) restricts
    them to some responses. Only released responses count (``releases``); all of them are kept
    between requests (``cache``)."""
    releases.ensure(survey)
    if only is None:
        counts, _ = cache.answer_counts(survey, lambda condition: count_answers(survey, condition))
    else:
        counts = count_answers(survey, only)
    return add(counts, category_counts(survey, only))


#: Question types whose answer may be stored in several rows (one per option picked).
MULTI_ROW_TYPES = ("multiple_choice", "priority")


def count_answers(survey: Survey, only=None) -> Counts:
    """Counts of the answers alone (no categories), and the responses per quarter, channel,
    language and meeting place: of released responses only.

    One ``GROUP BY`` over all answers gives options and numbers, and — for questions whose answer
    is one row — how many answered; only for questions with several rows per answer (multiple
    choice, priority, in any version) a second one counts the distinct responses."""
    counts = Counts()
    in_survey = (SurveyVersion.survey_id == survey.id) & RELEASED
    if only is not None:
        in_survey = in_survey & only
    quarter_code = Quarter.code

    def grouped(group_by: list, where=()):
        """Answers of the survey grouped by question, quarter and ``group_by``: how many, and
        the sum of their responses' record keys."""
        stmt = (select(Question.code, quarter_code, *group_by, func.count(), func.sum(Response.record_key))
                .select_from(Answer)
                .join(Question, Question.id == Answer.question_id)
                .join(Response, Response.id == Answer.response_id)
                .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                .outerjoin(Quarter, Quarter.id == Response.quarter_id)
                .where(in_survey, *where)
                .group_by(Question.code, quarter_code, *group_by))
        return db.session.execute(stmt).all()

    multi_row = set(db.session.scalars(
        select(Question.code).join(SurveyVersion, SurveyVersion.id == Question.version_id)
        .where(SurveyVersion.survey_id == survey.id, Question.type.in_(MULTI_ROW_TYPES)).distinct()))
    options, numbers, answered, option_keys, answered_keys = (defaultdict(int) for _ in range(5))
    for code, quarter, option, number, n, key_sum in grouped([Answer.option_code, Answer.number]):
        if option is not None:
            options[(code, quarter, option)] += n
            option_keys[(code, quarter, option)] += key_sum
        if number is not None:
            numbers[(code, quarter, number)] += n
        if code not in multi_row:
            answered[(code, quarter)] += n
            answered_keys[(code, quarter)] += key_sum
    if multi_row:
        # One row per response and question (a response picks several options).
        each = (select(Question.code.label("code"), quarter_code.label("quarter"), Response.record_key)
                .select_from(Answer)
                .join(Question, Question.id == Answer.question_id)
                .join(Response, Response.id == Answer.response_id)
                .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                .outerjoin(Quarter, Quarter.id == Response.quarter_id)
                .where(in_survey, Question.code.in_(multi_row))
                .group_by(Question.code, quarter_code, Response.id, Response.record_key).subquery())
        for code, quarter, n, key_sum in db.session.execute(
                select(each.c.code, each.c.quarter, func.count(), func.sum(each.c.record_key))
                .group_by(each.c.code, each.c.quarter)):
            answered[(code, quarter)] = n
            answered_keys[(code, quarter)] = key_sum
    counts.options, counts.numbers, counts.answered = dict(options), dict(numbers), dict(answered)
    counts.option_keys, counts.answered_keys = dict(option_keys), dict(answered_keys)

    responses = (select(Response).join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                 .where(in_survey).subquery())
    for quarter, n, key_sum in db.session.execute(
            select(Quarter.code, func.count(), func.sum(responses.c.record_key)).select_from(responses)
            .outerjoin(Quarter, Quarter.id == responses.c.quarter_id).group_by(Quarter.code)):
        counts.responses[quarter] = n
        counts.response_keys[quarter] = key_sum
    expected = {"channel": CHANNELS, "language": survey.languages}
    for name, column in (("channel", responses.c.channel), ("language", responses.c.language)):
        rows = db.session.execute(select(column, func.count(), func.sum(responses.c.record_key))
                                  .group_by(column)).all()
        # Every channel and language of the survey is a cell, used or not: an unused one is
        # published as 0 and not shown, like one used by a few, so "not shown" never says "some".
        counts.breakdowns[name] = {value: 0 for value in expected[name]} | {value: n for value, n, _ in rows}
        counts.breakdown_keys[name] = {value: 0 for value in expected[name]} | {
            value: key_sum for value, _, key_sum in rows}
    rows = db.session.execute(
        select(MeetingPlace.name, func.count(), func.sum(responses.c.record_key)).select_from(responses)
        .join(MeetingPlace, MeetingPlace.id == responses.c.meeting_place_id)
        .group_by(MeetingPlace.name)).all()
    counts.breakdowns["meeting_place"] = {str(name): n for name, n, _ in rows}
    counts.breakdown_keys["meeting_place"] = {str(name): key_sum for name, _, key_sum in rows}
    return counts


def category_counts(survey: Survey, only=None) -> Counts:
    """The planners' categories of text answers, counted like the options of a multiple-choice
    question: responses per (text question, quarter, category), of released responses. Hidden
    answers count too."""
    counts = Counts()
    in_survey = (SurveyVersion.survey_id == survey.id) & RELEASED
    if only is not None:
        in_survey = in_survey & only
    categories = list(db.session.scalars(select(TextCategory.code).where(TextCategory.survey_id == survey.id)
                                         .order_by(TextCategory.position, TextCategory.id)))
    if not categories:
        return counts
    text_questions = {q.code for q in survey.current_version.questions if q.type in TEXT_QUESTION_TYPES}
    counts.coded = {code: categories for code in text_questions}
    each = (select(Question.code.label("code"), Quarter.code.label("quarter"), TextCategory.code.label("category"),
                   Response.record_key)
            .select_from(AnswerCoding)
            .join(TextCategory, TextCategory.id == AnswerCoding.category_id)
            .join(Answer, Answer.id == AnswerCoding.answer_id)
            .join(Question, Question.id == Answer.question_id)
            .join(Response, Response.id == Answer.response_id)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .outerjoin(Quarter, Quarter.id == Response.quarter_id)
            .where(in_survey, Question.code.in_(text_questions))
            .group_by(Question.code, Quarter.code, TextCategory.code, Response.id, Response.record_key)
            .subquery())  # one row per response, however many of its answers carry the category
    stmt = (select(each.c.code, each.c.quarter, each.c.category, func.count(), func.sum(each.c.record_key))
            .group_by(each.c.code, each.c.quarter, each.c.category))
    for code, quarter, category, n, key_sum in db.session.execute(stmt):
        counts.options[(code, quarter, category)] = n
        counts.option_keys[(code, quarter, category)] = key_sum
    return counts


def perturbation_table() -> PerturbationTable:
    """The installation's perturbation table, built from its settings (once per process)."""
    config = current_app.config
    return _table_for(PerturbationParameters(max_deviation=config["PERTURBATION_MAX_DEVIATION"],
                                             variance=float(config["PERTURBATION_VARIANCE"]),
                                             threshold=config["PERTURBATION_THRESHOLD"]))


@functools.lru_cache(maxsize=8)
def _table_for(parameters: PerturbationParameters) -> PerturbationTable:
    return PerturbationTable.build(parameters)


def survey_results(survey: Survey, k: int | None = None) -> Results:
    """The suppressed results of ``survey`` against its current version's questions."""
    k = current_app.config["K_ANONYMITY"] if k is None else k
    releases.ensure(survey)
    defn = version_definition(survey.current_version)
    quarter_codes = [q.code for q in scope_quarters(survey)]
    areas = survey_areas(survey)
    answers, mark = cache.answer_counts(survey, lambda condition: count_answers(survey, condition))
    categories = category_counts(survey)
    perturbation = perturbation_table()
    key = ("results", k, perturbation.parameters, tuple(areas), tuple(quarter_codes), repr(defn.questions),
           frozenset(categories.options.items()), frozenset(categories.option_keys.items()),
           frozenset((c, tuple(v)) for c, v in categories.coded.items()))
    return cache.remember(survey, mark, key, lambda: aggregate(defn.questions, areas, add(answers, categories), k,
                                                        quarter_codes, perturbation))


def option_labels(survey: Survey, language: str) -> dict[tuple[str, str], str]:
    """Label of every option of the current version in ``language``: ``(question, option)`` → text.

    Quarters are named by their official names; yes/no and the fixed choices come from the
    interface catalog; scale points are their numbers.
    """
    from app.i18n import force_language
    from app.labels import FIXED_OPTION_LABELS
    version = survey.current_version
    quarters = {q.code: q.name for q in db.session.scalars(
        select(Quarter).where(Quarter.city_id == survey.consultation.city_id))}
    categories = list(db.session.scalars(select(TextCategory).where(TextCategory.survey_id == survey.id)
                                         .order_by(TextCategory.position, TextCategory.id)))
    labels: dict[tuple[str, str], str] = {}
    with force_language(language):
        fixed = {code: str(text) for code, text in FIXED_OPTION_LABELS.items()}
    for question in version.questions:
        if question.type == "quarter":
            labels.update({(question.code, code): name for code, name in quarters.items()})
        elif question.type == "scale":
            low, high = question.settings.get("min", 1), question.settings.get("max", 5)
            labels.update({(question.code, str(p)): str(p) for p in range(low, high + 1)})
            for point, key in ((low, "min_label"), (high, "max_label")):
                end = localized(question.settings.get(key), language, survey.default_language)
                if end:
                    labels[(question.code, str(point))] = f"{point} – {end}"
        for option in question.options:
            labels[(question.code, option.code)] = localized(option.label, language,
                                                             survey.default_language)
        if question.type in ("quarter", "yes_no"):
            labels.update({(question.code, code): text for code, text in fixed.items()})
        if question.type in TEXT_QUESTION_TYPES:
            labels.update({(question.code, category.code): localized(category.label, language,
                                                                     survey.default_language) or category.code
                           for category in categories})
    return labels
