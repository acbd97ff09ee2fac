"""Planners' needs profile of one quarter: each indicator against the city, by field of action,
as a printable page and as CSV. Routes on the ``analyse`` blueprint."""
from __future__ import annotations

import io

from flask import Response, abort, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.analyse.views import _survey, bp
from app.domain.exports import DIALECTS, write_csv
from app.domain.profile import MEAN, Indicator, Profile, build_profile
from app.domain.texts import localized
from app.i18n import language_code
from app.models import Survey
from app.models.surveys import version_definition
from app.results.queries import option_labels, survey_results

#: The strategy's fields of action, as planners read them.
FIELD_LABELS = {
    "living_together": _l("Living together and meeting places"),
    "participation": _l("Taking part and getting involved"),
    "social_infrastructure": _l("Health, care, childcare, youth and advice"),
    "housing": _l("Housing and living environment"),
    "": _l("Other indicators"),
}

PROFILE_COLUMNS = [
    "survey", "quarter_code", "quarter_name", "field", "indicator", "question_code", "option_code",
    "label", "measure", "quarter_value", "city_value", "difference", "quarter_suppressed",
    "city_suppressed",
]


def _profile(code: str, quarter_code: str) -> tuple[Survey, Profile]:
    """The survey in the user's scope and the quarter's profile (404 for an unknown quarter)."""
    survey = _survey(code)
    try:
        profile = build_profile(survey_results(survey), version_definition(survey.current_version),
                                quarter_code)
    except LookupError:
        abort(404)
    return survey, profile


def indicator_label(survey: Survey, indicator: Indicator, labels: dict, language: str) -> str:
    """The row's words: the question, and for a share of a choice question the option."""
    question = localized(indicator.question.label, language, survey.default_language) \
        or indicator.question.code
    if indicator.measure == MEAN:
        return _("%(question)s (average)", question=question)
    if indicator.question.type == "yes_no":
        return _("%(question)s (share answering yes)", question=question)
    option = labels.get((indicator.question.code, indicator.option_code), indicator.option_code)
    return _("%(question)s: %(option)s", question=question, option=option)


def format_gap(indicator: Indicator) -> str:
    """The difference with its sign: percentage points for shares, one decimal for means."""
    gap = indicator.gap
    if gap is None:
        return ""
    if indicator.measure == MEAN:
        return format_decimal(gap, format="+#,##0.0;−#,##0.0")
    return _("%(points)s points", points=format_decimal(gap * 100, format="+#,##0;−#,##0"))


@bp.route("/<code>/profile/<quarter_code>")
def show_profile(code: str, quarter_code: str):
    """The needs profile of a quarter: per field of action, the largest differences first."""
    survey, profile = _profile(code, quarter_code)
    language = language_code()
    labels = option_labels(survey, language)
    return render_template("analyse/profile.html", survey=survey, profile=profile,
                           field_labels=FIELD_LABELS, format_gap=format_gap,
                           label=lambda indicator: indicator_label(survey, indicator, labels, language))


@bp.route("/<code>/profile/<quarter_code>.csv")
def download_profile(code: str, quarter_code: str):
    """The profile's rows as CSV; ``?dialect=csv-de`` for German Excel."""
    dialect = request.args.get("dialect", "csv")
    if dialect not in DIALECTS:
        abort(404)
    survey, profile = _profile(code, quarter_code)
    language = language_code()
    labels = option_labels(survey, language)
    rows = ({"survey": survey.code, "quarter_code": profile.quarter_code,
             "quarter_name": profile.quarter_name, "field": row.field, "indicator": row.name,
             "question_code": row.question.code, "option_code": row.option_code,
             "label": indicator_label(survey, row, labels, language), "measure": row.measure,
             "quarter_value": row.quarter.value, "city_value": row.city.value, "difference": row.gap,
             "quarter_suppressed": row.quarter.hidden, "city_suppressed": row.city.hidden}
            for row in profile.indicators())
    out = io.StringIO()
    write_csv(PROFILE_COLUMNS, rows, DIALECTS[dialect], out)
    suffix = ".de.csv" if dialect == "csv-de" else ".csv"
    name = f"{survey.code}-profile-{profile.quarter_code}{suffix}"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
