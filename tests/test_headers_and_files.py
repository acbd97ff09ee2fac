"""Issue 15, point 10: HSTS over TLS, nothing of the staff's kept in caches, the SQLite file
readable by its owner alone, and an answer of invisible characters is empty."""
import os
import stat

from app.config import database_uri
from app.domain.answers import clean_text


def test_hsts_is_sent_over_tls_and_not_over_plain_http(app):
    secure = app.test_client().get("/", base_url="https://localhost")  # TLS, or a proxy saying so
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


def test_staff_pages_and_downloads_are_never_stored_resident_pages_may_be(client, login, placement):
    staff = login("planner")
    for path in ("/results/", "/results/quarter-needs", "/results/quarter-needs/aggregates.csv", "/login"):
        assert staff.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.get(f"/{placement.token}").headers.get("Cache-Control") != "no-store"


def test_the_sqlite_file_is_created_readable_by_its_owner_alone(tmp_path):
    uri = database_uri({}, str(tmp_path / "instance"))
    path = tmp_path / "instance" / "quartiersstimme.sqlite"
    assert uri == f"sqlite:///{path}" and stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_an_answer_of_invisible_characters_is_empty_and_visible_text_keeps_them():
    for invisible in ("\u200b", "\u200e\u200f", "\ufeff", " \u200b \u2060 "):
        assert clean_text(invisible) == ""
    assert clean_text("Mehr\u200bBänke") == "Mehr\u200bBänke"
    assert clean_text("\u200fشكرا") == "\u200fشكرا"
