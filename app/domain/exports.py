"""CSV exports: a tidy table of aggregates and an anonymous table of responses.

Both exist in two dialects: ``csv`` (UTF-8, comma, decimal point) for R, Python and QGIS, and
``csv-de`` (UTF-8 with BOM, semicolon, decimal comma) that German Excel opens by double-click.
Text that starts like a formula is defused, so no cell can ever run as one.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable

from app.domain.aggregation import BASE, RESPONSES, Results

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written."""

    name: str
    delimiter: str
    decimal: str
    bom: bool


DIALECTS = {
    "csv": Dialect("csv", ",", ".", False),
    "csv-de": Dialect("csv-de", ";", ",", True),
}

AGGREGATE_COLUMNS = [
    "survey", "version", "question_code", "question_type", "question_label", "level",
    "district_code", "district_name", "quarter_code", "quarter_name", "option_code",
    "option_label", "count", "share", "mean", "median", "suppressed",
]


def defuse(text: str) -> str:
    """Text that can never become a formula: a leading formula character gets a ``'``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", dialect.decimal)
    if isinstance(value, int):
        return str(value)
    return defuse(str(value))


def write_csv(columns: list[str], rows: Iterable[dict], dialect: Dialect, out: io.TextIOBase) -> None:
    """Write ``rows`` (dicts keyed by ``columns``) as CSV in ``dialect``, streaming."""
    if dialect.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column), dialect) for column in columns])


def aggregate_rows(results: Results, survey: str, version: int,
                   question_labels: dict[str, str], option_labels: dict[tuple[str, str], str],
                   responses_label: str) -> Iterable[dict]:
    """The tidy (long) table: one row per question, area and option, plus a row per question and
    area for the number answering (``option_code`` empty) that also holds mean and median."""
    district_names = {a.code: a.name for a in results.areas if a.level == "district"}

    def area_columns(area) -> dict:
        if area.level == "city":
            return {"level": "city"}
        if area.level == "district":
            return {"level": "district", "district_code": area.code, "district_name": area.name}
        return {"level": "quarter", "district_code": area.district_code,
                "district_name": district_names.get(area.district_code, ""),
                "quarter_code": area.code, "quarter_name": area.name}

    head = {"survey": survey, "version": version}
    for area in results.areas:
        figure = results.responses[area.key]
        yield {**head, "question_code": RESPONSES, "question_type": "responses",
               "question_label": responses_label, **area_columns(area), "option_code": "",
               "count": figure.shown, "suppressed": figure.hidden}
    for result in results.questions:
        question = result.question
        qhead = {**head, "question_code": question.code, "question_type": question.type,
                 "question_label": question_labels.get(question.code, question.code)}
        for area in results.areas:
            area_result = result.areas[area.key]
            yield {**qhead, **area_columns(area), "option_code": "",
                   "count": area_result.base.shown, "mean": area_result.mean,
                   "median": area_result.median, "suppressed": area_result.base.hidden}
            for code in result.option_codes:
                figure = area_result.options[code]
                yield {**qhead, **area_columns(area), "option_code": code,
                       "option_label": option_labels.get((question.code, code), code),
                       "count": figure.shown, "share": figure.share, "suppressed": figure.hidden}


__all__ = ["AGGREGATE_COLUMNS", "BASE", "DIALECTS", "aggregate_rows", "defuse", "write_csv"]
