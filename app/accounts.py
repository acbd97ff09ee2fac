"""Staff accounts and their credentials: creating an account (its password only as a salted
hash) and the planners' API tokens (only their digests are stored). The admins' pages, the
planners' token page, the API and the command line all come here."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date

from sqlalchemy import select

from app.db import db
from app.models import ApiToken, User
from app.models.accounts import ROLES

#: Every API token starts with this (a string that is not one is refused without a lookup).
PREFIX = "qs_"


class AccountError(ValueError):
    """An account that cannot be created as asked; the message says why."""


def create_user(email: str, password: str, role: str, name: str = "") -> User:
    """Add a staff account with a hashed password."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if len(password) < 10:
        raise AccountError("a password needs at least 10 characters")
    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError(f"a user {email} exists already")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def digest(token: str) -> str:
    """The stored digest of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str) -> str:
    """A new token for ``user``; returned once, stored only as a digest (caller commits)."""
    token = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, digest=digest(token), label=label.strip()[:120]))
    return token


def user_for(token: str, today: date) -> User | None:
    """The active staff member a valid, unrevoked token belongs to; notes the day of use."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == digest(token),
                                                   ApiToken.is_revoked.is_(False)))
    if row is None or not row.user.is_enabled:
        return None
    if row.last_used_on != today:
        row.last_used_on = today
        db.session.commit()
    return row.user
