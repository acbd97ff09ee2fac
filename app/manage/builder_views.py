"""The survey builder: new surveys, questions of every type, order, translations side by side,
and a preview exactly as residents see it. Works without JavaScript.

Every edit goes through ``app.domain.builder`` on the survey's definition and is saved by
``operations.save_definition``, which applies the versioning rule.
"""
from __future__ import annotations

from flask import Response, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app.answering.forms import build_form_class
from app.answering.queries import survey_context
from app.audit import record
from app.db import db
from app.domain import builder, conditions
from app.domain.definition import OTHER_SETTING, TYPES_WITH_CHOICES, DefinitionError, QuestionDef
from app.i18n import LANGUAGES, offer_languages
from app.labels import QUESTION_TYPE_LABELS
from app.manage import operations, queries
from app.manage.forms import NewSurveyForm, QuestionForm, SettingsForm
from app.manage.survey_files import read_survey_file
from app.manage.views import _survey_in_scope, bp
from app.models import City, District, Survey
from app.models.surveys import version_definition
from app.permissions import consultation_in_scope, require, scope_quarter_ids, survey_in_scope
from app.security import CONTENT_SECURITY_POLICY, allow_upload

OUTCOME_MESSAGES = {
    "replaced": lambda: gettext("Saved."),
    "texts": lambda: gettext("Saved. Only texts changed: answers given so far stay as they are."),
    "new_version": lambda: gettext("Saved as a new version, because people have already answered. "
                                   "Results stay comparable by the questions' short names."),
}


def _save(survey, defn, action: str, summary: str) -> None:
    """Save ``defn`` under the versioning rule, log it, commit and tell the user what happened."""
    version, outcome = operations.save_definition(survey, defn)
    record(f"survey.{action}", f"survey:{survey.id}", f"{survey.code}: {summary} ({outcome}, v{version.number})")
    db.session.commit()
    flash(OUTCOME_MESSAGES[outcome]())


@bp.route("/surveys/new", methods=["GET", "POST"])
def new_survey():
    """Start a consultation with its survey: title, languages, districts."""
    form = NewSurveyForm()
    form.default_language.choices = [(c, lang.own_name) for c, lang in LANGUAGES.items()]
    form.languages.choices = [(c, lang.own_name) for c, lang in LANGUAGES.items()]
    scope = scope_quarter_ids(current_user)
    districts = db.session.scalars(select(District).order_by(District.code)).all()
    form.districts.choices = [(d.id, f"{d.code} {d.name}") for d in districts
                              if scope is None or {q.id for q in d.quarters} <= scope]
    if form.validate_on_submit():
        chosen = [d for d in districts if d.id in form.districts.data]
        quarters = [q for d in chosen for q in d.quarters]
        if scope is not None and not quarters:
            form.districts.errors.append(gettext("Please choose at least one of your districts."))
        else:
            city = db.session.scalar(select(City).order_by(City.id))
            try:
                survey = operations.create_survey(city, form.code.data, form.title.data,
                                                  form.default_language.data, form.languages.data, quarters)
            except operations.OperationError:
                form.code.errors.append(gettext("This short name is taken. Please choose another."))
            else:
                record("survey.create", f"survey:{survey.id}", survey.code)
                db.session.commit()
                return redirect(url_for(".edit_survey", code=survey.code))
    return render_template("manage/new_survey.html", form=form), 422 if form.errors else 200


@bp.route("/surveys/<code>/edit")
def edit_survey(code: str):
    """The builder: every question with its actions, and the ways to add one."""
    survey = _survey_in_scope(code)
    defn = version_definition(survey.current_version)
    progress = {lang: builder.completeness(defn, lang) for lang in survey.languages}
    return render_template("manage/builder.html", survey=survey, defn=defn, progress=progress,
                           type_labels=QUESTION_TYPE_LABELS)


def _question_from_form(form: QuestionForm, language: str, old: QuestionDef | None) -> QuestionDef:
    """A question definition from the builder form (texts in ``language``, others kept)."""
    def text(field) -> str:
        return (field.data or "").strip()

    label = dict(old.label) if old else {}
    label[language] = text(form.label)
    hint = dict(old.hint) if old else {}
    if text(form.hint):
        hint[language] = text(form.hint)
    else:
        hint.pop(language, None)
    kind = form.type.data
    settings: dict = {}
    if kind == "scale":
        settings = {"min": form.scale_min.data if form.scale_min.data is not None else 1,
                    "max": form.scale_max.data or 5}
        for key in ("min_label", "max_label"):
            texts = dict((old.settings.get(key) if old else None) or {})
            if text(getattr(form, key)):
                texts[language] = text(getattr(form, key))
                settings[key] = texts
    elif kind == "number":
        settings = {key: value for key, value in (("min", form.number_min.data), ("max", form.number_max.data))
                    if value is not None}
    elif kind == "priority":
        settings = {"max_picks": form.max_picks.data or 3}
    options, other = (builder.parse_option_lines(form.options.data or "", language, old.options if old else None)
                      if kind in TYPES_WITH_CHOICES else ([], None))
    if other:
        settings[OTHER_SETTING] = other
    return QuestionDef(code=form.code.data, type=kind, label=label, hint=hint, required=form.required.data,
                       options=options, settings=settings, tags=dict(old.tags) if old else {},
                       relevant=text(form.relevant))


@bp.route("/surveys/<code>/questions/new", methods=["GET", "POST"], defaults={"question_code": None})
@bp.route("/surveys/<code>/questions/<question_code>", methods=["GET", "POST"])
def edit_question(code: str, question_code: str | None):
    """Add a question, or change one: type, texts, answers, required, settings, condition."""
    survey = _survey_in_scope(code)
    defn = version_definition(survey.current_version)
    old = None
    if question_code:
        old = next((q for q in defn.questions if q.code == question_code), None) or abort(404)
    language = survey.default_language
    form = QuestionForm(obj=None)
    form.type.choices = list(QUESTION_TYPE_LABELS.items())
    if request.method == "GET":
        form.type.data = old.type if old else request.args.get("type", "single_choice")
        if old:
            form.code.data, form.required.data, form.relevant.data = old.code, old.required, old.relevant
            form.label.data, form.hint.data = old.label.get(language, ""), old.hint.get(language, "")
            form.options.data = builder.options_text(old.options, language, old.other_code)
            form.scale_min.data, form.scale_max.data = old.settings.get("min", 1), old.settings.get("max", 5)
            form.min_label.data = (old.settings.get("min_label") or {}).get(language, "")
            form.max_label.data = (old.settings.get("max_label") or {}).get(language, "")
            form.number_min.data, form.number_max.data = old.settings.get("min"), old.settings.get("max")
            form.max_picks.data = old.settings.get("max_picks", 3)
    if form.validate_on_submit():
        try:
            question = _question_from_form(form, language, old)
            new = builder.put_question(defn, question, replacing=question_code)
            _check_condition(new)
            _save(survey, new, "question.save", question.code)
            return redirect(url_for(".edit_survey", code=code) + f"#q-{question.code}")
        except builder.BuilderError as error:
            getattr(form, error.field or "code").errors.append(_builder_message(error))
        except DefinitionError as error:
            form.relevant.errors.append("; ".join(error.problems))
    return render_template("manage/question.html", survey=survey, form=form, old=old,
                           with_choices=TYPES_WITH_CHOICES), 422 if form.errors else 200


def _check_condition(defn) -> None:
    """Refuse conditions that cannot be parsed or point at unknown or later questions."""
    problems = conditions.check(defn)
    if problems:
        raise DefinitionError(problems)


def _builder_message(error: builder.BuilderError) -> str:
    """The user's message for a builder error."""
    if error.field == "options":
        if str(error) == "choices":
            return gettext("Please give at least two answers to choose from.")
        if str(error) == "other_twice":
            return gettext("Only one answer can end with ___ (the answer with a text field).")
        if str(error) == "other_type":
            return gettext("Only single and multiple choice questions can have an answer with a text field "
                           "(a line ending with ___).")
        return gettext("Please write each answer as “short name: text” (%(where)s).", where=str(error))
    if str(error) == "duplicate":
        return gettext("Another question already has this short name.")
    return gettext("Use small letters, digits and _ only.")


@bp.route("/surveys/<code>/questions/<question_code>/<any(up, down, delete):action>", methods=["POST"])
def change_question(code: str, question_code: str, action: str):
    """Move a question up or down, or delete it."""
    survey = _survey_in_scope(code)
    defn = version_definition(survey.current_version)
    if question_code not in [q.code for q in defn.questions]:
        abort(404)
    if action == "delete":
        new = builder.delete_question(defn, question_code)
    else:
        new = builder.move_question(defn, question_code, -1 if action == "up" else 1)
    try:
        _save(survey, new, f"question.{action}", question_code)
    except DefinitionError as error:
        db.session.rollback()
        flash("; ".join(error.problems))
    return redirect(url_for(".edit_survey", code=code))


@bp.route("/surveys/<code>/translate/<language>", methods=["GET", "POST"])
def translate_survey(code: str, language: str):
    """Every text of the survey in ``language`` next to the source language."""
    survey = _survey_in_scope(code)
    if language not in survey.languages or language == survey.default_language:
        abort(404)
    defn = version_definition(survey.current_version)
    slots = builder.text_slots(defn)
    if request.method == "POST":
        texts = {key: request.form.get(f"t:{key}", "") for key, _ in slots}
        _save(survey, builder.set_texts(defn, language, texts), "translate", language)
        return redirect(url_for(".translate_survey", code=code, language=language))
    done, total = builder.completeness(defn, language)
    return render_template("manage/translate.html", survey=survey, defn=defn, slots=slots, language=language,
                           done=done, total=total)


def _preview_headers(response):
    """The preview frame may be shown inside our own builder page, nowhere else."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/surveys/<code>/preview/<language>")
def preview_survey(code: str, language: str):
    """The survey in a phone-sized frame, as residents see it in ``language``."""
    survey = _survey_in_scope(code)
    if language not in survey.languages:
        abort(404)
    return render_template("manage/preview.html", survey=survey, language=language)


@bp.route("/surveys/<code>/preview/<language>/frame")
def preview_frame(code: str, language: str):
    """The residents' page itself, rendered from the current version; it stores nothing."""
    survey = _survey_in_scope(code)
    if language not in survey.languages:
        abort(404)
    offer_languages([language])
    g.survey = survey
    context = survey_context(survey)
    form = build_form_class(context.definition, context.quarter_codes, with_code=survey.uses_codes)()
    response = render_template("respond/survey.html", placement=None, context=context, form=form,
                               save_failed=False, kiosk=False, preview=True)
    return _preview_headers(make_response(response))


#: Largest survey file accepted (an XLSForm with pictures inside can be big).
SURVEY_FILE_LIMIT = 5 * 1024 * 1024


allow_upload("manage.import_survey_file", SURVEY_FILE_LIMIT)


@bp.route("/surveys/import", methods=["GET", "POST"])
def import_survey_file():
    """Upload a survey file (our YAML format or an XLSForm); problems are listed, nothing half-stored."""
    problems, skipped = [], []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = [gettext("Please choose a file.")]
        else:
            try:
                defn, skipped = read_survey_file(upload.filename, upload.read())
                existing = Survey.by_code(defn.code)
                if existing is not None:
                    require(survey_in_scope, existing)
                    _save(existing, defn, "import", upload.filename)
                else:
                    # Joining an existing consultation needs it in one's scope, and never changes it.
                    joined = operations.consultation_named(defn)
                    if joined is not None:
                        require(consultation_in_scope, joined)
                    city = db.session.scalar(select(City).order_by(City.id))
                    scope = scope_quarter_ids(current_user)
                    version = operations.import_survey(
                        defn, city, quarters=queries.quarters_in_scope(current_user) if scope is not None else None)
                    consultation = version.survey.consultation
                    if joined is None:
                        record("consultation.create", f"consultation:{consultation.id}",
                               f"{consultation.code} from {upload.filename}")
                    record("survey.import", f"survey:{version.survey.id}", f"{defn.code} from {upload.filename}")
                    db.session.commit()
                for row in skipped:
                    flash(gettext("Not imported: %(row)s", row=row))
                return redirect(url_for(".edit_survey", code=defn.code))
            except DefinitionError as error:
                db.session.rollback()
                problems = error.problems
    return render_template("manage/import.html", problems=problems), 422 if problems else 200


@bp.route("/surveys/<code>/export.<any(yaml, xlsx):kind>")
def export_survey_file(code: str, kind: str):
    """Download the survey as our YAML file or as an XLSForm."""
    from app.domain import surveyfile, xlsform
    survey = _survey_in_scope(code)
    defn = version_definition(survey.current_version)
    name = f"{survey.code}-v{survey.current_version.number}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "yaml":
        return Response(surveyfile.dump(defn), mimetype="application/yaml", headers=headers)
    return Response(xlsform.to_xlsform(defn, version=str(survey.current_version.number)),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers=headers)


@bp.route("/surveys/<code>/settings", methods=["GET", "POST"])
def edit_settings(code: str):
    """The consultation's title, description and time window; the survey's title, intro and
    thank-you text — all in the source language (other languages on the translation page)."""
    survey = _survey_in_scope(code)
    consultation = survey.consultation
    language = survey.default_language
    defn = version_definition(survey.current_version)
    form = SettingsForm()
    if request.method == "GET":
        form.consultation_title.data = consultation.title.get(language, "")
        form.description.data = consultation.description.get(language, "")
        form.opens_on.data, form.closes_on.data = consultation.opens_on, consultation.closes_on
        form.title.data = defn.title.get(language, "")
        form.intro.data, form.thanks.data = defn.intro.get(language, ""), defn.thanks.get(language, "")
        form.layout.data = {None: "auto", True: "one", False: "all"}[survey.one_question_per_page]
    if form.validate_on_submit():
        survey.one_question_per_page = {"auto": None, "one": True, "all": False}[form.layout.data]
        consultation.title = {**consultation.title, language: form.consultation_title.data.strip()}
        consultation.description = {**consultation.description, language: (form.description.data or "").strip()}
        consultation.opens_on, consultation.closes_on = form.opens_on.data, form.closes_on.data
        texts = {"title": form.title.data, "intro": form.intro.data or "", "thanks": form.thanks.data or ""}
        _save(survey, builder.set_texts(defn, language, texts), "settings", "texts and time window")
        return redirect(url_for(".edit_survey", code=code))
    return render_template("manage/settings.html", survey=survey, form=form), 422 if form.errors else 200
