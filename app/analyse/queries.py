"""Reads for results and exports: SQL ``GROUP BY`` queries that feed the domain core."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import distinct, func, select

from app.db import db
from app.domain.aggregation import Area, Counts, Results, aggregate
from app.domain.texts import localized
from app.models import (
    Answer,
    District,
    MeetingPlace,
    Quarter,
    Question,
    Response,
    Survey,
    SurveyVersion,
)
from app.models.coding import AnswerCoding, TextCategory
from app.models.surveys import version_definition

#: Question types whose answers are free text: planners code them into categories.
TEXT_QUESTION_TYPES = ("short_text", "long_text")


def scope_quarters(survey: Survey) -> list[Quarter]:
    """The quarters a survey reaches: its consultation's, or every quarter of the city."""
    consultation = survey.consultation
    if consultation.quarters:
        return list(consultation.quarters)
    return list(db.session.scalars(
        select(Quarter).where(Quarter.city_id == consultation.city_id).order_by(Quarter.code)))


def survey_areas(survey: Survey) -> list[Area]:
    """The city, then each district with its quarters in scope (plus quarters with answers)."""
    quarters = {q.id: q for q in scope_quarters(survey)}
    answered = db.session.scalars(
        select(Quarter).join(Response, Response.quarter_id == Quarter.id)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id).distinct())
    for quarter in answered:
        quarters.setdefault(quarter.id, quarter)
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
    """Counts of every answer of every version of ``survey``, per quarter, keyed by codes;
    ``only`` (a condition on ``Response``) restricts them to some responses."""
    counts = Counts()
    in_survey = SurveyVersion.survey_id == survey.id
    if only is not None:
        in_survey = in_survey & only
    quarter_code = Quarter.code

    def grouped(group_by: list, aggregate_column, where=()):
        stmt = (select(Question.code, quarter_code, *group_by, aggregate_column)
                .select_from(Answer)
                .join(Question, Question.id == Answer.question_id)
                .join(Response, Response.id == Answer.response_id)
                .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                .outerjoin(Quarter, Quarter.id == Response.quarter_id)
                .where(in_survey, *where)
                .group_by(Question.code, quarter_code, *group_by))
        return db.session.execute(stmt).all()

    for code, quarter, option, n in grouped([Answer.option_code], func.count(),
                                            where=[Answer.option_code.is_not(None)]):
        counts.options[(code, quarter, option)] = n
    for code, quarter, n in grouped([], func.count(distinct(Answer.response_id))):
        counts.answered[(code, quarter)] = n
    for code, quarter, value, n in grouped([Answer.number], func.count(),
                                           where=[Answer.number.is_not(None)]):
        counts.numbers[(code, quarter, value)] = n
    _count_categories(survey, counts, in_survey)

    responses = (select(Response).join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                 .where(in_survey).subquery())
    for quarter, n in db.session.execute(
            select(Quarter.code, func.count()).select_from(responses)
            .outerjoin(Quarter, Quarter.id == responses.c.quarter_id).group_by(Quarter.code)):
        counts.responses[quarter] = n
    for name, column in (("channel", responses.c.channel), ("language", responses.c.language)):
        counts.breakdowns[name] = dict(db.session.execute(
            select(column, func.count()).group_by(column)).all())
    counts.breakdowns["meeting_place"] = {
        str(name): n for name, n in db.session.execute(
            select(MeetingPlace.name, func.count()).select_from(responses)
            .join(MeetingPlace, MeetingPlace.id == responses.c.meeting_place_id)
            .group_by(MeetingPlace.name))}
    return counts


def _count_categories(survey: Survey, counts: Counts, in_survey) -> None:
    """The planners' categories of text answers, counted like the options of a multiple-choice
    question: responses per (text question, quarter, category). Hidden answers count too."""
    categories = list(db.session.scalars(select(TextCategory.code).where(TextCategory.survey_id == survey.id)
                                         .order_by(TextCategory.position, TextCategory.id)))
    if not categories:
        return
    text_questions = {q.code for q in survey.current_version.questions if q.type in TEXT_QUESTION_TYPES}
    counts.coded = {code: categories for code in text_questions}
    stmt = (select(Question.code, Quarter.code, TextCategory.code, func.count(distinct(Answer.response_id)))
            .select_from(AnswerCoding)
            .join(TextCategory, TextCategory.id == AnswerCoding.category_id)
            .join(Answer, Answer.id == AnswerCoding.answer_id)
            .join(Question, Question.id == Answer.question_id)
            .join(Response, Response.id == Answer.response_id)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .outerjoin(Quarter, Quarter.id == Response.quarter_id)
            .where(in_survey, Question.code.in_(text_questions))
            .group_by(Question.code, Quarter.code, TextCategory.code))
    for code, quarter, category, n in db.session.execute(stmt):
        counts.options[(code, quarter, category)] = n


def survey_results(survey: Survey, k: int | None = None) -> Results:
    """The suppressed results of ``survey`` against its current version's questions."""
    k = current_app.config["K_ANONYMITY"] if k is None else k
    defn = version_definition(survey.current_version)
    quarter_codes = [q.code for q in scope_quarters(survey)]
    return aggregate(defn.questions, survey_areas(survey), survey_counts(survey), k, quarter_codes)


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
