"""Log-in, CSRF protection and the security headers every response carries."""
from __future__ import annotations

import time

from flask import Flask, abort, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from app.db import db
from app.templating import stylesheet_source

csrf = CSRFProtect()
login_manager = LoginManager()
#: Throttles log-in attempts. Storage: ``RATELIMIT_STORAGE_URI`` (``memory://`` by default; a
#: shared Redis URL when several app hosts run).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
#: Pages travel compressed: a resident page is a few kilobytes on a slow prepaid connection.
compress = Compress()

#: No inline script anywhere and no inline style but our own stylesheet (allowed by its hash),
#: no framing, no third-party anything.
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; img-src 'self' data:; style-src 'self' {stylesheet_source()}; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


#: Keys in the session cookie of a logged-in member of staff: their account's session generation
#: and when they logged in (seconds; staff only, residents' sessions carry neither).
SESSION_GENERATION = "session_generation"
SESSION_STARTED = "session_started"
#: Where staff pages and downloads live (and the log-in): never stored by a browser or proxy.
STAFF_PATHS = ("/manage", "/results", "/admin", "/api/", "/login")
#: Endpoints that take uploads larger than ``MAX_CONTENT_LENGTH``: endpoint → bytes.
UPLOAD_LIMITS: dict[str, int] = {}
#: Room for the form fields and multipart boundaries around an uploaded file.
FORM_OVERHEAD = 64 * 1024


def allow_upload(endpoint: str, file_bytes: int) -> None:
    """Let ``endpoint`` take a file of up to ``file_bytes`` (the app's limit stays small)."""
    UPLOAD_LIMITS[endpoint] = file_bytes + FORM_OVERHEAD


def init_app(app: Flask) -> None:
    """Install CSRF protection, Flask-Login and the security headers."""
    from flask_babel import lazy_gettext as _l

    csrf.init_app(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/csv", "image/svg+xml",
                                                 "application/json", "application/javascript", "text/javascript"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)

    @app.after_request  # runs before Flask-Compress's own hook (registered earlier)
    def compress_static_text(response):
        """Let the stylesheet, scripts and pictograms be compressed too (Flask streams static files
        untouched)."""
        if (request.endpoint == "static" and response.status_code == 200
                and response.mimetype in ("text/css", "image/svg+xml", "text/javascript", "application/javascript")):
            response.direct_passthrough = False
            response.set_data(response.get_data())  # a few kilobytes, read once
        return response
    login_manager.init_app(app)
    login_manager.login_view = "main.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        """The logged-in member of staff — if the session is of their current generation (not
        ended by a log-out) and younger than ``STAFF_SESSION_HOURS``."""
        from flask import session

        from app.models import User
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or session.get(SESSION_GENERATION) != user.session_generation:
            return None
        started = session.get(SESSION_STARTED)
        if not isinstance(started, (int, float)) or time.time() - started > app.config["STAFF_SESSION_HOURS"] * 3600:
            return None
        return user

    @app.url_value_preprocessor
    def larger_uploads(endpoint, values):
        """Raise the body limit for upload endpoints. URL value preprocessors run before every
        ``before_request`` function, so before the CSRF check reads the form."""
        if endpoint in UPLOAD_LIMITS:
            request.max_content_length = UPLOAD_LIMITS[endpoint]
        elif request.mimetype == "multipart/form-data" and request.files:
            # Only the upload pages take files; a file in any other form (a text answer, a
            # name) is bad input: a clear 400 page, never a 500 further down.
            abort(400)
        if request.method != "GET" and request.is_json:
            # Every form here is an HTML form; WTForms would try to read a JSON body as fields
            # (and fail on anything but an object). The read-only API takes no bodies at all.
            abort(415)

    @app.after_request
    def security_headers(response):
        if request.is_secure and app.config.get("HSTS_SECONDS"):
            # Over TLS (directly, or behind a proxy that says so: PROXY_COUNT) browsers keep to it.
            response.headers.setdefault("Strict-Transport-Security", f"max-age={int(app.config['HSTS_SECONDS'])}")
        if request.path.startswith(STAFF_PATHS):
            # Staff pages and downloads hold figures, texts and names: no browser or proxy keeps them.
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
