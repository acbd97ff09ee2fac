"""Bad input never gets a 500: generated requests (hypothesis) against the resident's form, the
start page, the log-in and the upload endpoints — random and malformed fields, unknown option
codes, numbers out of range, invalid UTF-8, missing or wrong CSRF tokens, wrong methods. Every
one gets a 2xx/3xx/4xx answer, and a request that is not taken stores nothing.

The examples add up to over 5,000 requests in the full run (``make test-all``: ``EXAMPLES``; a
GET comes before most POSTs) and a fifth of them in ``make test`` (``QUICK_DIVISOR``): CI runs
the full count on SQLite and the fifth again on PostgreSQL."""
from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db import db
from app.models import Response, Survey
from tests.conftest import full_size, hidden_fields

#: Examples per test: 2 × 1000 + 1200 + 600 + 2 × 400 + 2 × 300 = 5,200 requests in ``make test-all``.
EXAMPLES = {"resident": 1000, "raw": 1200, "methods": 600, "login": 400, "uploads": 300}
#: ``make test`` runs a fifth of each (1,040 requests): the same generator, fewer draws.
QUICK_DIVISOR = 5
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

FIELDS = ["q_living_satisfaction", "q_top_needs", "q_minutes_to_stop", "q_change_wishes", "q_home_quarter",
          "q_meeting_places", "q_meeting_places-other", "q_age_band", "q_household", "q_help_nearby",
          "page", "back", "another", "lang", "code", "csrf_token", "submission_key"]
VALUES = st.one_of(
    st.sampled_from(["4", "0", "6", "-1", "99999999999999999999", "1e309", "nan", "green_space", "doctors",
                     "other", "126", "elsewhere", "yes", "no", "", " ", "\x00", "<script>alert(1)</script>",
                     "=HYPERLINK(\"x\")", "ä" * 3000, "\u202e\u0627", "../../etc/passwd"]),
    st.text(max_size=300),
)


@pytest.fixture
def examples(request) -> dict[str, int]:
    """Examples per test for this run: all of them in ``make test-all``, else a fifth."""
    divisor = 1 if full_size(request.config) else QUICK_DIVISOR
    return {name: count // divisor for name, count in EXAMPLES.items()}


def stored() -> int:
    return db.session.scalar(select(func.count(Response.id)))


@pytest.fixture
def fuzz_app(app, placement):
    """The app with CSRF on (as in production) and the survey at its meeting place."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["PROPAGATE_EXCEPTIONS"] = True  # a server error fails the test with its traceback
    return app, placement.token


def assert_no_server_error(page, what):
    assert page.status_code < 500, (what, page.status_code, page.get_data(as_text=True)[:500])


@pytest.mark.scaled
def test_the_residents_form_takes_any_fields_without_a_server_error(fuzz_app, examples):
    app, token = fuzz_app

    @settings(FUZZ, max_examples=examples["resident"])
    @given(fields=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)),
                                  st.one_of(VALUES, st.lists(VALUES, max_size=4)), max_size=8),
           keep_token=st.sampled_from(["real", "missing", "wrong"]))
    def post(fields, keep_token):
        client = app.test_client()
        hidden = hidden_fields(client.get(f"/{token}").get_data(as_text=True))
        data = {**hidden, **fields}
        if keep_token == "missing":
            data.pop("csrf_token", None)
        elif keep_token == "wrong":
            data["csrf_token"] = "x" + hidden.get("csrf_token", "")
        before = stored()
        page = client.post(f"/{token}", data=data)
        assert_no_server_error(page, data)
        after = stored()
        if page.status_code in (302, 303) and page.location.endswith("/thanks"):
            assert after - before in (0, 1)  # 0: a second click with the same form
        else:
            assert after == before, (page.status_code, data)

    post()


@pytest.mark.scaled
def test_raw_bodies_invalid_utf8_and_odd_content_types_are_refused_cleanly(fuzz_app, examples):
    app, token = fuzz_app

    @settings(FUZZ, max_examples=examples["raw"])
    @given(body=st.binary(max_size=2000),
           content_type=st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data",
                                         "multipart/form-data; boundary=x", "application/json", "text/plain",
                                         "application/x-www-form-urlencoded; charset=latin-1", ""]),
           path=st.sampled_from([f"/{token}", "/login", "/go", f"/{token}/thanks", "/r/quarter-needs"]))
    def post(body, content_type, path):
        client = app.test_client()
        before = stored()
        page = client.post(path, data=body, headers={"Content-Type": content_type} if content_type else {})
        assert_no_server_error(page, (path, content_type, body[:80]))
        assert stored() == before

    post()


@pytest.mark.scaled
def test_wrong_methods_and_odd_paths_get_4xx(fuzz_app, examples):
    app, token = fuzz_app

    @settings(FUZZ, max_examples=examples["methods"])
    @given(method=st.sampled_from(["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "GET", "POST"]),
           path=st.one_of(st.sampled_from([f"/{token}", f"/{token.upper()}", "/", "/go?code=%ff%fe", "/login",
                                           "/logout", "/privacy", "/r/", "/r/x/999", "/results/", "/manage/"]),
                          st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40).map(lambda t: "/" + t)),
           query=st.text(max_size=40))
    def request(method, path, query):
        client = app.test_client()
        extra = {} if "?" in path else {"query_string": {"q": query, "lang": query[:5]}}
        page = client.open(path, method=method, **extra)
        assert_no_server_error(page, (method, path, query))

    request()


@pytest.mark.scaled
def test_the_log_in_form_never_fails_on_odd_input(fuzz_app, examples):
    app, _ = fuzz_app
    app.config["RATELIMIT_ENABLED"] = False

    @settings(FUZZ, max_examples=examples["login"])
    @given(email=VALUES, password=VALUES, next_=st.sampled_from(["", "/manage/", "//evil.example", "https://x",
                                                                  "javascript:alert(1)", "/%0d%0a"]))
    def post(email, password, next_):
        client = app.test_client()
        hidden = hidden_fields(client.get("/login").get_data(as_text=True))
        page = client.post("/login", query_string={"next": next_},
                           data={**hidden, "email": email, "password": password})
        assert_no_server_error(page, (email, password, next_))
        if page.status_code in (302, 303):
            assert not page.location.startswith(("//", "http", "javascript"))

    post()


@pytest.mark.scaled
def test_uploads_refuse_garbage_with_a_message_and_store_nothing(fuzz_app, examples, login):
    app, _ = fuzz_app
    client = login("admin")
    surveys = db.session.scalar(select(func.count(Survey.id)))
    targets = ["/manage/surveys/import", "/manage/figures", "/results/boundaries"]

    @settings(FUZZ, max_examples=examples["uploads"])
    @given(content=st.one_of(st.binary(max_size=3000),
                             st.sampled_from([b"PK\x03\x04" + b"\x00" * 100, b"code: x\nquestions: [", b"{}",
                                              b'{"type": "FeatureCollection", "features": [{}]}',
                                              b"quarter_code;population\n126;abc\n", b"\xef\xbb\xbf\xff\xfe"])),
           name=st.sampled_from(["form.xlsx", "survey.yaml", "b.geojson", "figures.csv", "x", ""]),
           target=st.sampled_from(targets))
    @example(content=b"\r\x00", name="figures.csv", target="/manage/figures")  # a 500 once: a lone \r in the CSV
    def upload(content, name, target):
        hidden = hidden_fields(client.get(target).get_data(as_text=True))
        page = client.post(target, data={**hidden, "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
        assert_no_server_error(page, (target, name, content[:60]))
        assert db.session.scalar(select(func.count(Survey.id))) == surveys

    upload()


def test_a_json_body_to_any_form_is_refused_as_unsupported(fuzz_app):
    """Found by the fuzzing above: a JSON body that is not an object made WTForms fail."""
    app, token = fuzz_app
    for path in (f"/{token}", "/uzyamhs8un", "/login", "/go"):
        for body in (b"0", b"[1, 2]", b'"x"', b'{"q_living_satisfaction": "4"}'):
            page = app.test_client().post(path, data=body, content_type="application/json")
            assert page.status_code == 415, (path, body)
    assert stored() == 0
