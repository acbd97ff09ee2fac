"""Responses and answers. Nothing here identifies a resident.

A response keeps the survey version, the quarter, the meeting place, the channel, the language
and the *day* of submission — no time of day, no IP address, no user agent, no cookie. Each
answer is one row per chosen option (``option_code``), number (``number``) or text (``text``),
so that results are a plain SQL ``GROUP BY`` on every database.

Each response also carries a random **record key** (1 to 255, not 128), drawn when it is stored and never
shown or exported: the cell key method (``app.domain.cellkey``) perturbs every published count
by the sum of its responses' record keys.

A response counts in published figures only once it is **released** (``release_id``): figures
change in daily releases, never with each single answer (``app.results.releases``).
"""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import (JSON, CheckConstraint, Date, Float, ForeignKey, Index, SmallInteger, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db
from app.domain.cellkey import KEY_RANGE, RECORD_KEYS

#: How an answer reached us.
CHANNELS = ("web", "paper", "kiosk", "assisted")


#: Where record keys come from: the operating system's unpredictable randomness.
_source: secrets.SystemRandom | object = secrets.SystemRandom()


def new_record_key() -> int:
    """A response's record key: uniformly random, from a source no one can predict or repeat."""
    return _source.choice(RECORD_KEYS)


class Release(db.Model):
    """One release of a survey's figures (at most one a day): the responses it added are marked
    with it."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: 1, 2, … per survey: two processes releasing at once cannot both write the same number.
    number: Mapped[int]
    #: The day only.
    released_on: Mapped[date] = mapped_column(Date)
    #: Whether it released every response still waiting (the survey had ended).
    final: Mapped[bool] = mapped_column(default=False)


class Response(db.Model):
    """One resident's submitted answers to one survey version."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("channel IN ('web', 'paper', 'kiosk', 'assisted')", name="channel"),
        CheckConstraint("quarter_source IN ('answer', 'place') OR quarter_source IS NULL",
                        name="quarter_source"),
        Index("ix_responses_version_quarter", "survey_version_id", "quarter_id"),
        #: What every read asks first: how many responses of a survey are released, and up to
        #: which release (``app.results.cache.current_mark``) — answered from the index alone.
        Index("ix_responses_version_release", "survey_version_id", "release_id"),
        CheckConstraint(f"record_key >= 0 AND record_key < {KEY_RANGE}", name="record_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    meeting_place_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_places.id"))
    #: The resident's own quarter when they named it, else the quarter of the meeting place.
    quarter_id: Mapped[int | None] = mapped_column(ForeignKey("quarters.id"))
    #: ``answer`` (the resident said so) or ``place`` (taken from the poster's meeting place).
    quarter_source: Mapped[str | None] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10), default="web")
    #: Language the survey was answered in.
    language: Mapped[str] = mapped_column(String(10))
    #: The day only: never the time, which could single a person out.
    submitted_on: Mapped[date] = mapped_column(Date)
    #: Paper forms: the batch they were typed in with, to find typing mistakes later.
    batch: Mapped[str | None] = mapped_column(String(40))
    #: Random, drawn when stored, for the cell key method; never shown, never exported.
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)
    #: The release that added it to published figures; ``None`` while it waits for one.
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"))

    answers: Mapped[list[Answer]] = relationship(back_populates="response",
                                                 cascade="all, delete-orphan")
    version: Mapped["SurveyVersion"] = relationship()  # noqa: F821
    quarter: Mapped["Quarter | None"] = relationship()  # noqa: F821
    meeting_place: Mapped["MeetingPlace | None"] = relationship()  # noqa: F821


class Answer(db.Model):
    """One part of an answer: a chosen option, a number or a text."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint("option_code IS NOT NULL OR number IS NOT NULL OR text IS NOT NULL",
                        name="has_value"),
        Index("ix_answers_question_option", "question_id", "option_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"),
                                             index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    option_code: Mapped[str | None] = mapped_column(String(80))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class SubmissionReceipt(db.Model):
    """Proof that a filled-in form was stored, so that a second click stores nothing.

    Holds a digest of the random key that the form carried; it is not linked to the response.
    """

    __tablename__ = "submission_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_on: Mapped[date] = mapped_column(Date)


class Draft(db.Model):
    """Unfinished answers a resident saved to continue later, found only by the digest of the
    short code they were given (on this phone through a cookie, elsewhere by typing it).

    No name, no address, no device: the raw form fields, the language and the day it was saved.
    Deleted when the answers are sent, and after ``DRAFT_DAYS`` days by ``flask retention purge``.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: Field name → the values typed or ticked (questions, "other" texts and the page).
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(20))
    saved_on: Mapped[date] = mapped_column(Date)


class OneTimeCode(db.Model):
    """A printed code that lets one person answer once. Only a salted digest is stored, and
    nothing links it to the person who received it or to the response it allowed."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    is_used: Mapped[bool] = mapped_column(default=False)
