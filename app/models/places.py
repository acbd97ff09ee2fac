"""Meeting places and placements: a survey at a place, which is what a QR code carries."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db
from app.models.areas import Quarter

#: Kinds of meeting place, in the order forms list them.
PLACE_KINDS = (
    "community_centre", "family_centre", "senior_meeting_point", "library", "school",
    "religious_community", "sports_club", "other",
)

#: Letters of a placement token: no 0/o, 1/l/i, so it can be typed from a poster.
TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
#: Length of a token: 31**10 ≈ 8 · 10**14 possibilities.
TOKEN_LENGTH = 10


def new_token() -> str:
    """A fresh, unguessable placement token."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(typed: str) -> str:
    """A token as a resident may type it (capitals, spaces, hyphens) in its stored form."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())


def display_token(token: str) -> str:
    """The token in two groups of five, easier to read aloud and type: ``ab3k7-mxqp2``."""
    return f"{token[:5]}-{token[5:]}" if len(token) == TOKEN_LENGTH else token


class MeetingPlace(db.Model):
    """A place where people of a quarter meet and where a survey poster can hang."""

    __tablename__ = "meeting_places"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in PLACE_KINDS) + ")", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarters.id"), index=True)
    #: Street and number, optional.
    address: Mapped[str] = mapped_column(String(300), default="")

    quarter: Mapped[Quarter] = relationship()


#: How a placement is used: a poster with a QR code (``web``) or a shared tablet (``kiosk``).
PLACEMENT_MODES = ("web", "kiosk")


class Placement(db.Model):
    """One survey offered at one meeting place, reached through its own QR code."""

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("survey_id", "meeting_place_id", "mode"),
        CheckConstraint("mode IN ('web', 'kiosk')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    meeting_place_id: Mapped[int] = mapped_column(ForeignKey("meeting_places.id"))
    #: The unguessable short token in the QR code and the typed URL.
    token: Mapped[str] = mapped_column(String(20), unique=True, default=new_token)
    #: A paused placement tells residents it takes no answers at the moment.
    is_paused: Mapped[bool] = mapped_column(default=False)
    #: ``web`` (QR code on a poster) or ``kiosk`` (a shared tablet: fresh start after each answer).
    mode: Mapped[str] = mapped_column(String(10), default="web")
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    meeting_place: Mapped[MeetingPlace] = relationship()
    survey: Mapped["Survey"] = relationship(back_populates="placements")  # noqa: F821
