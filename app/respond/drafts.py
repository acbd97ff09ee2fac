"""Save and resume: unfinished answers kept under a short code, for 30 days at most.

The code is the only key: eight letters and digits that cannot be mistaken for one another
(no 0/O, 1/I/L), shown as ``ABCD-EFGH``. Only a keyed digest of it is stored, so the table
alone leads to no draft. The phone that saved keeps the code in a cookie; on another device
the resident types it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.db import db
from app.models import Draft, Survey

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # without 0, 1, I, L, O
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


#: Cyrillic and Greek capitals that look like Latin ones: a code typed on such a keyboard works.
LOOK_ALIKES = str.maketrans("АВЕКМНРСТУХΑΒΕΖΗΚΜΝΡΤΥΧ", "ABEKMHPCTYXABEZHKMNPTYX")


def normalized(typed: str) -> str:
    """A typed code as it was given: capitals, without spaces or hyphens, look-alike letters of
    other alphabets read as the Latin ones."""
    return "".join(typed.split()).replace("-", "").upper().translate(LOOK_ALIKES)


def shown(code: str) -> str:
    """``ABCDEFGH`` → ``ABCD-EFGH``."""
    return f"{code[:4]}-{code[4:]}"


def _digest(survey: Survey, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"draft:{survey.id}:{normalized(code)}".encode(), hashlib.sha256).hexdigest()


def find(survey: Survey, code: str | None, today: date) -> Draft | None:
    """The survey's draft under ``code`` if it is younger than ``DRAFT_DAYS``."""
    if not code:
        return None
    draft = db.session.scalar(select(Draft).where(Draft.survey_id == survey.id,
                                                  Draft.digest == _digest(survey, code)))
    if draft is not None and draft.saved_on < today - timedelta(days=current_app.config["DRAFT_DAYS"]):
        return None
    return draft


def save(survey: Survey, fields: dict[str, list[str]], language: str, today: date,
         code: str | None = None) -> str:
    """Keep ``fields`` under ``code`` (a draft saved before keeps its code) or a new code; commit
    and return the code."""
    draft = find(survey, code, today)
    if draft is None:
        code = new_code()
        draft = Draft(survey_id=survey.id, digest=_digest(survey, code))
        db.session.add(draft)
    draft.fields, draft.language, draft.saved_on = fields, language, today
    db.session.commit()
    return normalized(code)


def forget(survey: Survey, code: str | None) -> None:
    """Delete the draft under ``code`` (in the caller's transaction)."""
    if code:
        db.session.execute(delete(Draft).where(Draft.survey_id == survey.id,
                                               Draft.digest == _digest(survey, code)))


def purge(today: date, days: int) -> int:
    """Delete every draft saved more than ``days`` days before ``today``; commit; return how many."""
    result = db.session.execute(delete(Draft).where(Draft.saved_on < today - timedelta(days=days)))
    db.session.commit()
    return result.rowcount
