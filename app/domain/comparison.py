"""One question compared quarter by quarter: a row per area, columns per option.

Pure Python on top of :mod:`app.domain.aggregation`. Every figure comes unchanged from the
suppressed ``Results`` of the survey, so the table shows exactly the numbers of the results page:
a hidden figure stays hidden (no count, no share, no mean), and sorting never looks at a hidden
value — areas without a shown value come last, in the order of their codes.

Columns: the number answering, mean and median (scale and number questions), then per option
its count and its share of those answering. Rows, unsorted: the city, then each district (its subtotal) followed by its quarters. Sorted by
an option's share (or by the mean): the city, the quarters ranked, then the districts ranked.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.domain.aggregation import Area, AreaResult, QuestionResult, Results
from app.domain.definition import QuestionDef

#: Question types with a fixed set of answers (or a number) that a quarter table can show.
#: Coded free text may join them once codes are stored as options.
COMPARED_TYPES = ("single_choice", "multiple_choice", "yes_no", "scale", "priority", "number")
#: Types whose table also shows the mean and the median.
MEAN_TYPES = ("scale", "number")
#: The ``sort`` value that ranks by the mean (option codes never start with ``_``).
SORT_BY_MEAN = "_mean"


@dataclass(frozen=True)
class ComparisonRow:
    """One area of the table: its figures for the question, and for a quarter its district."""

    area: Area
    result: AreaResult
    district: Area | None = None


@dataclass
class Comparison:
    """The quarter table of one question; ``option_codes`` in display order.

    ``sort`` is empty (districts with their quarters) or the option code (or
    :data:`SORT_BY_MEAN`) the rows are ranked by, highest first when ``descending``.
    """

    question: QuestionDef
    option_codes: list[str]
    k: int
    rows: list[ComparisonRow]
    sort: str = ""
    descending: bool = True

    @property
    def has_mean(self) -> bool:
        """Whether the table shows mean and median."""
        return self.question.type in MEAN_TYPES

    @property
    def sort_keys(self) -> list[str]:
        """What the rows can be ranked by: each option's share, then the mean."""
        return [*self.option_codes, *([SORT_BY_MEAN] if self.has_mean else [])]


def compared_questions(results: Results) -> list[QuestionResult]:
    """The questions of ``results`` a quarter table can show, in the survey's order."""
    return [result for result in results.questions if result.question.type in COMPARED_TYPES]


def sort_value(result: AreaResult, sort: str) -> float | None:
    """The shown value an area is ranked by: an option's share or the mean; None when hidden."""
    if sort == SORT_BY_MEAN:
        return None if result.base.hidden else result.mean
    figure = result.options.get(sort)
    return None if figure is None or figure.hidden else figure.share


def _ranked(rows: list[ComparisonRow], sort: str, descending: bool) -> list[ComparisonRow]:
    """Rows with a value first (highest first when ``descending``), then the rest by code."""
    sign = -1 if descending else 1

    def key(row: ComparisonRow) -> tuple:
        value = sort_value(row.result, sort)
        return (value is None, sign * value if value is not None else 0.0, row.area.code)

    return sorted(rows, key=key)


def compare_quarters(results: Results, question_code: str, sort: str = "",
                     descending: bool = True) -> Comparison:
    """The quarter table of ``question_code``. An unknown ``sort`` leaves the rows unsorted.

    Raises ``LookupError`` when the survey has no such question or its type cannot be compared.
    """
    result = next((r for r in compared_questions(results) if r.question.code == question_code), None)
    if result is None:
        raise LookupError(question_code)
    districts = {area.code: area for area in results.areas if area.level == "district"}
    rows = [ComparisonRow(area, result.areas[area.key], districts.get(area.district_code))
            for area in results.areas]
    table = Comparison(result.question, list(result.option_codes), results.k, rows)
    if sort and sort in table.sort_keys:
        table.sort, table.descending = sort, descending
        by_level = {level: [row for row in rows if row.area.level == level]
                    for level in ("city", "quarter", "district")}
        table.rows = [*by_level["city"], *_ranked(by_level["quarter"], sort, descending),
                      *_ranked(by_level["district"], sort, descending)]
    return table


#: Columns that name the area, as in the aggregate export.
AREA_COLUMNS = ["level", "district_code", "district_name", "quarter_code", "quarter_name"]


def comparison_columns(table: Comparison) -> list[str]:
    """CSV columns in the page's order: survey, question, the area, the base (with mean and
    median for scale and number questions), then per option count, share and a
    ``suppressed`` marker."""
    columns = ["survey", "question_code", *AREA_COLUMNS, "answered", "answered_suppressed"]
    columns += ["mean", "median"] if table.has_mean else []
    for code in table.option_codes:
        columns += [f"{code}__count", f"{code}__share", f"{code}__suppressed"]
    return columns


def _area_cells(row: ComparisonRow) -> dict:
    """The area columns of a row, filled as the aggregate export fills them."""
    area = row.area
    if area.level == "city":
        return {"level": "city"}
    if area.level == "district":
        return {"level": "district", "district_code": area.code, "district_name": area.name}
    return {"level": "quarter", "district_code": area.district_code,
            "district_name": row.district.name if row.district else "",
            "quarter_code": area.code, "quarter_name": area.name}


def comparison_rows(table: Comparison, survey_code: str) -> Iterator[dict]:
    """The table's rows, in the page's order, as dicts for ``write_csv``.

    A hidden figure gives an empty count and share and ``suppressed`` true — the marking of the
    aggregate export; mean and median are empty where the base is hidden.
    """
    for row in table.rows:
        result = row.result
        cells = {"survey": survey_code, "question_code": table.question.code, **_area_cells(row),
                 "answered": result.base.shown, "answered_suppressed": result.base.hidden}
        if table.has_mean:
            cells.update({"mean": result.mean, "median": result.median})
        for code in table.option_codes:
            figure = result.options[code]
            cells.update({f"{code}__count": figure.shown, f"{code}__share": figure.share,
                          f"{code}__suppressed": figure.hidden})
        yield cells


__all__ = ["COMPARED_TYPES", "MEAN_TYPES", "SORT_BY_MEAN", "Comparison", "ComparisonRow",
           "compare_quarters", "compared_questions", "comparison_columns", "comparison_rows",
           "sort_value"]
