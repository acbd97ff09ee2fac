"""Staff accounts. Residents never have an account."""
from __future__ import annotations

import functools
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import db

#: How staff passwords are hashed: scrypt, Werkzeug's default, slow on purpose.
PASSWORD_HASH_METHOD = "scrypt"

#: Roles, from most to least powerful.
ROLES = ("admin", "coordinator", "planner")

user_districts = Table(
    "user_districts", db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", ForeignKey("districts.id"), primary_key=True),
)
user_quarters = Table(
    "user_quarters", db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("quarter_id", ForeignKey("quarters.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A member of staff: admin, coordinator or planner."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'coordinator', 'planner')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="coordinator")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: Raised at every log-out: a session cookie of an earlier generation (copied before the
    #: log-out) no longer logs anyone in.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    #: Scope: the whole city, or only the listed districts and quarters (admins: always all).
    is_city_wide: Mapped[bool] = mapped_column(default=True)

    districts: Mapped[list["District"]] = relationship(secondary=user_districts)  # noqa: F821
    quarters: Mapped[list["Quarter"]] = relationship(secondary=user_quarters)  # noqa: F821

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_enabled

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (scrypt, see ``password_hash_method``)."""
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)


@functools.lru_cache(maxsize=4)
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def check_no_password(password: str) -> bool:
    """As long as checking a real password takes — for an address without an account, so that
    the time of the answer does not tell which addresses have one. Always False."""
    check_password_hash(_stand_in_hash(password_hash_method()), password)
    return False


def password_hash_method() -> str:
    """scrypt — except in an app under test (``TESTING``) that asks for a cheaper method with
    ``TEST_PASSWORD_HASH_METHOD``, so that hundreds of test log-ins take no minutes. The setting
    is not read from the environment, and without ``TESTING`` it is ignored."""
    if has_app_context() and current_app.config.get("TESTING"):
        return current_app.config.get("TEST_PASSWORD_HASH_METHOD") or PASSWORD_HASH_METHOD
    return PASSWORD_HASH_METHOD
