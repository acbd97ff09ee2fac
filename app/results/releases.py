"""Releases: published figures change once a day at most, and a quarter's only in steps of k.

The cell key method gives the same figure for the same responses, however often it is asked
for. But every new response in an area draws fresh noise for every cell of that area, and
figures that followed every single response would let anyone who knows when a neighbour
answered (at a kiosk, in an assisted entry) compare the figures before and after — and someone
who watches, or adds answers of their own, would get a new draw of the noise with each one and
could average it away.

So a response counts in published figures — every page, the API, every export, the public
page, the monitor — only once a **release** has taken it in. A release:

- happens at most once a day per survey (numbered 1, 2, …): the first time its figures are
  asked for that day, or when ``flask release-results`` runs (e.g. from cron);
- takes in answers given before its day only — what a release holds does not depend on when
  someone first looks that day;
- takes in the waiting responses of a quarter only when there are at least
  ``RELEASE_MINIMUM`` (default: k) of them, so that one release never adds fewer than k
  residents to a quarter, its district or the city; responses without a quarter count as a
  quarter of their own;
- takes in everything still waiting once the survey has ended (its last release).

What a release adds is never said: it is marked on the responses (``release_id``), dated by
day only.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import db
from app.models import Release, Response, Survey, SurveyVersion

#: The condition every published figure puts on ``Response``.
RELEASED = Response.release_id.is_not(None)
#: Set in a session's ``info`` while its transaction holds writes not yet committed.
_WROTE = "quartiersstimme_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session, context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session) -> None:
    session.info.pop(_WROTE, None)


def minimum() -> int:
    """How many responses must wait in a quarter before a release takes them in."""
    return int(current_app.config.get("RELEASE_MINIMUM") or current_app.config["K_ANONYMITY"])


def latest(survey: Survey) -> Release | None:
    """The survey's latest release, if it had one."""
    return db.session.scalars(select(Release).where(Release.survey_id == survey.id)
                              .order_by(Release.number.desc()).limit(1)).first()


def _waiting(survey: Survey, before: date | None):
    """SQL condition: responses of ``survey`` not released yet (given before ``before``)."""
    condition = Response.survey_version_id.in_(
        select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id).scalar_subquery()) \
        & Response.release_id.is_(None)
    return condition if before is None else condition & (Response.submitted_on < before)


def waiting_by_quarter(survey: Survey, before: date | None = None) -> dict[int | None, int]:
    """How many responses wait for a release (given before ``before``, if named), per quarter
    id (``None``: without a quarter). For the release alone: never shown."""
    return dict(db.session.execute(
        select(Response.quarter_id, func.count(Response.id)).where(_waiting(survey, before))
        .group_by(Response.quarter_id)).all())


def due(survey: Survey, today: date, everything: bool = False) -> tuple[list[int | None], bool]:
    """The quarters a release today would take in, and whether it is the final one (the survey
    has ended, or ``everything`` was asked for: demo data, a survey closed early — then also a
    second release on the same day)."""
    last = latest(survey)
    if last is not None and last.released_on >= today and not everything:
        return [], False
    final = everything or survey.consultation.ended_on(today) is not None
    waiting = waiting_by_quarter(survey, None if final else today)
    if not waiting:
        return [], False
    least = minimum()
    return [quarter for quarter, n in waiting.items() if final or n >= least], final


def release(survey: Survey, today: date, everything: bool = False) -> Release | None:
    """Release the survey's figures for ``today`` if a release is due; the new release, or
    ``None``. With ``everything``, every waiting response goes in, however few. Commits. Safe
    when two processes try at once: one wins, the other finds it done."""
    quarters, final = due(survey, today, everything)
    if not quarters:
        return None
    last = latest(survey)
    try:
        made = Release(survey_id=survey.id, number=(last.number + 1) if last else 1, released_on=today, final=final)
        db.session.add(made)
        db.session.flush()
        known = [q for q in quarters if q is not None]
        where = Response.quarter_id.in_(known) if known else None
        if None in quarters:
            where = Response.quarter_id.is_(None) if where is None else (where | Response.quarter_id.is_(None))
        db.session.execute(update(Response).where(_waiting(survey, None if final else today), where)
                           .values(release_id=made.id).execution_options(synchronize_session=False))
        db.session.commit()
    except IntegrityError:  # another process released at the same moment
        db.session.rollback()
        return None
    return made


def ensure(survey: Survey, today: date | None = None, everything: bool = False) -> None:
    """Run the day's release before figures are read, unless the session holds changes of its
    own, flushed or not (a release commits, and must never commit someone's half-done work:
    then the next read does it). ``everything``: see ``release``."""
    session = db.session
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        return
    release(survey, today or date.today(), everything)


def release_all(today: date) -> list[tuple[Survey, Release]]:
    """The day's release of every survey that has one due (for ``flask release-results``)."""
    made = []
    for survey in db.session.scalars(select(Survey).order_by(Survey.id)).all():
        result = release(survey, today)
        if result is not None:
            made.append((survey, result))
    return made
