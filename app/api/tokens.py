"""Creating, checking and revoking API tokens (only digests are stored)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date

from sqlalchemy import select

from app.db import db
from app.models import ApiToken, User

PREFIX = "qs_"


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
