"""Coordinators' views: consultations at a glance, opening and closing, QR codes and posters."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import login_required
from sqlalchemy import select

from app.db import db
from app.domain import qr
from app.domain.texts import localized
from app.i18n import LANGUAGES
from app.manage import operations
from app.models import Consultation, Placement
from app.models.places import display_token

bp = Blueprint("manage", __name__)


@bp.before_request
@login_required
def require_login():
    """Every page of the workspace needs a staff log-in."""


def placement_url(placement: Placement) -> str:
    """The public short URL of a placement, as its QR code carries it."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    path = url_for("respond.answer_survey", token=placement.token)
    return base + path if base else url_for("respond.answer_survey", token=placement.token, _external=True)


@bp.route("/")
def dashboard():
    """Every consultation with its surveys, their placements and the links to print them."""
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.created_at.desc())).all()
    return render_template("manage/dashboard.html", consultations=consultations,
                           placement_url=placement_url)


@bp.route("/consultations/<int:consultation_id>/status", methods=["POST"])
def change_status(consultation_id: int):
    """Open or close a consultation for answers."""
    consultation = db.get_or_404(Consultation, consultation_id)
    try:
        operations.set_status(consultation, request.form.get("status", ""))
    except operations.OperationError:
        abort(400)
    db.session.commit()
    return redirect(url_for(".dashboard"))


@bp.route("/placements/<int:placement_id>/qr.<any(png, svg):kind>")
def placement_qr(placement_id: int, kind: str):
    """The QR code of a placement, as PNG or SVG, to download."""
    placement = db.get_or_404(Placement, placement_id)
    url = placement_url(placement)
    name = f"{placement.survey.code}-{placement.token}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "png":
        return Response(qr.png(url), mimetype="image/png", headers=headers)
    return Response(qr.svg(url), mimetype="image/svg+xml", headers=headers)


@bp.route("/placements/<int:placement_id>/poster")
def placement_poster(placement_id: int):
    """A printable A4 poster: title, QR code, the typed short URL, a call in every language."""
    placement = db.get_or_404(Placement, placement_id)
    survey = placement.survey
    version = survey.current_version
    url = placement_url(placement)
    calls = []
    for code in survey.languages:
        with force_locale(code):
            calls.append({
                "lang": code, "dir": LANGUAGES[code].direction if code in LANGUAGES else "ltr",
                "title": localized(version.title, code, survey.default_language),
                "call": gettext("Your opinion counts. Scan the code with your phone camera and answer "
                                "in a few minutes, without your name."),
                "typed": gettext("No camera? Type this address:"),
            })
    short = url.rsplit("/", 1)[0] + "/" + display_token(placement.token)
    return render_template("manage/poster.html", placement=placement, calls=calls, url=url,
                           short_url=short, qr_svg=qr.svg(url, title=url))
