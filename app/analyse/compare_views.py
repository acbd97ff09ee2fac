"""Planners' comparisons: one question quarter by quarter (page and CSV), and the questions a
survey shares with its other waves, side by side.

Wired into the ``analyse`` blueprint by importing this module before the blueprint is
registered (``from app.analyse import compare_views  # noqa`` in the app factory).
"""
from __future__ import annotations

import io

from flask import Response, abort, render_template, request
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from app.analyse.compare_queries import in_wave_order, wave_candidates, wave_comparison, wave_date, wave_labels
from app.analyse.views import _survey, bp
from app.domain.aggregation import NO_QUARTER, Results
from app.domain.comparison import (
    SORT_BY_MEAN,
    Comparison,
    compare_quarters,
    compared_questions,
    comparison_columns,
    comparison_rows,
)
from app.domain.exports import DIALECTS, write_csv
from app.domain.profile import MEAN
from app.i18n import language_code
from app.models import Survey
from app.results.queries import option_labels, survey_areas, survey_results


def _comparison(code: str) -> tuple[Survey, Results, Comparison | None]:
    """The survey in scope, its results and the table of the chosen question (the first
    comparable one by default; None if there is none; 404 for an unknown question)."""
    survey = _survey(code)
    results = survey_results(survey)
    questions = compared_questions(results)
    chosen = request.args.get("question") or (questions[0].question.code if questions else "")
    if not chosen:
        return survey, results, None
    try:
        table = compare_quarters(results, chosen, request.args.get("sort", ""),
                                 descending=request.args.get("order") != "asc")
    except LookupError:
        abort(404)
    return survey, results, table


@bp.route("/<code>/compare")
def show_comparison(code: str):
    """A form to choose a question, and its figures quarter by quarter, optionally ranked."""
    survey, results, table = _comparison(code)
    return render_template("analyse/compare.html", survey=survey, table=table,
                           questions=[r.question for r in compared_questions(results)],
                           unassigned=results.responses.get(NO_QUARTER), k=results.k,
                           sort_by_mean=SORT_BY_MEAN,
                           labels=option_labels(survey, language_code()))


@bp.route("/<code>/compare.csv")
def download_comparison(code: str):
    """The quarter table as on the page, as CSV; ``?dialect=csv-de`` for German Excel."""
    dialect = request.args.get("dialect", "csv")
    if dialect not in DIALECTS:
        abort(404)
    survey, _results, table = _comparison(code)
    if table is None:
        abort(404)
    out = io.StringIO()
    write_csv(comparison_columns(table), comparison_rows(table, survey.code), DIALECTS[dialect], out)
    suffix = ".de.csv" if dialect == "csv-de" else ".csv"
    name = f"{survey.code}-compare-{table.question.code}{suffix}"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def format_change(change: float | None, measure: str) -> str:
    """A change between waves with its sign: one decimal for means, else percentage points."""
    if change is None:
        return "–"
    if measure == MEAN:
        return format_decimal(round(change, 1) + 0.0, format="+#,##0.0;−#,##0.0")
    return _("%(points)s points", points=format_decimal(round(change * 100), format="+#,##0;−#,##0"))


def wave_headers(waves: list[Survey]) -> dict[str, str]:
    """Short column headers: the month each wave began, e.g. "Mar 2024" (the survey codes
    where two waves began in the same month)."""
    months = {wave.code: format_date(wave_date(wave), "MMM y") for wave in waves}
    if len(set(months.values())) < len(months):
        return {wave.code: wave.code for wave in waves}
    return months


@bp.route("/<code>/waves")
def show_waves(code: str):
    """The questions this survey shares with other waves (chosen ones; all by default), for the
    city and a chosen district or quarter, wave after wave, with the change."""
    survey = _survey(code)
    candidates = wave_candidates(survey, current_user)
    chosen = set(request.args.getlist("with")) or {other.code for other in candidates}
    waves = in_wave_order([survey, *(other for other in candidates if other.code in chosen)])
    areas = survey_areas(survey)
    area = next((a for a in areas if f"{a.level}:{a.code}" == request.args.get("area")), areas[0])
    comparison = wave_comparison(waves, area.key) if len(waves) > 1 else None
    return render_template("analyse/waves.html", survey=survey, candidates=candidates,
                           chosen=chosen, waves=waves, areas=areas, area=area,
                           comparison=comparison, format_change=format_change,
                           headers=wave_headers(waves),
                           labels=wave_labels(waves, language_code()))
