"""The audit log: every staff change to surveys, placements, responses and accounts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db


class AuditEntry(db.Model):
    """One change made by a member of staff (never by a resident)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When, in UTC (staff actions only: residents' answers carry no time).
    at: Mapped[datetime] = mapped_column(default=datetime.utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: What was done, a stable verb: ``survey.import``, ``placement.pause``, ``user.create`` …
    action: Mapped[str] = mapped_column(String(60))
    #: What it was done to: ``survey:12``, ``placement:3``.
    target: Mapped[str] = mapped_column(String(80), default="")
    #: A readable one-line summary.
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped["User | None"] = relationship()  # noqa: F821
