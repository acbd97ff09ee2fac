"""Views of the residents' path: QR code → survey → thank-you page."""
from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, current_app, g, make_response, redirect, render_template, request, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from app.answering.forms import build_form_class
from app.answering.operations import CodeRejected, submit_response
from app.answering.queries import availability, find_placement, survey_context
from app.db import db
from app.domain.texts import localized
from app.i18n import language_code, offer_languages
from app.respond import drafts
from app.respond.forms import CODE_REJECTED, RESUME_REJECTED
from app.security import csrf, limiter

bp = Blueprint("respond", __name__)
# The answer form checks its own CSRF token, so that a failed check keeps the answers.
csrf.exempt(bp)

#: Cookie telling this phone that it answered a survey: a random value, nothing else.
ANSWERED_COOKIE = "qs_answered_{survey_id}"
ANSWERED_DAYS = 180
#: Cookie holding the code of this phone's saved, unfinished answers.
DRAFT_COOKIE = "qs_draft_{survey_id}"


def _has_answered(survey) -> bool:
    return bool(request.cookies.get(ANSWERED_COOKIE.format(survey_id=survey.id)))


def _remember_answered(response, survey_id: int) -> None:
    """Tell this phone that it answered the survey: a random value, nothing else."""
    response.set_cookie(ANSWERED_COOKIE.format(survey_id=survey_id), secrets.token_urlsafe(12),
                        max_age=ANSWERED_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=request.is_secure)


def _load(token: str):
    """The placement for ``token``, with the page's languages narrowed to its survey's."""
    placement = find_placement(token)
    if placement is not None:
        offer_languages(placement.survey.languages)
        g.survey = placement.survey
    return placement


@bp.app_context_processor
def survey_text():
    """``t(texts)``: a survey text in the page's language, with the survey's fallback."""
    survey = g.get("survey")
    if survey is None:
        return {}
    language = language_code()
    return {"t": lambda texts: localized(texts, language, survey.default_language)}


def _not_saving() -> bool:
    return request.form.get("nav") != "save"


@bp.route("/<token:token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["DRAFT_SAVES_PER_CLIENT"], methods=["POST"], exempt_when=_not_saving)
def answer_survey(token: str):
    """Show the survey of a placement and take the resident's answers."""
    placement = _load(token)
    if placement is None:
        return render_template("respond/unknown.html"), 404
    state = availability(placement, date.today())
    if state != "open":
        status = 410 if state == "closed" else 403
        return render_template("respond/unavailable.html", placement=placement, state=state), status
    survey = placement.survey
    context = survey_context(survey)
    form_class = build_form_class(context.definition, context.quarter_codes, with_code=survey.uses_codes)
    kiosk = placement.mode == "kiosk"  # a shared tablet: no "already answered" for the next person
    draft_code = None if kiosk else request.cookies.get(DRAFT_COOKIE.format(survey_id=survey.id))
    resumed = request.method == "GET" and drafts.find(survey, draft_code, date.today())
    form = form_class(formdata=MultiDict([(name, value) for name, values in resumed.fields.items()
                                          for value in values])) if resumed else form_class()
    again = bool(request.args.get("again") or form.another_person.data)
    if not kiosk and _has_answered(survey) and not again and not resumed:
        return render_template("respond/already.html", placement=placement)
    form.prepare(another_person=again)
    paging = form.paginate(context.definition)
    save_failed = False
    saving = request.method == "POST" and request.form.get("nav") == "save" and not kiosk
    fields = form.draft_fields() if saving else None  # None: a text too long, its field says so
    if fields is not None:
        code = drafts.save(survey, fields, language_code(), date.today(), draft_code)
        response = make_response(render_template("respond/saved.html", placement=placement,
                                                 code=drafts.shown(code)))
        response.set_cookie(DRAFT_COOKIE.format(survey_id=survey.id), code,
                            max_age=current_app.config["DRAFT_DAYS"] * 86400, httponly=True,
                            samesite="Lax", secure=request.is_secure)
        return response
    if saving:
        pass  # not saved (too long): the same page again with the message, nothing sent
    elif request.method == "POST" and request.form.get("nav") == "back":
        paging.go(-1)  # back without checking: nothing typed is lost
    elif form.validate_on_submit() and not paging.go(1):  # no more pages that apply: send
        token, survey_id = placement.token, survey.id  # the commit expires them: no reload needed
        try:
            submit_response(context.version, form.answers(), language=language_code(),
                            channel="kiosk" if kiosk else "web", submission_key=form.submission_key.data,
                            today=date.today(), placement=placement,
                            one_time_code=form.access_code.data if "access_code" in form else None)
        except OperationalError:  # the database is busy or away: the answers stay in the form
            db.session.rollback()
            save_failed = True
        except CodeRejected:
            db.session.rollback()
            form.access_code.errors = [str(CODE_REJECTED)]
        else:
            response = redirect(url_for(".thank_resident", token=token))
            if not kiosk:
                _remember_answered(response, survey_id)
            if draft_code:  # sent: the saved copy has done its work
                drafts.forget(survey, draft_code)
                db.session.commit()
                response.delete_cookie(DRAFT_COOKIE.format(survey_id=survey_id))
            return response
    form.page.data = str(paging.current)
    status = 422 if (form.errors or save_failed or any(f.errors for f in form.question_fields())) else 200
    return render_template("respond/survey.html", placement=placement, context=context, form=form,
                           save_failed=save_failed, kiosk=kiosk, paging=paging, resumed=bool(resumed)), status


@bp.route("/<token:token>/resume", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def resume_survey(token: str):
    """Continue on this device with the code of answers saved elsewhere."""
    placement = _load(token)
    if placement is None:
        return render_template("respond/unknown.html"), 404
    from app.respond.forms import ResumeForm
    form = ResumeForm()
    if form.validate_on_submit():
        draft = drafts.find(placement.survey, form.code.data, date.today())
        if draft is not None:
            response = redirect(url_for(".answer_survey", token=placement.token, lang=draft.language))
            response.set_cookie(DRAFT_COOKIE.format(survey_id=placement.survey.id), drafts.normalized(form.code.data),
                                max_age=current_app.config["DRAFT_DAYS"] * 86400, httponly=True,
                                samesite="Lax", secure=request.is_secure)
            return response
        form.code.errors = [str(RESUME_REJECTED)]
    status = 422 if form.errors else 200
    return render_template("respond/resume.html", placement=placement, form=form), status


@bp.route("/<token:token>/thanks")
def thank_resident(token: str):
    """Thank the resident and say what happens next."""
    placement = _load(token)
    if placement is None:
        return render_template("respond/unknown.html"), 404
    return render_template("respond/thanks.html", placement=placement,
                           version=placement.survey.current_version, kiosk=placement.mode == "kiosk")
