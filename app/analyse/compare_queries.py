"""Reads for the comparison pages: the surveys that form waves with a survey, in order, and
their results side by side."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db import db
from app.domain.profile import MEAN_TYPES, SHARE_TYPES, WaveComparison, compare_waves
from app.models import Consultation, Survey, User
from app.models.surveys import version_definition
from app.permissions import survey_in_scope
from app.results.queries import option_labels, survey_results

#: Question types that give a value over waves: a share of yes, of an option, or a mean.
WAVE_TYPES = {"yes_no", *SHARE_TYPES, *MEAN_TYPES}


def wave_date(survey: Survey) -> date:
    """When a wave took place: the first day of its consultation's period, else the last day,
    else the day its first version was created."""
    consultation = survey.consultation
    first = survey.versions[0].created_at.date() if survey.versions else date.max
    return consultation.opens_on or consultation.closes_on or first


def in_wave_order(surveys: list[Survey]) -> list[Survey]:
    """``surveys`` ordered by their period (or creation), oldest first."""
    return sorted(surveys, key=lambda survey: (wave_date(survey), survey.id))


def _wave_codes(survey: Survey) -> set[str]:
    """Codes of the current version's questions that have a value over waves."""
    return {q.code for q in survey.current_version.questions if q.type in WAVE_TYPES}


def wave_candidates(survey: Survey, user: User) -> list[Survey]:
    """Other surveys of the same city, within ``user``'s scope and with a current version, that
    share at least one question code with a value (yes/no, choice, scale, number) with
    ``survey``; in wave order."""
    codes = _wave_codes(survey)
    others = db.session.scalars(
        select(Survey).join(Consultation, Consultation.id == Survey.consultation_id)
        .where(Consultation.city_id == survey.consultation.city_id, Survey.id != survey.id))
    return in_wave_order([other for other in others
                          if other.current_version is not None and survey_in_scope(user, other)
                          and codes & _wave_codes(other)])


def wave_comparison(waves: list[Survey], area: tuple[str, str]) -> WaveComparison:
    """Every shared question of ``waves`` (in wave order) for ``area`` and the city, with the
    suppressed figures of each survey; the waves are labelled by their survey codes."""
    return compare_waves([(wave.code, survey_results(wave), version_definition(wave.current_version))
                          for wave in waves], area=area, every_question=True)


def wave_labels(waves: list[Survey], language: str) -> dict[tuple[str, str], str]:
    """Option labels of every wave in ``language``; a later wave's wording wins."""
    labels: dict[tuple[str, str], str] = {}
    for wave in waves:
        labels.update(option_labels(wave, language))
    return labels
