"""`make serve`: gunicorn with the production configuration serves the app from several workers,
and its access log keeps nothing that leads back to a resident."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.config import PROJECT_ROOT
from tests.conftest import free_port

BIN = Path(sys.executable).parent


def test_gunicorn_serves_with_the_production_config_and_logs_no_query_strings(tmp_path):
    port = free_port()
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
           "SECRET_KEY": "test-only", "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True)
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                              cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/?lang=tr&secret=resident-token-42"
        for _ in range(100):
            try:
                page = urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
        assert page.status == 200
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert 'lang="tr"' in page.read().decode()
        # The language choice is remembered in the session cookie: HTTPS only, no script, no cross-site post.
        cookie = page.headers["Set-Cookie"]
        assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = (tmp_path / "gunicorn.log").read_text()
    assert output.count("Booting worker") == 2
    assert '"GET / HTTP/1.1" 200' in output
    assert "resident-token-42" not in output and "127.0.0.1 -" not in output


def test_behind_a_proxy_the_throttle_sees_the_residents_address_not_the_proxys():
    from flask import request

    from app import create_app
    for count, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_COUNT": count})

        @app.get("/_address")
        def address():
            return request.remote_addr

        page = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert page.get_data(as_text=True) == expected
