"""A live server for the browser: the app on a real socket, in a thread."""
import threading

import pytest
from werkzeug.serving import make_server

from app.db import db
from tests.conftest import TEST_DATABASE_URL, make_app


@pytest.fixture
def live_server(tmp_path):
    """The app served on 127.0.0.1 with empty tables; yields (app, base_url)."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'browser.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, EXPORT_DIR=str(tmp_path / "exports"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, base_url
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
