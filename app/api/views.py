"""The read-only API: surveys in scope and their suppressed aggregates, as JSON."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app import accounts
from app.api import openapi
from app.db import db
from app.models import Survey
from app.permissions import can_read_results, survey_in_scope
from app.problems import allow_header, problem
from app.security import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)


#: Values the ``level`` parameter may take (anything else is a 400).
LEVELS = ("city", "district", "quarter")


def _error(message: str, status: int, headers: dict | None = None):
    """An error as problem details (RFC 9457)."""
    return problem(message, status, headers)


@bp.before_request
def authenticate():
    """Every call but the OpenAPI document needs a valid token of a member of staff."""
    if request.endpoint == "api.openapi_document":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    user = accounts.user_for(token, date.today()) if token else None
    if user is None or not can_read_results(user):
        return _error("a valid token is needed: Authorization: Bearer qs_…", 401)
    g.api_user = user
    return None


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Every error of the API as problem details; a 405 names the methods allowed."""
    return _error(error.description if error.code != 404 else "not found", error.code or 500, allow_header(error))


@bp.route("/openapi.json")
def openapi_document():
    """The OpenAPI document of this API."""
    return jsonify(openapi.document(current_app.config["K_ANONYMITY"]))


@bp.route("/surveys")
def list_surveys():
    """The surveys within the token owner's scope."""
    surveys = [s for s in db.session.scalars(select(Survey).order_by(Survey.code))
               if s.current_version is not None and survey_in_scope(g.api_user, s)]
    return jsonify(surveys=[{"code": s.code, "version": s.current_version.number, "languages": list(s.languages),
                             "title": dict(s.current_version.title), "status": s.consultation.status}
                            for s in surveys])


@bp.route("/surveys/<code>/aggregates")
def survey_aggregates(code: str):
    """The tidy aggregate table (suppressed as everywhere), optionally for one area or level."""
    from app.results.exports import export_bundle
    survey = Survey.by_code(code)
    if survey is None or survey.current_version is None or not survey_in_scope(g.api_user, survey):
        # The same answer whether the survey does not exist or lies outside the caller's scope:
        # a token of one district cannot find out which codes other districts use.
        return _error("no such survey", 404)
    if request.args.get("level") not in (None, *LEVELS):
        return _error(f"level must be one of: {', '.join(LEVELS)}", 400)
    bundle = export_bundle(survey, responses=False)  # the aggregates alone: no response table
    wanted = {key: request.args.get(arg) for key, arg in
              (("quarter_code", "quarter"), ("district_code", "district"), ("level", "level")) if request.args.get(arg)}
    rows = []
    for row in bundle.aggregate_rows():
        if any(str(row.get(key) or "") != value for key, value in wanted.items()):
            continue
        rows.append({column: row.get(column) for column in bundle.aggregate_columns})
    return jsonify(survey=survey.code, version=bundle.version, k=bundle.k,
                   perturbation=bundle.results.perturbation, suppression_rule=bundle.suppression_rule, rows=rows)
