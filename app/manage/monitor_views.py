"""Coordinators' monitor "Who have we not heard yet?" and the upload of reference figures.

Routes on the coordinators' blueprint (``manage``), so its log-in and role check apply. The
arithmetic lives in ``app.domain.monitor``; the CSV reading in ``app.manage.figures``.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import StringField
from wtforms.validators import Length

from app.audit import record
from app.db import db
from app.domain.monitor import AGE_QUESTION, Monitor, build_monitor
from app.manage.figures import MAX_FILE_BYTES, decode_csv, figure_summary, latest_figures, load_figures
from app.manage.queries import quarters_in_scope
from app.manage.views import _survey_in_scope, bp
from app.models import Survey
from app.models.responses import CHANNELS
from app.models.surveys import scope_quarters, version_definition
from app.permissions import scope_quarter_ids
from app.results.queries import perturbation_table, survey_areas, survey_counts
from app.security import allow_upload

#: Names of the figures the product knows; any other figure is shown by its name.
FIGURE_LABELS = {
    "population": _l("Residents"),
    "age_under_18": _l("Residents under 18"),
    "age_18_64": _l("Residents aged 18 to 64"),
    "age_65_plus": _l("Residents aged 65 and over"),
    "foreign_share": _l("Share of residents without German citizenship (per cent)"),
}
class FiguresForm(FlaskForm):
    """A CSV file of reference figures per quarter, and where the figures come from."""

    file = FileField(_l("CSV file with figures per quarter"), validators=[
        FileRequired(_l("Please choose a CSV file.")),
        FileAllowed(["csv", "txt"], _l("Please choose a CSV file (ending in .csv).")),
        FileSize(MAX_FILE_BYTES, message=_l("The file is larger than 1 MB.")),
    ])
    source = StringField(_l("Source of the figures (optional if the file has a source column)"),
                         validators=[Length(max=300)])


allow_upload("manage.upload_figures", MAX_FILE_BYTES)


def survey_monitor(survey: Survey, k: int) -> Monitor:
    """The monitor of ``survey``: its areas and counts (as for its results), the newest figures."""
    areas = survey_areas(survey)
    codes = [area.code for area in areas if area.level == "quarter"]
    definition = version_definition(survey.current_version)
    age_question = next((q for q in definition.questions if q.code == AGE_QUESTION), None)
    return build_monitor(areas, survey_counts(survey), latest_figures(survey.consultation.city, codes), k,
                         scope=[q.code for q in scope_quarters(survey)], age_question=age_question,
                         languages=survey.languages, channels=CHANNELS,
                         perturbation=perturbation_table())


@bp.route("/surveys/<code>/monitor")
def show_monitor(code: str):
    """Who have we not heard yet: responses per 1,000 residents per quarter, and who answered."""
    survey = _survey_in_scope(code)
    monitor = survey_monitor(survey, current_app.config["K_ANONYMITY"])
    return render_template("manage/monitor.html", survey=survey, monitor=monitor,
                           figures=figure_summary(scope_quarters(survey)), FIGURE_LABELS=FIGURE_LABELS)


@bp.route("/figures", methods=["GET", "POST"])
def upload_figures():
    """Load reference figures per quarter from a CSV file: all of it, or nothing and the problems."""
    form = FiguresForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        rows, problems = load_figures(decode_csv(upload.read()), (form.source.data or "").strip(),
                                      allowed_quarter_ids=scope_quarter_ids(current_user))
        if not problems:
            record("figures.load", "figures", f"{rows} quarters from {upload.filename}",
                   source=(form.source.data or "").strip(), quarters=rows)
            db.session.commit()
            flash(gettext("Figures for %(quarters)d quarters were loaded.", quarters=rows))
            return redirect(url_for(".upload_figures"))
    return render_template("manage/figures.html", form=form, problems=problems, FIGURE_LABELS=FIGURE_LABELS,
                           figures=figure_summary(quarters_in_scope(current_user))), \
        422 if form.errors or problems else 200
