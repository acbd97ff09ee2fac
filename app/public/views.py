"""Public results of a consultation ("residents hear back") and the coordinators' page to publish them.

Registered at ``/r``: ``/r/<consultation>`` and ``/r/<consultation>/<quarter>`` for everyone,
once coordinators have switched the results on; ``/r/manage/<id>`` for coordinators.

The public page shows only what the staff results page may show (the same suppressed
``Results``), in plain words, and never a resident's own text. The summaries below are plain
functions of ``Results``, testable without a request.
"""
from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from app.audit import record
from app.config import Defaults
from app.db import db
from app.domain.aggregation import CITY, Area, Figure, QuestionResult, Results
from app.domain.definition import QuestionDef
from app.domain.texts import localized
from app.i18n import LANGUAGES, language_code, offer_languages
from app.models import Consultation, Response, Survey, SurveyVersion
from app.permissions import can_manage, consultation_in_scope, require
from app.results import releases
from app.results.queries import option_labels, survey_results
from app.security import login_manager

bp = Blueprint("public", __name__)

TEXT_TYPES = ("short_text", "long_text")
#: Types where a resident may pick several options: shares add up to more than 100 %.
SEVERAL_ANSWER_TYPES = ("multiple_choice", "priority")
#: Longest note per language, in characters.
NOTE_LIMIT = 4000
#: How long the public page reuses computed results while no answer comes in, in seconds.
RESULTS_CACHE_SECONDS = 300


# --- What the public page shows: plain data from suppressed results ------------------------------

@dataclass
class OptionRow:
    """One answer option in one area: its label and its (possibly hidden) figure."""

    code: str
    label: str
    figure: Figure


@dataclass
class QuestionSummary:
    """What residents read about one question in one area."""

    question: QuestionDef
    #: How many answered the question here.
    base: Figure
    #: The table rows (empty for text and number questions).
    rows: list[OptionRow] = field(default_factory=list)
    #: The option chosen most often, when it is the only one with the highest shown count.
    top: OptionRow | None = None
    #: Whether the published figures prove that ``top`` leads (no hidden option could beat it).
    top_is_certain: bool = False
    #: The mean of a scale or number question, when it gives nothing hidden away.
    mean: float | None = None
    #: Labels of the two ends of a scale, e.g. ``1 – Not at all``.
    scale_ends: tuple[str, str] | None = None

    @property
    def kind(self) -> str:
        """``text``, ``number`` or ``choice`` (scale questions are choices with a mean)."""
        if self.question.type in TEXT_TYPES:
            return "text"
        return "number" if self.question.type == "number" else "choice"

    @property
    def several_answers(self) -> bool:
        """Whether a resident could pick several options (shares may add up to over 100 %)."""
        return self.question.type in SEVERAL_ANSWER_TYPES


@dataclass
class SurveySummary:
    """One survey of the consultation, summarised for one area."""

    survey: Survey
    results: Results
    area: Area
    responses: Figure
    #: Questions about the quarter, then questions about the person (age band, household …).
    questions: list[QuestionSummary]
    about_people: list[QuestionSummary]


def _largest_hidden_possible(question: QuestionDef, base: Figure, options: dict[str, Figure], k: int, d: int) -> int:
    """The largest true count a hidden option could have, judged from the published figures
    alone: a figure not shown was published below k, so its true count is below k + d; of an
    exclusive question, the hidden options also share what the shown ones leave of the base
    (every true count within d of its published one)."""
    if not any(figure.hidden for figure in options.values()):
        return 0
    below = k - 1 + d
    if question.is_exclusive:
        left = base.count + d - sum(max(0, figure.count - d) for figure in options.values() if not figure.hidden)
        return max(0, min(below, left))
    return below


def summarize_question(result: QuestionResult, area_key: tuple[str, str],
                       labels: dict[tuple[str, str], str], k: int = Defaults.K_ANONYMITY,
                       d: int = Defaults.PERTURBATION_MAX_DEVIATION) -> QuestionSummary:
    """The public summary of one question in one area (``labels``: see ``option_labels``).

    Hidden figures stay hidden: a leading option is named only among shown figures, and it is
    called the most frequent only when the published figures prove it — each true count may
    lie up to D from its published one, so the leader's lead must be more than 2 × D over every
    other shown option and more than D over anything a hidden one could hold. The mean of a scale is
    left out when any of its points is hidden, since a mean plus the shown points would let
    anyone work the hidden ones out.
    """
    question = result.question
    area = result.areas[area_key]
    summary = QuestionSummary(question=question, base=area.base)
    if question.type in TEXT_TYPES or area.base.hidden:
        return summary
    if question.type == "number":
        summary.mean = area.mean
        return summary
    summary.rows = [OptionRow(code, labels.get((question.code, code), code), area.options[code])
                    for code in result.option_codes]
    if question.type == "quarter":  # 150 quarters: list only those the figures may name
        summary.rows = [row for row in summary.rows if not row.figure.hidden and row.figure.count]
    shown = [row for row in summary.rows if not row.figure.hidden and row.figure.count]
    if shown:
        best = max(row.figure.count for row in shown)
        leaders = [row for row in shown if row.figure.count == best]
        if len(leaders) == 1 and leaders[0].figure.share is not None:
            summary.top = leaders[0]
            runner_up = max((row.figure.count for row in shown if row is not leaders[0]), default=None)
            summary.top_is_certain = (
                (runner_up is None or best - d > runner_up + d)
                and best - d > _largest_hidden_possible(question, area.base, area.options, k, d))
    if question.type == "scale":
        points = question.scale_points()
        summary.scale_ends = (labels.get((question.code, str(points[0])), str(points[0])),
                              labels.get((question.code, str(points[-1])), str(points[-1])))
        if not any(figure.hidden for figure in area.options.values()):
            summary.mean = area.mean
    return summary


def results_fingerprint(survey: Survey) -> tuple:
    """What the results of ``survey`` depend on: version, released responses, quarters in scope, k."""
    releases.ensure(survey)
    count, last = db.session.execute(
        select(func.count(Response.id), func.max(Response.release_id))
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, Response.release_id.is_not(None))).one()
    quarters = tuple(sorted(quarter.id for quarter in survey.consultation.quarters))
    return (survey.current_version.id, count, last, quarters, current_app.config["K_ANONYMITY"])


def public_results(survey: Survey) -> Results:
    """The suppressed results of ``survey``, reused while nothing they depend on changes.

    Aggregating and suppressing a city-wide survey takes about half a second; a published page
    may be opened by thousands. Each process keeps the last results per survey for
    ``RESULTS_CACHE_SECONDS`` at most, and drops them as soon as a response comes in.
    """
    cache = current_app.extensions.setdefault("public_results", {})
    fingerprint = results_fingerprint(survey)
    cached = cache.get(survey.id)
    now = time.monotonic()
    if cached and cached[0] == fingerprint and now - cached[1] < RESULTS_CACHE_SECONDS:
        return cached[2]
    results = survey_results(survey)
    cache[survey.id] = (fingerprint, now, results)
    return results


def summarize_survey(survey: Survey, area_key: tuple[str, str], language: str) -> SurveySummary | None:
    """The public summary of ``survey`` for the city or one quarter; None if it has no such area."""
    results = public_results(survey)
    area = results.area(area_key)
    if area is None:
        return None
    labels = option_labels(survey, language)
    k, d = current_app.config["K_ANONYMITY"], current_app.config["PERTURBATION_MAX_DEVIATION"]
    summaries = [summarize_question(result, area_key, labels, k, d) for result in results.questions]
    return SurveySummary(
        survey=survey, results=results, area=area, responses=results.responses[area_key],
        questions=[s for s in summaries if not s.question.is_respondent_question],
        about_people=[s for s in summaries if s.question.is_respondent_question])


def _sort_key(name: str) -> str:
    """A name as it sorts in a list for residents: accents ignored (Österfeld next to Ostheim)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def quarter_areas(summaries: list[SurveySummary]) -> list[Area]:
    """The quarters residents can pick, by name: those in scope, and any with answers."""
    quarters: dict[str, Area] = {}
    for summary in summaries:
        for area in summary.results.areas:
            if area.level == "quarter":
                quarters.setdefault(area.code, area)
    return sorted(quarters.values(), key=lambda area: (_sort_key(area.name), area.code))


def note_in_language(note: dict | None, language: str, fallback: str) -> tuple[str, str]:
    """The coordinators' note and its language: ``language``, else ``fallback``, else any."""
    note = note or {}
    for code in (language, fallback, *note):
        if note.get(code):
            return note[code], code
    return "", language


def surveys_with_questions(consultation: Consultation) -> list[Survey]:
    """The consultation's surveys that have a version to report on."""
    return [survey for survey in consultation.surveys if survey.current_version is not None]


# --- Writing: the coordinators' switch ------------------------------------------------------------

def note_languages(consultation: Consultation) -> list[str]:
    """The languages of the note: the first survey's default language, then every survey language."""
    surveys = consultation.surveys
    languages = [surveys[0].default_language] if surveys else [current_app.config["BABEL_DEFAULT_LOCALE"]]
    for survey in surveys:
        languages += [code for code in survey.languages if code not in languages]
    return languages


def publish_results(consultation: Consultation, show: bool, notes: dict[str, str]) -> None:
    """Show or hide the public results page and set the note per language (caller commits).

    Empty notes are dropped, so the page falls back to the default language; line breaks are
    normalised. The change goes into the audit log.
    """
    cleaned = {code: text.replace("\r\n", "\n").strip() for code, text in notes.items()}
    consultation.results_public = show
    consultation.public_note = {code: text for code, text in cleaned.items() if text}
    record("consultation.public", f"consultation:{consultation.id}",
           f"{consultation.code}: {'public' if show else 'not public'}",
           results_public=show, note_languages=sorted(consultation.public_note))


def publication_form_class(languages: list[str]) -> type[FlaskForm]:
    """The form of the publishing page: the switch and one note field per language.

    Built per request, so that the labels are in the page's language.
    """

    class PublicationForm(FlaskForm):
        results_public = BooleanField(_l("Show the results to residents"))

    for code in languages:
        language = LANGUAGES.get(code)
        name = language.own_name if language else code
        setattr(PublicationForm, f"note_{code}", TextAreaField(
            gettext("What happens next – %(language)s", language=name),
            validators=[Length(max=NOTE_LIMIT, message=gettext(
                "Please write no more than %(max)s characters. You wrote %(length)s."))],
            render_kw={"lang": code, "dir": language.direction if language else "ltr", "rows": 6}))
    return PublicationForm


# --- Views ----------------------------------------------------------------------------------------

def _published(code: str) -> tuple[Consultation, list[Survey]]:
    """A consultation whose results are public, with its surveys (else 404)."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.code == code))
    if consultation is None or not consultation.results_public:
        abort(404)
    surveys = surveys_with_questions(consultation)
    if not surveys:
        abort(404)
    return consultation, surveys


@bp.route("/<consultation_code>", defaults={"quarter_code": None})
@bp.route("/<consultation_code>/<quarter_code>")
def show_results(consultation_code: str, quarter_code: str | None):
    """The main results of a published consultation, for the city or one quarter; no log-in."""
    consultation, surveys = _published(consultation_code)
    offer_languages(surveys[0].languages)  # before anything asks for the locale
    g.survey = surveys[0]
    language = language_code()
    area_key = ("quarter", quarter_code) if quarter_code else CITY
    summaries = [s for s in (summarize_survey(survey, area_key, language) for survey in surveys) if s]
    if not summaries:
        abort(404)
    note, note_language = note_in_language(consultation.public_note, language,
                                           surveys[0].default_language)
    return render_template("public/results.html", consultation=consultation, summaries=summaries,
                           area=summaries[0].area, quarters=quarter_areas(summaries),
                           k=summaries[0].results.k, note=note, note_language=note_language)


@bp.route("/manage/<int:consultation_id>", methods=["GET", "POST"])
def edit_publication(consultation_id: int):
    """Coordinators switch the public results page on or off and write what happens next."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(can_manage)
    consultation = db.get_or_404(Consultation, consultation_id)
    require(consultation_in_scope, consultation)
    languages = note_languages(consultation)
    form = publication_form_class(languages)(data={
        "results_public": consultation.results_public,
        **{f"note_{code}": consultation.public_note.get(code, "") for code in languages}})
    if form.validate_on_submit():
        publish_results(consultation, form.results_public.data,
                        {code: form[f"note_{code}"].data or "" for code in languages})
        db.session.commit()
        flash(gettext("Saved."))
        return redirect(url_for(".edit_publication", consultation_id=consultation.id))
    title = localized(consultation.title, language_code(), languages[0]) or consultation.code
    return render_template("public/edit.html", consultation=consultation, form=form, title=title,
                           languages=languages), 422 if form.errors else 200
