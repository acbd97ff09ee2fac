"""Planners' views: results per quarter, district and city, and the CSV downloads."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from app.analyse.filters import Filter, filter_choices, filtered_results, place_names
from app.db import db
from app.domain.exports import DIALECTS
from app.i18n import language_code
from app.models import Survey
from app.permissions import can_read_results, require, survey_in_scope
from app.results.exports import TABLES, export_filename, stream_csv
from app.results.queries import option_labels, survey_results
from app.security import login_manager

bp = Blueprint("analyse", __name__)


@bp.before_request
def require_staff():
    """Results are for staff only: admins, coordinators and planners."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(can_read_results)


def _survey(code: str) -> Survey:
    """A survey within the user's scope (else 404/403)."""
    survey = Survey.by_code(code)
    if survey is None or survey.current_version is None:
        abort(404)
    require(survey_in_scope, survey)
    return survey


@bp.route("/")
def list_surveys():
    """Every survey with a link to its results."""
    surveys = [s for s in db.session.scalars(select(Survey).order_by(Survey.code))
               if survey_in_scope(current_user, s)]
    return render_template("analyse/list_surveys.html", surveys=surveys)


@bp.route("/<code>")
def show_results(code: str):
    """Results of a survey for the city and the chosen district or quarter."""
    survey = _survey(code)
    active = Filter.parse(request.args.get("filter", ""))
    results = filtered_results(survey, active) if active else None
    if results is None:
        active, results = None, survey_results(survey)
    chosen = request.args.get("area", "")
    level, _, area_code = chosen.partition(":")
    selected = results.area((level, area_code)) if level in ("district", "quarter") else None
    columns = [results.areas[0]]
    if selected is not None:
        if selected.level == "quarter":
            columns.append(results.area(("district", selected.district_code)))
        columns.append(selected)
    language = language_code()
    filters = filter_choices(survey)
    active_question = next((q for _, q, _ in filters if q and active and q.code == active.question), None)
    return render_template("analyse/results.html", survey=survey, results=results,
                           columns=columns, selected=selected, active=active,
                           active_question=active_question, filters=filters, places=place_names(survey),
                           labels=option_labels(survey, language))


@bp.route("/<code>/<any(aggregates, responses):table>.csv")
def download_csv(code: str, table: str):
    """One export table as CSV; ``?dialect=csv-de`` for German Excel."""
    survey = _survey(code)
    dialect = request.args.get("dialect", "csv")
    if dialect not in DIALECTS or table not in TABLES:
        abort(404)
    body = stream_with_context(stream_csv(survey, table, dialect))
    name = export_filename(survey, table, dialect)
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


#: Download formats besides CSV: file extension → (export format, MIME type).
DOWNLOADS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("json", "application/json"),
    "sav": ("sav", "application/x-spss-sav"),
    "zip": ("datapackage", "application/zip"),
}


@bp.route("/<code>/export.<any(xlsx, json, sav, zip):extension>")
def download_file(code: str, extension: str):
    """The survey's results as XLSX, JSON, SPSS or a zipped Frictionless Data Package; the same
    files as ``flask export``."""
    import shutil
    import tempfile
    from pathlib import Path

    from app.results.exports import write_format
    survey = _survey(code)
    fmt, mimetype = DOWNLOADS[extension]
    with tempfile.TemporaryDirectory() as folder:
        path = write_format(survey, fmt, folder)[0]
        if fmt == "datapackage":  # datapackage.json and the files beside it, as one archive
            path = Path(shutil.make_archive(str(path.parent), "zip", root_dir=path.parent))
        data = path.read_bytes()
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{path.name}"'})


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    """The user's tokens for the read-only API: create one (shown once) or revoke one."""
    from app import accounts
    from app.audit import record
    from app.models import ApiToken
    new_token = None
    if request.method == "POST":
        revoke = request.form.get("revoke", "")
        if revoke.isdigit():
            token = db.session.get(ApiToken, int(revoke))
            if token is None or token.user_id != current_user.id:
                abort(404)
            token.is_revoked = True
            record("api_token.revoke", f"api_token:{token.id}", token.label)
        else:
            label = (request.form.get("label") or "").strip()[:120]
            new_token = accounts.create_token(current_user, label)
            record("api_token.create", f"user:{current_user.id}", label)
        db.session.commit()
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.created_at.desc())).all()
    return render_template("analyse/api_tokens.html", tokens=rows, new_token=new_token)
