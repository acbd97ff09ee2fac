"""Coordinators' views: consultations at a glance, opening and closing, QR codes and posters."""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from app.answering.forms import build_form_class
from app.answering.operations import submit_response
from app.answering.queries import survey_context
from app.audit import record
from app.db import db
from app.domain import qr
from app.domain.codes import printed
from app.domain.texts import localized
from app.i18n import LANGUAGES, force_language
from app.manage import operations, queries
from app.manage.entry import EntryFormBase
from app.manage.forms import PlaceForm, PlacementForm
from app.models import Consultation, MeetingPlace, Placement, Quarter, Survey
from app.models.places import display_token
from app.models.surveys import scope_quarters
from app.permissions import can_manage, consultation_in_scope, require, survey_in_scope
from app.security import login_manager

bp = Blueprint("manage", __name__)


@bp.before_request
def require_coordinator():
    """Every page of the workspace needs a coordinator's or an admin's log-in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(can_manage)


def _placement(placement_id: int) -> Placement:
    """A placement of a survey within the user's scope (else 404/403)."""
    placement = db.get_or_404(Placement, placement_id)
    require(survey_in_scope, placement.survey)
    return placement


def placement_url(placement: Placement) -> str:
    """The public short URL of a placement, as its QR code carries it."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    path = url_for("respond.answer_survey", token=placement.token)
    return base + path if base else url_for("respond.answer_survey", token=placement.token, _external=True)


@bp.route("/")
def dashboard():
    """Every consultation with its surveys, their placements and the links to print them."""
    consultations = [c for c in db.session.scalars(select(Consultation).order_by(Consultation.created_at.desc()))
                     if consultation_in_scope(current_user, c)]
    return render_template("manage/dashboard.html", consultations=consultations,
                           placement_url=placement_url)


@bp.route("/consultations/<int:consultation_id>/status", methods=["POST"])
def change_status(consultation_id: int):
    """Open or close a consultation for answers."""
    consultation = db.get_or_404(Consultation, consultation_id)
    require(consultation_in_scope, consultation)
    status = request.form.get("status", "")
    try:
        operations.set_status(consultation, status)
    except operations.IncompleteTranslations as error:
        flash(gettext("The survey cannot be opened yet: %(count)d texts are not translated.",
                      count=len(error.missing)))
        return redirect(url_for(".dashboard"))
    except operations.OperationError:
        abort(400)
    record("consultation.status", f"consultation:{consultation.id}", f"{consultation.code} → {status}")
    db.session.commit()
    return redirect(url_for(".dashboard"))


@bp.route("/placements/<int:placement_id>/qr.<any(png, svg):kind>")
def placement_qr(placement_id: int, kind: str):
    """The QR code of a placement, as PNG or SVG, to download."""
    placement = _placement(placement_id)
    url = placement_url(placement)
    name = f"{placement.survey.code}-{placement.token}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "png":
        return Response(qr.png(url), mimetype="image/png", headers=headers)
    return Response(qr.svg(url), mimetype="image/svg+xml", headers=headers)


@bp.route("/placements/<int:placement_id>/poster")
def placement_poster(placement_id: int):
    """A printable A4 poster: title, QR code, the typed short URL, a call in every language."""
    placement = _placement(placement_id)
    survey = placement.survey
    version = survey.current_version
    url = placement_url(placement)
    calls = []
    for code in survey.languages:
        with force_language(code):
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


@bp.route("/places", methods=["GET", "POST"])
def list_places():
    """Meeting places in the user's scope, and a form to add one."""
    form = PlaceForm()
    quarters = queries.quarters_in_scope(current_user)
    form.quarter.choices = [(q.id, f"{q.code} {q.name}") for q in quarters]
    if form.validate_on_submit():
        quarter = db.session.get(Quarter, form.quarter.data)
        place = operations.create_meeting_place(form.name.data, form.kind.data, quarter, form.address.data)
        record("place.create", f"place:{place.id}", f"{place.name} ({quarter.code})")
        db.session.commit()
        flash(gettext("The meeting place %(name)s was added.", name=place.name))
        return redirect(url_for(".list_places"))
    return (render_template("manage/places.html", places=queries.places_in_scope(current_user), form=form),
            422 if form.errors else 200)


@bp.route("/surveys/<code>", methods=["GET", "POST"])
def show_survey(code: str):
    """A survey's placements with their counts, and a form to place it at another meeting place."""
    survey = _survey_in_scope(code)
    form = PlacementForm()
    form.place.choices = [(p.id, f"{p.name} ({p.quarter.name})") for p in queries.places_in_scope(current_user)]
    if form.validate_on_submit():
        place = db.session.get(MeetingPlace, form.place.data)
        placement = operations.place_survey(survey, place, form.mode.data)
        record("placement.create", f"placement:{placement.id}", f"{survey.code} @ {place.name} ({placement.mode})")
        db.session.commit()
        return redirect(url_for(".show_survey", code=code))
    from app.manage.printing import FLYER_LANGUAGES, POSTER_LANGUAGES
    return render_template("manage/survey.html", survey=survey, form=form, placement_url=placement_url,
                           counts=queries.placement_counts(survey), POSTER_LANGUAGES=POSTER_LANGUAGES,
                           FLYER_LANGUAGES=FLYER_LANGUAGES), 422 if form.errors else 200


@bp.route("/placements/<int:placement_id>/<any(pause, resume):change>", methods=["POST"])
def change_placement(placement_id: int, change: str):
    """Pause a placement (residents are told kindly) or take answers again."""
    placement = _placement(placement_id)
    placement.is_paused = change == "pause"
    record(f"placement.{change}", f"placement:{placement.id}",
           f"{placement.survey.code} @ {placement.meeting_place.name}")
    db.session.commit()
    return redirect(url_for(".show_survey", code=placement.survey.code))


@bp.route("/surveys/<code>/delete-responses", methods=["GET", "POST"])
def delete_survey_responses(code: str):
    """Delete every response of a survey for good (on request), after typing its short name."""
    from app.maintenance import delete_responses
    from app.manage.forms import DeleteResponsesForm
    survey = _survey_in_scope(code)
    form = DeleteResponsesForm()
    if form.validate_on_submit():
        if form.confirm.data.strip() != survey.code:
            form.confirm.errors.append(gettext("That is not the survey's short name."))
        else:
            count = delete_responses(survey, form.reason.data.strip())
            db.session.commit()
            flash(ngettext("%(num)d response was deleted.", "%(num)d responses were deleted.", count))
            return redirect(url_for(".show_survey", code=code))
    return render_template("manage/delete_responses.html", survey=survey, form=form,
                           total=queries.response_total(survey)), 422 if form.errors else 200


def _survey_in_scope(code: str) -> Survey:
    """A survey of the user's scope (else 404/403)."""
    survey = Survey.by_code(code) or abort(404)
    require(survey_in_scope, survey)
    return survey


@bp.route("/surveys/<code>/entry/<any(paper, assisted):channel>", methods=["GET", "POST"])
def enter_responses(code: str, channel: str):
    """Type in paper forms one after another, or fill in the survey together with a resident."""
    survey = _survey_in_scope(code)
    g.survey = survey
    context = survey_context(survey)
    form = build_form_class(context.definition, context.quarter_codes, EntryFormBase)()
    remembered = session.get(f"entry:{survey.id}", {})
    form.placement.choices = [(0, gettext("No meeting place"))] + [
        (p.id, p.meeting_place.name) for p in survey.placements if p.mode == "web"]
    form.language.choices = [(c, LANGUAGES[c].own_name) for c in survey.languages]
    if request.method == "GET":
        form.batch.data = remembered.get("batch", "")
        form.placement.data = remembered.get("placement", 0)
        form.language.data = remembered.get("language", survey.default_language)
    form.prepare(another_person=False)
    if form.validate_on_submit():
        batch = (form.batch.data or "").strip() if channel == "paper" else None
        submit_response(context.version, form.answers(), language=form.language.data, channel=channel,
                        submission_key=form.submission_key.data, today=date.today(),
                        placement=db.session.get(Placement, form.placement.data), batch=batch)
        session[f"entry:{survey.id}"] = {"batch": batch or "", "placement": form.placement.data,
                                         "language": form.language.data}
        flash(gettext("Saved.") + " " + (gettext("Form %(number)d of batch %(batch)s.", batch=batch,
                                                  number=queries.batch_count(survey, batch))
                                         if batch else ""))
        return redirect(url_for(".enter_responses", code=code, channel=channel))
    return render_template("manage/entry.html", survey=survey, context=context, form=form,
                           channel=channel), 422 if form.errors else 200


@bp.route("/surveys/<code>/codes", methods=["POST"])
def manage_codes(code: str):
    """Switch one-time codes on or off, or create a sheet of new codes to print (shown once)."""
    survey = _survey_in_scope(code)
    action = request.form.get("action")
    if action in ("on", "off"):
        survey.uses_codes = action == "on"
        record("survey.codes", f"survey:{survey.id}", f"{survey.code}: one-time codes {action}")
        db.session.commit()
        return redirect(url_for(".show_survey", code=code))
    try:
        count = int(request.form.get("count", ""))
        fresh = operations.create_codes(survey, count)
    except (ValueError, operations.OperationError):
        abort(400)
    record("survey.codes.create", f"survey:{survey.id}", f"{survey.code}: {count} one-time codes printed")
    db.session.commit()
    short_url = request.host_url.rstrip("/")
    return render_template("manage/codes.html", survey=survey, codes=[printed(c) for c in fresh],
                           placements=[p for p in survey.placements if p.mode == "web"],
                           placement_url=placement_url, short_url=short_url)


def _pdf(data: bytes, name: str) -> Response:
    """A PDF download."""
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/placements/<int:placement_id>/<any(poster, flyers):kind>.pdf")
def placement_pdf(placement_id: int, kind: str):
    """A print-ready A4 poster, or a sheet of four A6 flyers, as PDF."""
    from app.manage import printing
    placement = _placement(placement_id)
    if placement.survey.current_version is None:
        abort(404)
    render = printing.poster_pdf if kind == "poster" else printing.flyers_pdf
    languages = request.args.getlist("languages")  # the languages spoken around this place
    return _pdf(render(placement, placement_url(placement), languages),
                f"{placement.survey.code}-{placement.token}-{kind}.pdf")


@bp.route("/surveys/<code>/paper-<language>.pdf")
def paper_form(code: str, language: str):
    """The printable paper questionnaire in one language, with the question codes for typing in."""
    from app.manage import printing
    survey = _survey_in_scope(code)
    if language not in survey.languages:
        abort(404)
    data = printing.paper_form_pdf(survey.current_version, language, scope_quarters(survey))
    return _pdf(data, f"{survey.code}-v{survey.current_version.number}-{language}.pdf")
