"""Start page, typed short codes, privacy notice, staff log-in and friendly error pages."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.answering.queries import find_placement
from app.db import db
from app.main.forms import LoginForm
from app.models import User
from app.models.accounts import check_no_password
from app.problems import allow_header, problem, wants_problem
from app.security import SESSION_GENERATION, SESSION_STARTED, limiter

bp = Blueprint("main", __name__)

#: Title and plain-words explanation of each error a visitor may meet.
ERRORS = {
    400: (_l("Something was wrong with the request"), _l("Please go back and try again.")),
    403: (_l("No access"), _l("You are not allowed to see this page.")),
    404: (_l("Page not found"), _l("Please check the address. If you typed it from a poster, check each letter.")),
    405: (_l("Not possible here"), _l("Please go back and try again.")),
    413: (_l("Too much data"), _l("What you sent is too large. Please send less text.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"), _l("Please try again in a few minutes. Your answers were not saved.")),
}


@bp.route("/")
def index():
    """What this is, for residents who arrive without a QR code, and a field for a typed code."""
    return render_template("main/index.html")


@bp.route("/go")
def go_to_code():
    """Open the survey whose short code a resident typed from a poster."""
    code = request.args.get("code", "")
    placement = find_placement(code)
    if placement is None:
        return render_template("main/index.html", code=code[:40], code_error=True), 404
    return redirect(url_for("respond.answer_survey", token=placement.token))


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement (BITV 2.0 / WCAG 2.1 AA), in plain words."""
    return render_template("main/accessibility.html")


@bp.route("/privacy")
def privacy():
    """Privacy notice in plain words."""
    return render_template("main/privacy.html")


def _safe_next(target: str | None) -> str:
    """A local path to go to after log-in; never another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return _home()


def _home() -> str:
    """Where a member of staff starts: the workspace, or the results for planners."""
    return url_for("analyse.list_surveys" if current_user.role == "planner" else "manage.dashboard")


def _login_email() -> str:
    """The address a log-in attempt is for, with the client it comes from: failed attempts are
    throttled per client and per address-and-client, so that someone guessing elsewhere
    cannot lock the owner out (OWASP ASVS 2.2.1)."""
    return f"{(request.form.get('email') or '').strip().lower()[:254]}|{get_remote_address()}"


def _failed(response) -> bool:
    """Only failed log-ins count towards the throttle."""
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"], deduct_when=_failed)
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_login_email, deduct_when=_failed)
def login():
    """Staff log-in."""
    if current_user.is_authenticated:
        return redirect(_home())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        # Hash on every attempt: an unknown address answers as slowly as a wrong password.
        matches = user.check_password(form.password.data) if user else check_no_password(form.password.data)
        if user and user.is_enabled and matches:
            session.pop("csrf_token", None)  # a fresh CSRF token from here on
            session[SESSION_GENERATION] = user.session_generation
            session[SESSION_STARTED] = int(time.time())
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        failed = True
    return render_template("main/login.html", form=form, failed=failed), (401 if failed else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the staff session — on the server too: copies of the cookie stop working."""
    current_user.session_generation += 1
    db.session.commit()
    logout_user()
    session.pop(SESSION_GENERATION, None)
    session.pop(SESSION_STARTED, None)
    return redirect(url_for("main.index"))


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Every HTTP error as a friendly page in the visitor's language (as problem details on the
    API's paths); a 405 keeps its ``Allow`` header."""
    code = error.code or 500
    if wants_problem():
        return problem("not found" if code == 404 else error.description, code, allow_header(error))
    title, text = ERRORS.get(code, ERRORS[400 if code < 500 else 500])
    return render_template("main/error.html", title=title, text=text, code=code), code, allow_header(error)


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    """A crash never shows a stack trace: a friendly page, the details in the log."""
    from flask import current_app
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("unexpected error")
    db.session.rollback()
    title, text = ERRORS[500]
    return render_template("main/error.html", title=title, text=text, code=500), 500
