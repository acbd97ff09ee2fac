"""Reads of the residents' side."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import db
from app.domain.definition import SurveyDef
from app.models import Placement, Quarter, Survey, SurveyVersion
from app.models.places import normalise_token
from app.models.surveys import scope_quarters, version_definition


def find_placement(token: str) -> Placement | None:
    """The placement a QR code or a typed short URL points to, or None."""
    token = normalise_token(token)
    if not token:
        return None
    return db.session.scalar(
        select(Placement).where(Placement.token == token)
        .options(joinedload(Placement.survey).joinedload(Survey.consultation),
                 joinedload(Placement.survey).selectinload(Survey.versions)))


def availability(placement: Placement, today: date) -> str:
    """``open``, or why not: ``paused``, ``not_yet``, ``closed``."""
    consultation = placement.survey.consultation
    if consultation.status == "closed" or (consultation.closes_on and today > consultation.closes_on):
        return "closed"
    if consultation.status != "open" or (consultation.opens_on and today < consultation.opens_on):
        return "not_yet"
    if placement.is_paused:
        return "paused"
    return "open"


@dataclass
class SurveyContext:
    """What the answer form of a version needs."""

    version: SurveyVersion
    definition: SurveyDef
    quarters: list[Quarter]

    @property
    def quarter_codes(self) -> list[str]:
        return [q.code for q in self.quarters]


def survey_context(survey: Survey) -> SurveyContext:
    """The current version, its definition and the quarters its quarter question offers (none
    are read when it asks no quarter)."""
    version = survey.current_version
    definition = version_definition(version)
    asks_quarter = any(question.type == "quarter" for question in definition.questions)
    return SurveyContext(version, definition, scope_quarters(survey) if asks_quarter else [])
