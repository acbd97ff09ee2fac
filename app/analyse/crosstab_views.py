"""Planners' cross tables: any question by a respondent question, for the city or one area.

Wired into the ``analyse`` blueprint by importing this module before the blueprint is
registered (``from app.analyse import crosstab_views  # noqa`` in the app factory).
"""
from __future__ import annotations

from flask import render_template, request

from app.analyse.crosstab_queries import survey_crosstab, tabulated_questions
from app.analyse.filters import REST
from app.analyse.views import _survey, bp
from app.i18n import language_code
from app.results.queries import option_labels, survey_areas


def _chosen(items, value: str, key):
    """The item whose ``key`` equals the submitted ``value``, else None."""
    return next((item for item in items if key(item) == value), None)


@bp.route("/<code>/crosstab")
def show_crosstab(code: str):
    """A form to choose a question, a respondent question and an area, and their cross table."""
    survey = _survey(code)
    questions, respondent_questions = tabulated_questions(survey)
    areas = survey_areas(survey)
    row = _chosen(questions, request.args.get("rows", ""), lambda q: q.code)
    col = _chosen(respondent_questions, request.args.get("columns", ""), lambda q: q.code)
    area = _chosen(areas, request.args.get("area", ""), lambda a: f"{a.level}:{a.code}") or areas[0]
    table = None
    if row is not None and col is not None:
        table = survey_crosstab(survey, row, col, area)
    return render_template("analyse/crosstab.html", survey=survey, questions=questions,
                           respondent_questions=respondent_questions, areas=areas, row=row,
                           col=col, area=area, table=table, rest=REST,
                           labels=option_labels(survey, language_code()))
