"""Shared fixtures: the app on SQLite in memory (or ``TEST_DATABASE_URL``), a client, the CLI
runner, Stuttgart's areas, a survey at a meeting place, and helpers to answer it."""
from __future__ import annotations

import copy
import functools
import os
import re
from contextlib import contextmanager
from datetime import date

import jinja2
import pytest

from app import accounts, create_app
from app.config import PROJECT_ROOT
from app.db import db
from app.domain import surveyfile
from app.manage import operations

#: Parallel workers (pytest-xdist) are named gw0, gw1 …; empty when the suite runs in one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database(url: str) -> str:
    """``url`` with the database name of this worker (``…/quartiersstimme_test_gw1``): each
    parallel worker creates and drops its tables in a database of its own."""
    if not url or not WORKER:
        return url
    from sqlalchemy.engine import make_url
    base = make_url(url)
    return base.set(database=f"{base.database}_{WORKER}").render_as_string(hide_password=False)


#: The database of the test run: PostgreSQL in CI's second pass, else SQLite in memory.
TEST_DATABASE_URL = _worker_database(os.environ.get("TEST_DATABASE_URL", ""))

#: Test log-ins hash passwords with one round of PBKDF2 instead of scrypt (honoured only under
#: ``TESTING``; tests/test_accounts.py proves that the real app uses scrypt).
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _TemplateBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory and shared by every app of a test process: each test
    builds a fresh app, and each would otherwise compile the same templates again. Jinja checks
    a template's source checksum before it uses the kept code."""

    def __init__(self):
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.kept:
            bucket.bytecode_from_string(self.kept[bucket.key])

    def dump_bytecode(self, bucket):
        self.kept[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _TemplateBytecode()


def make_app(**overrides):
    """An app for tests, on a fresh schema."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://",
        "K_ANONYMITY": 5,
        "TEST_PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        **overrides,
    }
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE

    @app.teardown_request
    def forget_request_globals(error=None):
        """Tests hold an app context open, which Flask reuses for each request: without this,
        ``g`` (the logged-in user, the CSRF token) would leak from one request into the next,
        as it never does on a real server."""
        from flask import g
        g.__dict__.clear()

    return app


#: The tiers of the suite: ``test`` (``make test``: every test that guards behaviour), ``all``
#: (``make test-all``: that plus the full matrices) and ``matrices`` (only what ``all`` adds, so
#: that CI can time ``make test`` and then run the rest). Tests marked ``all_matrices`` run in
#: ``all`` and ``matrices``; tests marked ``scaled`` run in every tier, at full size in the
#: last two (``full_size``).
TIERS = ("test", "all", "matrices")


def pytest_addoption(parser):
    parser.addoption("--tier", choices=TIERS, default="test",
                     help="test: make test (default); all: make test-all, the full matrices too; "
                          "matrices: only what make test-all adds to make test")


def pytest_configure(config):
    if TEST_DATABASE_URL.startswith("postgresql"):
        _fresh_postgresql_database()


def _fresh_postgresql_database():
    """This worker's PostgreSQL database, created beside the one CI made unless it exists, and
    without the tables of an earlier run (tests keep tables between them and empty them)."""
    from sqlalchemy import MetaData, create_engine, text
    from sqlalchemy.engine import make_url
    name = make_url(TEST_DATABASE_URL).database
    if WORKER:
        engine = create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
    engine = create_engine(TEST_DATABASE_URL)
    earlier = MetaData()
    earlier.reflect(engine)
    earlier.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Keep the tests of this run's tier; the others are deselected (and counted as such in the
    summary line), never skipped."""
    tier = config.getoption("--tier")
    if tier == "test":
        keep = [item for item in items if not item.get_closest_marker("all_matrices")]
    elif tier == "matrices":
        keep = [item for item in items if item.get_closest_marker("all_matrices") or item.get_closest_marker("scaled")]
    else:
        keep = items
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = keep


def full_size(config) -> bool:
    """Whether the ``scaled`` tests run at full size (``make test-all`` and CI's matrices)."""
    return config.getoption("--tier") != "test"


def free_port() -> int:
    """A free TCP port on the loopback interface, for a server a test starts."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_survey_at_place(template="quarter-needs", quarter_code="126"):
    """In the current app context: Stuttgart's areas, a shipped survey opened and placed at a
    community centre; returns the placement (for apps outside the ``app`` fixture)."""
    from sqlalchemy import select

    from app.models import Quarter, Survey
    text = (PROJECT_ROOT / "app" / "data" / "stuttgart_quarters.csv").read_text(encoding="utf-8")
    city = operations.load_areas("stuttgart", "Stuttgart", text, "test").city
    operations.import_survey(load_template(template), city)
    survey = Survey.by_code(load_template(template).code)
    operations.set_status(survey.consultation, "open")
    place = operations.create_meeting_place("Stadtteilhaus", "community_centre",
                                            db.session.scalar(select(Quarter).where(Quarter.code == quarter_code)))
    placement = operations.place_survey(survey, place)
    db.session.commit()
    return placement


@contextmanager
def app_with_tables(**overrides):
    """A fresh app with empty tables, its app context pushed; the tables are dropped on leaving.

    Module-scoped fixtures build expensive read-only data in one (an export bundle, a workbook)
    once per module and hand the tests plain values that outlive it."""
    app = make_app(**overrides)
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            empty_tables()
            db.engine.dispose()


def empty_tables():
    """Leave the database without data. PostgreSQL keeps the tables and empties them (one
    ``TRUNCATE``, three times faster than dropping and creating them, and the ids start at 1
    again); SQLite drops them (in memory, nothing is faster)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import inspect
        existing = set(inspect(db.engine).get_table_names())
        tables = [table.name for table in db.metadata.sorted_tables if table.name in existing]
        if tables:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        db.drop_all()


@pytest.fixture
def app(tmp_path):
    """The app with empty tables."""
    with app_with_tables(EXPORT_DIR=str(tmp_path / "exports")) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def stuttgart(app):
    """Stuttgart's 23 districts and 152 quarters, from the shipped data file."""
    text = (PROJECT_ROOT / "app" / "data" / "stuttgart_quarters.csv").read_text(encoding="utf-8")
    city = operations.load_areas("stuttgart", "Stuttgart", text, "test").city
    db.session.commit()
    return city


def load_template(name: str):
    """A shipped survey template as a ``SurveyDef`` of the caller's own (read once per process)."""
    return copy.deepcopy(_parsed_template(name))


@functools.cache
def _parsed_template(name: str):
    return surveyfile.load((PROJECT_ROOT / "surveys" / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def make_placement(app, stuttgart):
    """Factory: a shipped survey, open, placed at a meeting place in ``quarter_code``."""

    def make(template="quarter-needs", quarter_code="126", status="open", place_name="Stadtteilhaus"):
        from sqlalchemy import select

        from app.models import Quarter, Survey
        defn = load_template(template)
        survey = Survey.by_code(defn.code)
        if survey is None:
            operations.import_survey(defn, stuttgart)
            survey = Survey.by_code(defn.code)
        operations.set_status(survey.consultation, status)
        quarter = db.session.scalar(select(Quarter).where(Quarter.code == quarter_code))
        place = operations.create_meeting_place(place_name, "community_centre", quarter)
        placement = operations.place_survey(survey, place)
        db.session.commit()
        return placement

    return make


@pytest.fixture
def placement(make_placement):
    """The quarter needs survey, open, at a community centre in Nordbahnhof (126)."""
    return make_placement()


@pytest.fixture
def all_on_one_page(placement):
    """The needs survey with every question on one page (its setting; long surveys otherwise
    ask one question per page)."""
    placement.survey.one_question_per_page = False
    db.session.commit()
    return placement


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (CSRF token, submission key …)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


@pytest.fixture
def answer(client):
    """Answer a placement's survey like a phone: GET the form, POST it with its hidden fields."""

    def post(placement, data: dict, headers=None, query=""):
        page = client.get(f"/{placement.token}{query}", headers=headers or {})
        return walk_pages(client, f"/{placement.token}", page, data, headers)

    return post


def walk_pages(client, url: str, page, data: dict, headers=None):
    """Send ``data`` page after page, as a resident pressing "Next" would, until the survey
    answers with something other than its next page (the thank-you redirect, or errors)."""
    for _ in range(60):
        fields = hidden_fields(page.get_data(as_text=True))
        page = client.post(url, data={**fields, **data}, headers=headers or {})
        html = page.get_data(as_text=True)
        if page.status_code != 200 or 'name="page"' not in html:
            return page
    raise AssertionError("the survey never ended")


def log_in(client, email: str, password: str):
    """Log ``client`` in through the real log-in form, CSRF token included."""
    fields = hidden_fields(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data={**fields, "email": email, "password": password})
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def login(client, app):
    """Factory: a staff account of ``role``, logged in on ``client``."""

    def make(role="planner"):
        email = f"{role}@example.org"
        accounts.create_user(email, "a-long-password", role)
        db.session.commit()
        return log_in(client, email, "a-long-password")

    return make


@pytest.fixture(autouse=True)
def repeatable_record_keys(request, monkeypatch):
    """Record keys drawn from a generator seeded by the test's name instead of the operating
    system: every published (perturbed) figure of a test is the same in every run, so a test
    never passes or fails by the luck of the draw. Tests assert what holds for any keys."""
    import random
    import zlib

    from app.models import responses
    monkeypatch.setattr(responses, "_source", random.Random(zlib.crc32(request.node.nodeid.encode())))


@pytest.fixture(autouse=True)
def released_at_once(request, monkeypatch):
    """Every answer stored is released before figures are next read, as if the day's release
    had just run: tests of pages and exports see the answers they stored. The release rules
    themselves (daily, k per quarter, nothing unreleased anywhere) are tested with the marker
    ``daily_releases``, which keeps them as the product runs them."""
    if request.node.get_closest_marker("daily_releases"):
        return
    import functools

    from app.results import releases
    monkeypatch.setattr(releases, "ensure", functools.partial(releases.ensure, everything=True))


@pytest.fixture
def today():
    return date.today()


# Real headless Chromium (Debian's), never a downloaded browser.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone."""
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True,
            "has_touch": True}
