"""Tokens for the read-only API: a data warehouse pulls results with a planner's token."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db


class ApiToken(db.Model):
    """A planner's token; only its digest is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the token.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: What the token is for, e.g. "Data warehouse Sozialamt".
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    last_used_on: Mapped[date | None] = mapped_column()
    is_revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped["User"] = relationship()  # noqa: F821
