"""The Alembic migrations build the schema from empty, and agree with the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app.db import db


def test_migrations_from_empty_match_the_models(app):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(directory=app.config["MIGRATIONS_DIR"])
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []
    assert {"responses", "answers", "placements", "quarters"} <= set(inspect(db.engine).get_table_names())
    downgrade(directory=app.config["MIGRATIONS_DIR"], revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_there_is_a_single_migration_head(app):
    from alembic.script import ScriptDirectory
    config = app.extensions["migrate"].migrate.get_config(app.config["MIGRATIONS_DIR"])
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_the_suite_runs_on_the_database_it_was_given(app):
    """CI's second pass sets TEST_DATABASE_URL to PostgreSQL: make sure that is what runs."""
    from tests.conftest import TEST_DATABASE_URL
    expected = "postgresql" if TEST_DATABASE_URL.startswith("postgresql") else "sqlite"
    assert db.engine.dialect.name == expected


def test_existing_responses_get_random_record_keys_when_the_column_arrives(app, placement, today):
    """The record-key migration draws a key for every response already stored: in range, not
    all alike (256 responses with one key each would all collide with probability 256^-255)."""
    from flask_migrate import stamp

    from app.models import Response
    from app.domain.cellkey import RECORD_KEYS
    from tests.analyse.test_results import add_responses
    add_responses(placement, today, [{"living_satisfaction": "4", "minutes_to_stop": "5"}] * 40)
    ids = sorted(db.session.scalars(select(Response.id)))
    db.session.remove()
    directory = app.config["MIGRATIONS_DIR"]
    stamp(directory=directory)  # the tables were made from the models: they are at the head
    downgrade(directory=directory, revision="b7e1c4d2a9f0")
    assert "record_key" not in {c["name"] for c in inspect(db.engine).get_columns("responses")}
    upgrade(directory=directory)
    keys = dict(db.session.execute(select(Response.id, Response.record_key)).all())
    assert sorted(keys) == ids
    assert all(key in RECORD_KEYS for key in keys.values())
    assert len(set(keys.values())) > 10
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
