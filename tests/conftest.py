"""Shared fixtures: the app on SQLite in memory (or ``TEST_DATABASE_URL``), a client, the CLI
runner, Stuttgart's areas, a survey at a meeting place, and helpers to answer it."""
from __future__ import annotations

import os
import re
from datetime import date

import pytest

from app import create_app
from app import accounts
from app.config import PROJECT_ROOT
from app.db import db
from app.domain import surveyfile
from app.manage import operations

#: The database of the test run: PostgreSQL in CI's second pass, else SQLite in memory.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")

#: Test log-ins hash passwords with one round of PBKDF2 instead of scrypt (honoured only under
#: ``TESTING``; tests/test_accounts.py proves that the real app uses scrypt).
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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

    @app.teardown_request
    def forget_request_globals(error=None):
        """Tests hold an app context open, which Flask reuses for each request: without this,
        ``g`` (the logged-in user, the CSRF token) would leak from one request into the next,
        as it never does on a real server."""
        from flask import g
        g.__dict__.clear()

    return app


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


@pytest.fixture
def app(tmp_path):
    """The app with empty tables."""
    app = make_app(EXPORT_DIR=str(tmp_path / "exports"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


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
    """A shipped survey template as a ``SurveyDef``."""
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
