"""Reads of the coordinators' workspace."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.db import db
from app.domain.aggregation import published_sum
from app.models import MeetingPlace, Placement, Quarter, Response, Survey, User
from app.permissions import place_in_scope, scope_quarter_ids
from app.results import releases
from app.results.queries import perturbation_table
from app.results.releases import RELEASED


def places_in_scope(user: User) -> list[MeetingPlace]:
    """Meeting places the user may see, by quarter and name."""
    places = db.session.scalars(select(MeetingPlace).join(Quarter).order_by(Quarter.code, MeetingPlace.name))
    return [place for place in places if place_in_scope(user, place)]


def quarters_in_scope(user: User) -> list[Quarter]:
    """Quarters the user may place things in."""
    scope = scope_quarter_ids(user)
    quarters = db.session.scalars(select(Quarter).order_by(Quarter.code))
    return [q for q in quarters if scope is None or q.id in scope]


@dataclass
class PlacementCounts:
    """Responses of one placement: in all, per channel and per day, small counts hidden."""

    total: int | None = None
    by_channel: dict[str, int | None] = field(default_factory=dict)
    by_day: dict[date, int | None] = field(default_factory=dict)


def response_total(survey: Survey) -> int:
    """How many responses ``survey`` has, in every version and channel."""
    from app.models import SurveyVersion
    return db.session.scalar(select(func.count()).select_from(Response)
                             .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                             .where(SurveyVersion.survey_id == survey.id))


def placement_counts(survey: Survey) -> dict[int, PlacementCounts]:
    """Per placement of ``survey``: responses in all, per channel and per day (None: not shown).

    Each figure is published by the cell key method like every count of the results layer
    (its area: the placement's responses), so that no difference between a day, a channel and
    the total gives a small count away; below k it is not shown. Released responses only
    (``app.results.releases``), like every published figure."""
    releases.ensure(survey)
    k = current_app.config["K_ANONYMITY"]
    perturbation = perturbation_table()
    rows = db.session.execute(
        select(Response.placement_id, Response.submitted_on, Response.channel, func.count(),
               func.sum(Response.record_key))
        .join(Placement, Placement.id == Response.placement_id)
        .where(Placement.survey_id == survey.id, RELEASED)
        .group_by(Response.placement_id, Response.submitted_on, Response.channel)).all()
    values: dict[tuple, int] = defaultdict(int)
    keys: dict[tuple, int] = defaultdict(int)
    for placement_id, day, channel, n, key_sum in rows:
        for cell in ((placement_id, "total"), (placement_id, "day", day), (placement_id, "channel", channel)):
            values[cell] += n
            keys[cell] += key_sum
    counts: dict[int, PlacementCounts] = defaultdict(PlacementCounts)
    for cell, n in values.items():
        figure = published_sum(n, keys[cell], keys[(cell[0], "total")], k, perturbation)
        shown = figure.shown
        result = counts[cell[0]]
        if cell[1] == "total":
            result.total = shown
        elif cell[1] == "day":
            result.by_day[cell[2]] = shown
        else:
            result.by_channel[cell[2]] = shown
    return counts


def batch_count(survey: Survey, batch: str) -> int:
    """How many paper forms of ``batch`` were typed in for ``survey`` (the running count)."""
    from app.models import SurveyVersion
    return db.session.scalar(
        select(func.count(Response.id)).join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, Response.batch == batch)) or 0
