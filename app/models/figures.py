"""Reference figures per quarter (residents, age groups, share of foreign nationals …)."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db


class QuarterFigure(db.Model):
    """One official figure of a quarter, e.g. ``population`` = 3968 (2020)."""

    __tablename__ = "quarter_figures"
    __table_args__ = (UniqueConstraint("quarter_id", "name", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarters.id"), index=True)
    #: Stable name: ``population``, ``age_under_18``, ``age_65_plus``, ``foreign_share`` …
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    year: Mapped[int] = mapped_column()
    source: Mapped[str] = mapped_column(String(300), default="")

    quarter: Mapped["Quarter"] = relationship()  # noqa: F821
