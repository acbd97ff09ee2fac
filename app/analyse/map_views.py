"""The results map (quarters coloured by one figure, SVG drawn on the server) and the upload of
the quarter boundaries it is drawn from.

Routes on the planners' blueprint (``analyse``), so its log-in and role check apply. The drawing
lives in ``app.domain.svgmap``, the storage of the boundaries in ``app.analyse.boundaries``.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup

from app.analyse.boundaries import MAX_BOUNDARIES_BYTES, load_boundaries, save_boundaries
from app.analyse.views import _survey, bp
from app.audit import record
from app.db import db
from app.domain.aggregation import Results
from app.domain.export_json import MAP_CHOICE_TYPES, NUMERIC_TYPES
from app.domain.svgmap import MapLabels, render_map
from app.i18n import language_code
from app.permissions import can_manage_city, require
from app.results.queries import option_labels, survey_results
from app.security import allow_upload
from app.templating import format_share, format_stat


class BoundariesForm(FlaskForm):
    """A GeoJSON file with the quarters' boundaries."""

    file = FileField(_l("GeoJSON file with the quarters' boundaries"),
                     validators=[FileRequired(_l("Please choose a GeoJSON file."))])


allow_upload("analyse.upload_boundaries", MAX_BOUNDARIES_BYTES)


@dataclass(frozen=True)
class MapFigure:
    """A figure the map can show: the share of ``option`` of ``question``, or its mean."""

    key: str  # "question:option" or "question"
    question: str
    option: str | None
    label: str


def map_figures(results: Results, labels: dict, language: str, default_language: str) -> list[tuple[str, list[MapFigure]]]:
    """The figures to choose from, grouped by question: option shares of choice questions, means
    of scale and number questions."""
    groups = []
    for result in results.questions:
        question = result.question
        text = question.label.get(language) or question.label.get(default_language) or question.code
        figures = []
        if question.type in NUMERIC_TYPES:
            figures.append(MapFigure(question.code, question.code, None, gettext("Mean")))
        if question.type in MAP_CHOICE_TYPES:
            figures += [MapFigure(f"{question.code}:{option}", question.code, option,
                                  labels.get((question.code, option), option))
                        for option in result.option_codes]
        if figures:
            groups.append((text, figures))
    return groups


def quarter_values(results: Results, figure: MapFigure) -> tuple[dict[str, float | None], set[str]]:
    """Per quarter code: the figure's value (share or mean), and the codes where it is suppressed."""
    result = next(r for r in results.questions if r.question.code == figure.question)
    values, hidden = {}, set()
    for area in results.areas:
        if area.level != "quarter" or area.key not in result.areas:
            continue
        area_result = result.areas[area.key]
        if figure.option is None:
            if area_result.base.hidden:
                hidden.add(area.code)
            values[area.code] = None if area_result.base.hidden else area_result.mean
        else:
            option = area_result.options.get(figure.option)
            if option is None or option.hidden or area_result.base.hidden:
                hidden.add(area.code)
                values[area.code] = None
            else:
                values[area.code] = option.share
    return values, hidden


@bp.route("/<code>/map")
def show_map(code: str):
    """The quarters coloured by one figure of a survey, with the same figures as a table."""
    survey = _survey(code)
    results = survey_results(survey)
    language = language_code()
    groups = map_figures(results, option_labels(survey, language), language, survey.default_language)
    choices = {figure.key: (text, figure) for text, figures in groups for figure in figures}
    chosen = request.args.get("figure", "")
    if chosen not in choices and choices:
        chosen = next(iter(choices))
    boundaries = load_boundaries(current_app.instance_path)
    svg, rows = None, []
    if chosen:
        question_text, figure = choices[chosen]
        values, hidden = quarter_values(results, figure)
        is_share = figure.option is not None
        format_value = format_share if is_share else format_stat
        names = {a.code: a.name for a in results.areas if a.level == "quarter"}
        rows = [(area, values.get(area.code), area.code in hidden)
                for area in results.areas if area.level == "quarter" and area.code in values]
        title = f"{question_text} – {figure.label}"
        if boundaries is not None:
            svg = Markup(render_map(
                boundaries, values, hidden, title, _map_labels(results.k), names=names,
                description=gettext("Map of the quarters: %(figure)s. Hatched quarters are not shown; grey "
                                    "quarters have no data. The table below gives the same figures.",
                                    figure=title),
                domain=(0.0, 1.0) if is_share else None, format_value=format_value))
    return render_template("analyse/map.html", survey=survey, results=results, groups=groups,
                           chosen=chosen, svg=svg, rows=rows, boundaries=boundaries is not None,
                           is_share=bool(chosen) and choices[chosen][1].option is not None,
                           can_upload=can_manage_city(current_user))


def _map_labels(k: int) -> MapLabels:
    return MapLabels(suppressed=gettext("not shown"),
                     no_data=gettext("no data"), legend=gettext("Legend"))


@bp.route("/boundaries", methods=["GET", "POST"])
def upload_boundaries():
    """Replace the city's quarter boundaries with an uploaded GeoJSON file (admins, and
    coordinators for the whole city: the boundaries are the whole city's)."""
    require(can_manage_city)
    form = BoundariesForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        count, problems = save_boundaries(upload.read(), current_app.instance_path)
        if not problems:
            record("boundaries.load", "boundaries", f"{count} features from {upload.filename}",
                   features=count)
            db.session.commit()
            flash(ngettext("Boundaries of %(num)d quarter were loaded.",
                           "Boundaries of %(num)d quarters were loaded.", count))
            return redirect(url_for(".upload_boundaries"))
    stored = load_boundaries(current_app.instance_path)
    return render_template("analyse/boundaries.html", form=form, problems=problems,
                           stored=len(stored["features"]) if stored else None), \
        422 if form.errors or problems else 200
