"""Areas: a city, its districts (Stadtbezirke) and their quarters (Stadtteile)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db


class City(db.Model):
    """A city whose quarters a consultation can reach."""

    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short machine name, e.g. ``stuttgart``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Where the list of districts and quarters came from (shown in exports).
    source: Mapped[str] = mapped_column(String(300), default="")

    districts: Mapped[list[District]] = relationship(
        back_populates="city", order_by="District.code", cascade="all, delete-orphan"
    )


class District(db.Model):
    """A city district (Stadtbezirk) with its official two-digit code."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("city_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    #: Official code, kept as text: ``01``.
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))

    city: Mapped[City] = relationship(back_populates="districts")
    quarters: Mapped[list[Quarter]] = relationship(
        back_populates="district", order_by="Quarter.code", cascade="all, delete-orphan"
    )


class Quarter(db.Model):
    """A quarter (Stadtteil) with its official three-digit code, unique within its city."""

    __tablename__ = "quarters"
    __table_args__ = (UniqueConstraint("city_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    #: Official code, kept as text: ``126``.
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))

    district: Mapped[District] = relationship(back_populates="quarters")

    def __repr__(self) -> str:
        return f"<Quarter {self.code} {self.name}>"
