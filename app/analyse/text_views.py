"""Planners' free-text answers: per question and area a list to read, hide and code into the
survey's own categories, and the page that keeps the survey's category set.

Routes on the ``analyse`` blueprint, wired in by importing this module before the blueprint is
registered (``from app.analyse import text_views  # noqa`` in the app factory). Every form posts
back to its own list with a CSRF token; the redirect afterwards is rebuilt from whitelisted
values (``coding.parse_listing``), never taken from the request.
"""
from __future__ import annotations

import dataclasses

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.analyse import coding
from app.analyse.views import _survey, bp
from app.db import db
from app.i18n import language_code
from app.models import Survey
from app.permissions import can_code_texts, require
from app.results.queries import survey_areas


def listing_url(listing: coding.Listing, anchor: str | None = None, **changes) -> str:
    """The URL of ``listing`` with ``changes`` (e.g. ``page=2``), at ``anchor``."""
    changed = dataclasses.replace(listing, **changes)
    return url_for("analyse.show_texts", **changed.url_args(), _anchor=anchor)


@bp.route("/<code>/texts")
def list_text_questions(code: str):
    """The survey's questions with free texts, and how many texts each has."""
    survey = _survey(code)
    return render_template("analyse/texts.html", survey=survey, questions=coding.text_questions(survey),
                           summary=coding.text_summary(survey))


@bp.route("/<code>/texts/<question_code>", methods=["GET", "POST"])
def show_texts(code: str, question_code: str):
    """A page of a question's texts in an area (``?area=quarter:126&show=uncoded&page=2``);
    POST codes, hides or shows one answer and returns to the same place of the same list."""
    survey = _survey(code)
    question = coding.text_question(survey, question_code) or abort(404)
    listing = coding.parse_listing(survey, question_code, request.args)
    if request.method == "POST":
        require(can_code_texts, survey)
        anchor = _change_answer(survey, listing, request.form)
        db.session.commit()
        return redirect(listing_url(listing, anchor))
    withheld = coding.withheld_areas(survey, question_code)
    small = listing.area.key in withheld
    return render_template("analyse/text_list.html", survey=survey, question=question,
                           listing=listing, areas=survey_areas(survey), withheld=withheld,
                           small=small, page=None if small else coding.text_page(survey, listing),
                           categories=coding.survey_categories(survey),
                           labels=coding.category_labels(survey, language_code()),
                           listing_url=listing_url, k=current_app.config["K_ANONYMITY"])


def _change_answer(survey: Survey, listing: coding.Listing, form) -> str:
    """Apply one answer's form (``action``: save, hide or unhide); return where to land."""
    ref = form.get("answer", "")
    answer = coding.find_answer(survey, listing.question_code, ref) or abort(404)
    action = form.get("action", "save")
    if action == "hide":
        coding.hide_answer(survey, answer)
        flash(_("The answer is hidden: it is no longer listed or exported. You find it under "
                "“Hidden answers”."))
        return "answers"
    if action == "unhide":
        coding.unhide_answer(survey, answer)
        flash(_("The answer is shown again."))
        return "answers"
    if action != "save":
        abort(400)
    try:
        coding.set_answer_categories(survey, answer, form.getlist("category"))
    except coding.CodingError as error:
        flash(error.message)
        return f"a-{ref}"
    flash(_("The categories of the answer were saved."))
    return "answers" if listing.show == "uncoded" else f"a-{ref}"


@bp.route("/<code>/categories", methods=["GET", "POST"])
def manage_categories(code: str):
    """The survey's category set for free texts: add a category, rename or delete one."""
    survey = _survey(code)
    error = None
    if request.method == "POST":
        require(can_code_texts, survey)
        try:
            message = _change_categories(survey, request.form)
        except coding.CodingError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            flash(message)
            return redirect(url_for(".manage_categories", code=survey.code))
    return render_template("analyse/categories.html", survey=survey,
                           categories=coding.survey_categories(survey),
                           languages=coding.survey_languages(survey), error=error,
                           entered=request.form), 422 if error else 200


def _change_categories(survey: Survey, form) -> str:
    """Apply the category form (``action``: create, rename or delete); return what happened."""
    action = form.get("action", "")
    labels = {lang: form.get(f"label-{lang}", "") for lang in coding.survey_languages(survey)}
    if action == "create":
        category = coding.create_category(survey, form.get("code", ""), labels)
        return _("The category %(code)s was added.", code=category.code)
    category = next((c for c in coding.survey_categories(survey)
                     if c.code == form.get("category")), None) or abort(404)
    if action == "rename":
        coding.rename_category(survey, category, labels)
        return _("The names of the category %(code)s were saved.", code=category.code)
    if action != "delete":
        abort(400)
    if not form.get("confirm"):
        raise coding.CodingError(_("Please tick the box to confirm that the category goes."),
                                 f"confirm-{category.code}")
    removed = coding.delete_category(survey, category)
    return ngettext("The category %(code)s was deleted and taken off %(num)d answer.",
                    "The category %(code)s was deleted and taken off %(num)d answers.",
                    removed, code=category.code)
