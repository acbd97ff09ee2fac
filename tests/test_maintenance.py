"""Backups, restores, retention and deleting a survey's responses on request."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.db import db
from app.maintenance import MaintenanceError, backup, purge_expired, restore
from app.models import Answer, AuditEntry, Response, SubmissionReceipt
from tests.analyse.test_results import add_responses
from tests.conftest import make_app, seed_survey_at_place


def counts():
    return (db.session.scalar(select(func.count(Response.id))), db.session.scalar(select(func.count(Answer.id))))


def test_a_backup_restores_into_an_empty_database_with_every_answer(tmp_path, today):
    """Both ends are SQLite files here, whichever database the rest of the suite runs on."""
    source = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.sqlite'}")
    with source.app_context():
        db.create_all()
        placement = seed_survey_at_place()
        add_responses(placement, today, [{"living_satisfaction": "4", "change_wishes": "Mehr Bänke"}] * 6)
        before = counts()
        written = backup(tmp_path / "snapshot.sqlite")
        with pytest.raises(MaintenanceError, match="never overwrites"):
            backup(written)
        db.session.remove()
        db.engine.dispose()
    target = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'new.sqlite'}")
    with target.app_context():
        db.create_all()
        restore(written)
        assert counts() == before == (6, 12)
        with pytest.raises(MaintenanceError, match="not empty"):
            restore(written)
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_no_backup(app, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    with pytest.raises(MaintenanceError):
        restore(junk)


def test_backup_on_postgresql_points_to_pg_dump_and_on_sqlite_writes_a_file(app, tmp_path):
    if db.engine.dialect.name == "sqlite" and db.engine.url.database in (None, "", ":memory:"):
        written = backup(tmp_path / "memory.sqlite")
        assert written.read_bytes().startswith(b"SQLite format 3\x00")
    else:
        with pytest.raises(MaintenanceError, match="pg_dump"):
            backup(tmp_path / "x.sqlite")


def test_retention_purges_only_surveys_that_ended_long_enough_ago(app, runner, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "3"}] * 5)
    consultation = placement.survey.consultation
    consultation.status, consultation.closed_on = "closed", today - timedelta(days=40)
    db.session.commit()
    assert purge_expired(today, days=60) == []
    assert counts()[0] == 5
    result = runner.invoke(args=["retention", "purge", "--days", "30", "--dry-run"])
    assert "would delete 5 responses" in result.output and counts()[0] == 5
    result = runner.invoke(args=["retention", "purge", "--days", "30"])
    assert result.exit_code == 0 and "deleted 5 responses" in result.output
    assert counts() == (0, 0)
    assert db.session.scalar(select(func.count(SubmissionReceipt.id))) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.responses_deleted"))
    assert entry.details["count"] == 5 and "retention" in entry.details["reason"]


def test_a_running_consultation_is_never_purged(app, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "3"}] * 2)
    placement.survey.consultation.closes_on = today + timedelta(days=3)
    db.session.commit()
    assert purge_expired(today + timedelta(days=1), days=0) == []
    assert purge_expired(today + timedelta(days=10), days=5)[0].count == 2


def test_closing_by_hand_remembers_the_day_and_reopening_forgets_it(app, placement):
    from app.manage import operations
    consultation = placement.survey.consultation
    operations.set_status(consultation, "closed")
    assert consultation.closed_on == date.today() and consultation.ended_on(date.today()) == date.today()
    operations.set_status(consultation, "open")
    assert consultation.closed_on is None and consultation.ended_on(date.today()) is None


def test_deleting_a_surveys_responses_on_request_from_the_command_line(app, runner, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "3"}] * 3)
    result = runner.invoke(args=["survey", "delete-responses", "quarter-needs", "--reason", "Bezirksbeirat"],
                           input="y\n")
    assert result.exit_code == 0 and "deleted 3 responses" in result.output
    assert counts() == (0, 0)
    assert db.session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "survey.responses_deleted")) \
        == "quarter-needs: 3 (Bezirksbeirat)"
