"""Nothing lost under load: 200 residents answer at once through gunicorn with several workers
(loopback only). Every success page means the answers are stored exactly once, everything else
means nothing is stored — also while a worker is killed with SIGKILL in the middle of the run."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.db import db
from app.models import Answer, Response, SubmissionReceipt
from tests.conftest import TEST_DATABASE_URL, free_port, hidden_fields, make_app, seed_survey_at_place

BIN = Path(sys.executable).parent
RESIDENTS = 200
#: What each resident answers: one option, one number, one text — three answer rows.
ANSWERS = {"q_living_satisfaction": "4", "q_minutes_to_stop": "6", "q_change_wishes": "Mehr Bänke"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


#: Both tests share one server (module-scoped), so they run on one worker.
pytestmark = pytest.mark.xdist_group("gunicorn_load")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A seeded database and gunicorn with four workers on it, shared by the tests of this module
    (each counts what it adds); yields (base URL, token, process, database URL)."""
    tmp_path = tmp_path_factory.mktemp("load")
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'load.sqlite'}"
    seed = make_app(SQLALCHEMY_DATABASE_URI=url)
    with seed.app_context():
        db.drop_all()
        db.create_all()
        placement = seed_survey_at_place()
        placement.survey.one_question_per_page = False  # every answer in one POST: the load is the storing
        db.session.commit()
        token = placement.token
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-test", "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "4", "GUNICORN_TIMEOUT": "60", "LOG_LEVEL": "warning",
           "SESSION_COOKIE_SECURE": "false"}  # plain HTTP on loopback: the phones must get their cookie back
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                               cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/", timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    yield base, token, process, url
    process.terminate()
    process.wait(timeout=30)
    with seed.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def resident(base: str, token: str) -> bool:
    """One phone: GET the survey, POST the answers with its hidden fields. True when the thank-you
    page was reached."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
    try:
        page = opener.open(f"{base}/{token}", timeout=60).read().decode()
        body = urllib.parse.urlencode({**hidden_fields(page), **ANSWERS}).encode()
        opener.open(urllib.request.Request(f"{base}/{token}", data=body, method="POST"), timeout=60)
    except urllib.error.HTTPError as error:
        return error.code in (302, 303) and error.headers.get("Location", "").endswith("/thanks")
    except OSError:
        return False
    return False  # a page, not the redirect: the answers were not taken


def _stored(url: str) -> tuple[int, int, int, int]:
    """Responses, answers, receipts, and responses without all three answers."""
    check = make_app(SQLALCHEMY_DATABASE_URI=url)
    with check.app_context():
        per_response = select(Answer.response_id, func.count().label("n")).group_by(Answer.response_id).subquery()
        partial = db.session.scalar(
            select(func.count()).select_from(Response)
            .outerjoin(per_response, per_response.c.response_id == Response.id)
            .where(func.coalesce(per_response.c.n, 0) != len(ANSWERS)))
        figures = (db.session.scalar(select(func.count(Response.id))), db.session.scalar(select(func.count(Answer.id))),
                   db.session.scalar(select(func.count(SubmissionReceipt.id))), partial)
        db.session.remove()
        db.engine.dispose()
    return figures


def _workers(master: int) -> list[int]:
    """The process ids of gunicorn's workers (children of the master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


def added(before: tuple, after: tuple) -> tuple[int, int, int, int]:
    """Responses, answers and receipts added since ``before``; responses without all their answers."""
    return (*(a - b for a, b in zip(after[:3], before[:3])), after[3])


def test_two_hundred_residents_at_once_are_each_stored_exactly_once(server):
    base, token, _, url = server
    before = _stored(url)
    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        results = list(pool.map(lambda _: resident(base, token), range(RESIDENTS)))
    succeeded = sum(results)
    responses, answers, receipts, partial = added(before, _stored(url))
    print(f"{succeeded} of {RESIDENTS} residents reached the thank-you page")
    assert succeeded > RESIDENTS * 0.9  # a few may be asked to try again, never more
    assert (responses, answers, receipts, partial) == (succeeded, succeeded * len(ANSWERS), succeeded, 0)


def test_a_worker_killed_mid_run_leaves_no_partial_response(server):
    base, token, process, url = server
    before = _stored(url)
    done = []
    killed = []

    def killer():
        while len(done) < RESIDENTS // 4:
            time.sleep(0.01)
        victims = _workers(process.pid)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])

    thread = threading.Thread(target=killer)
    thread.start()

    def run(_):
        ok = resident(base, token)
        done.append(ok)
        return ok

    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        results = list(pool.map(run, range(RESIDENTS)))
    thread.join(timeout=30)
    assert killed, "no worker was killed"
    succeeded = sum(results)
    responses, answers, receipts, partial = added(before, _stored(url))
    assert partial == 0 and answers == responses * len(ANSWERS) and receipts == responses
    # Every success page is stored; a request cut off by the kill may or may not have committed.
    assert succeeded <= responses <= succeeded + 4 * 2
    assert succeeded > RESIDENTS // 2
