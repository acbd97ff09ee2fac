"""Backups, restores and retention: keeping answers safe, and not keeping them longer than needed.

* ``backup`` writes a consistent snapshot of an SQLite database with SQLite's online backup
  (readers and writers may go on meanwhile). PostgreSQL is backed up with its own tools
  (``pg_dump --format=custom``, see docs/deployment.md): a second, home-made dump format would
  only be a worse one.
* ``restore`` reads such a snapshot back into an empty database, and refuses any other.
* ``purge_expired`` deletes the responses of surveys whose consultation stopped taking answers
  more than ``RETENTION_DAYS`` ago; ``delete_responses`` deletes one survey's responses on
  request. Both write an audit entry with the survey and the number deleted (nothing else).
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, inspect, select

from app.audit import record
from app.db import db
from app.models import Answer, Consultation, Response, SubmissionReceipt, Survey, SurveyVersion


class MaintenanceError(Exception):
    """A backup, restore or purge that cannot be done; the message says why."""


def _sqlite_connection():
    """The DB-API connection of the app's SQLite database (else a ``MaintenanceError``)."""
    if db.engine.dialect.name != "sqlite":
        raise MaintenanceError(
            f"{db.engine.dialect.name} databases are backed up with their own tools "
            "(PostgreSQL: pg_dump --format=custom, restored with pg_restore; see docs/deployment.md).")
    return db.engine.raw_connection()


def backup(path: str | Path) -> Path:
    """Write a consistent snapshot of the SQLite database to ``path`` (a new file)."""
    path = Path(path)
    if path.exists():
        raise MaintenanceError(f"{path} exists already; a backup never overwrites a file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_connection()
    try:
        target = sqlite3.connect(path)
        try:
            source.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return path


def is_empty() -> bool:
    """Whether the database holds no rows in any of the app's tables (Alembic's own table may
    say which migration it is at)."""
    present = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        for name, table in db.metadata.tables.items():
            if name in present and connection.execute(select(func.count()).select_from(table)).scalar():
                return False
    return True


def restore(path: str | Path) -> None:
    """Read the snapshot at ``path`` into the app's SQLite database, which must be empty."""
    path = Path(path)
    if not path.is_file():
        raise MaintenanceError(f"{path}: no such file.")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise MaintenanceError(f"{path} is not an SQLite backup.")
    if not is_empty():
        raise MaintenanceError("The database is not empty: restore only into a new, empty database.")
    db.session.remove()
    target = _sqlite_connection()
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(target.driver_connection)
        finally:
            source.close()
    finally:
        target.close()
    db.engine.dispose()


def delete_responses(survey: Survey, reason: str) -> int:
    """Delete every response of ``survey`` with its answers (and the receipts that guarded
    against double sending); audit-logged with the number and ``reason``. Not committed."""
    ids = select(Response.id).join(SurveyVersion, SurveyVersion.id == Response.survey_version_id) \
        .where(SurveyVersion.survey_id == survey.id)
    count = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    db.session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
    db.session.execute(delete(Response).where(Response.id.in_(ids.scalar_subquery())))
    db.session.execute(delete(SubmissionReceipt).where(SubmissionReceipt.survey_id == survey.id))
    survey.deletions = (survey.deletions or 0) + 1
    record("survey.responses_deleted", f"survey:{survey.id}", f"{survey.code}: {count} ({reason})",
           count=count, reason=reason)
    return count


@dataclass
class Purged:
    """One survey's responses deleted by the retention rule."""

    survey: str
    ended_on: date
    count: int


def purge_expired(today: date, days: int, dry_run: bool = False) -> list[Purged]:
    """Delete the responses of every survey whose consultation stopped taking answers more
    than ``days`` days before ``today``. With ``dry_run``, only say what would go."""
    purged = []
    for consultation in db.session.scalars(select(Consultation).order_by(Consultation.code)):
        ended = consultation.ended_on(today)
        if ended is None or (today - ended).days <= days:
            continue
        for survey in consultation.surveys:
            count = db.session.scalar(
                select(func.count()).select_from(Response)
                .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
                .where(SurveyVersion.survey_id == survey.id))
            if not count:
                continue
            if not dry_run:
                delete_responses(survey, f"retention: ended {ended.isoformat()}, kept {days} days")
            purged.append(Purged(survey.code, ended, count))
    return purged
