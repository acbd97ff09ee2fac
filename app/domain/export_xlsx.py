"""XLSX export: one workbook that planners fold into their needs analyses in Excel.

Sheets, in this order:

``metadata``
    Survey, title, version, period, k, filters, the suppression rule, the missing-value codes of
    the response table, how many responses k-anonymity left out of it, the export date and the
    languages.
one sheet per question (titled with the question code)
    One row per area (city, districts, quarters): how many answered, then count, share and
    ``suppressed`` per option; mean and median for scale and number questions.
``quarter comparison``
    One row per quarter: responses, and the share of every option of every choice question
    (plus the mean of scale and number questions), side by side.
``codebook``
    One row per question and per option: column name, type, labels in every language, tags,
    condition and the meaning of the two missing-value codes.
``responses``
    The anonymous response table, numbers as numbers: an empty cell where a question was not
    shown, the number -1 where it was shown and skipped (a resident's own text "-1" is defused
    to the text "'-1", so the two never mix).

The figures are the bundle's, suppression included: a hidden count or share is an empty cell and
its ``suppressed`` cell is TRUE, as ``suppressed`` is ``true`` in the CSV exports. Every text is
defused (:func:`app.domain.exports.defuse`) and typed as a string, so no cell can run as a formula.

Written in openpyxl's write-only mode: rows stream out as they are made (the response table
straight from the bundle's stream), so memory stays flat however many areas, options and
responses there are.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.domain.aggregation import Area, Figure, QuestionResult
from app.domain.bundle import ExportBundle
from app.domain.codebook import MISSING_CODES, VariableEntry, describe_missing
from app.domain.exports import defuse
from app.domain.naming import unique_name

#: Sheets every workbook has, besides one per question.
METADATA, COMPARISON, CODEBOOK, RESPONSES = "metadata", "quarter comparison", "codebook", "responses"
#: Excel's limits on sheet titles: length, characters it forbids, a name it keeps for itself.
MAX_TITLE = 31
FORBIDDEN_IN_TITLES = re.compile(r"[\[\]:*?/\\]")
RESERVED_TITLES = {"history"}

#: Number formats: shares as percent with one decimal, counts as whole numbers.
SHARE, COUNT, DECIMAL, DAY = "0.0%", "0", "0.00", "yyyy-mm-dd"
#: Question types whose options are compared across quarters (a quarter's own quarter is not).
COMPARED_TYPES = {"single_choice", "multiple_choice", "priority", "yes_no", "scale"}
#: Question types with a mean and a median.
NUMERIC_TYPES = {"scale", "number"}
#: Columns naming an area in question sheets.
AREA_COLUMNS = ["level", "district_code", "quarter_code", "name"]

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_titles(codes: Iterable[str],
                 taken: Iterable[str] = (METADATA, COMPARISON, CODEBOOK, RESPONSES)) -> dict[str, str]:
    """A valid, unique sheet title for each question code: at most 31 characters, none of
    ``[]:*?/\\``, no leading or trailing apostrophe, unique without regard to case (as Excel
    compares titles) among themselves and against ``taken``; a clash gets ``~2``, ``~3`` …"""
    used = {title.casefold() for title in taken} | RESERVED_TITLES
    titles = {}
    for code in codes:
        base = FORBIDDEN_IN_TITLES.sub("_", code).strip("'")[:MAX_TITLE].strip("'") or "question"
        titles[code] = unique_name(base, used, MAX_TITLE, "~")
    return titles


class _Sheet:
    """A write-only sheet with a bold header row, a number format per column, optionally frozen
    panes and an auto filter. Rows are written as they come."""

    def __init__(self, workbook: Workbook, title: str, columns: list[str], formats: dict[str, str] | None = None,
                 freeze: str | None = "A2", rows: int | None = None, widths: dict[str, float] | None = None):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        formats = formats or {}
        self.formats = [formats.get(column) for column in columns]
        # Views, column widths and the filter are written ahead of the rows: set them first.
        if freeze:
            self.ws.freeze_panes = freeze
        for index, column in enumerate(columns, start=1):
            width = (widths or {}).get(column) or min(max(len(column) + 2, 10), 40)
            self.ws.column_dimensions[get_column_letter(index)].width = width
        if rows is not None and columns:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
        self.ws.append([self._cell(column, font=_BOLD) for column in columns])

    def _cell(self, value, number_format: str | None = None, font: Font | None = None,
              alignment: Alignment | None = None):
        """One cell: text defused and typed as a string; numbers, dates, booleans as such."""
        if value is None:
            return None
        if isinstance(value, str):
            cell = WriteOnlyCell(self.ws, value=defuse(ILLEGAL_CHARACTERS_RE.sub("", value)))
            cell.data_type = "s"  # never a formula, whatever the text
        elif isinstance(value, (bool, int, float, date)):
            cell = WriteOnlyCell(self.ws, value=value)
            if isinstance(value, date):
                number_format = number_format or DAY
            elif isinstance(value, bool):
                number_format = None
        else:
            return self._cell(str(value), font=font, alignment=alignment)
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        if alignment:
            cell.alignment = alignment
        return cell

    def append(self, values: dict | list, alignment: Alignment | None = None) -> None:
        """Write one row, given as a dict keyed by column or as a list in column order."""
        if isinstance(values, dict):
            values = [values.get(column) for column in self.columns]
        self.ws.append([self._cell(value, number_format, alignment=alignment)
                        for value, number_format in zip(values, self.formats)])


def _joined(mapping: dict) -> str:
    """``key=value;…``, booleans as true/false."""

    def text(value) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    return ";".join(f"{key}={text(value)}" for key, value in mapping.items())


def _write_metadata(workbook: Workbook, bundle: ExportBundle, exported_on: date) -> None:
    """The ``metadata`` sheet: what was exported, when, and under which rule."""
    sheet = _Sheet(workbook, METADATA, ["field", "value"], widths={"field": 28, "value": 100})
    first, last = bundle.period
    rows = [
        ("survey", bundle.survey),
        ("title", bundle.title.get(bundle.default_language) or next(iter(bundle.title.values()), "")),
        ("version", bundle.version),
        ("first_day", first),
        ("last_day", last),
        ("k", bundle.k),
        *((f"perturbation_{name}", value) for name, value in bundle.results.perturbation.items()),
        ("filters", _joined(bundle.filters) or "none"),
        ("suppression_rule", bundle.suppression_rule),
        ("missing_values", describe_missing()),
        ("responses_in_table", bundle.response_count),
        ("responses_left_out", bundle.left_out),
        ("exported_on", exported_on),
        ("default_language", bundle.default_language),
        ("languages", ", ".join(bundle.languages)),
    ]
    for name, value in rows:
        sheet.append([name, value], alignment=_WRAP)


def _option_columns(option: str) -> list[str]:
    """An option's columns in a question sheet: count, share, suppressed."""
    return [f"{option} count", f"{option} share", f"{option} suppressed"]


def _area_columns(area: Area) -> dict:
    """The columns naming an area: a district's code is its own, a quarter's that of its district."""
    district = {"quarter": area.district_code, "district": area.code}.get(area.level, "")
    return {"level": area.level, "district_code": district,
            "quarter_code": area.code if area.level == "quarter" else "", "name": area.name}


def _write_question(workbook: Workbook, bundle: ExportBundle, result: QuestionResult, title: str) -> None:
    """A question's sheet: one row per area; text questions give only how many answered."""
    question = result.question
    columns = [*AREA_COLUMNS, "answered", "answered suppressed"]
    formats = {"answered": COUNT}
    for option in result.option_codes:
        count, share, _ = _option_columns(option)
        columns += _option_columns(option)
        formats |= {count: COUNT, share: SHARE}
    if question.type in NUMERIC_TYPES:
        columns += ["mean", "median"]
        formats |= {"mean": DECIMAL, "median": DECIMAL}
    sheet = _Sheet(workbook, title, columns, formats, freeze="E2", rows=len(bundle.results.areas),
                   widths={"name": 28})
    for area in bundle.results.areas:
        figures = result.areas[area.key]
        row = {**_area_columns(area), "answered": figures.base.shown, "answered suppressed": figures.base.hidden}
        for option in result.option_codes:
            figure: Figure = figures.options[option]
            count, share, suppressed = _option_columns(option)
            row |= {count: figure.shown, share: None if figure.hidden else figure.share, suppressed: figure.hidden}
        if question.type in NUMERIC_TYPES:
            row |= {"mean": figures.mean, "median": figures.median}
        sheet.append(row)


def _write_comparison(workbook: Workbook, bundle: ExportBundle) -> None:
    """The ``quarter comparison`` sheet: one row per quarter, shares side by side, in the
    survey's question order."""
    results = bundle.results
    quarters = [area for area in results.areas if area.level == "quarter"]
    columns = ["district_code", "quarter_code", "name", "responses", "responses suppressed"]
    formats = {"responses": COUNT}
    picks = []  # (column, question result, option code or None for the mean)
    for result in results.questions:
        question = result.question
        if question.type in COMPARED_TYPES:
            for option in result.option_codes:
                column = f"{question.code}__{option} share"
                picks.append((column, result, option))
                formats[column] = SHARE
        if question.type in NUMERIC_TYPES:
            column = f"{question.code} mean"
            picks.append((column, result, None))
            formats[column] = DECIMAL
    columns += [column for column, _, _ in picks]
    sheet = _Sheet(workbook, COMPARISON, columns, formats, freeze="D2", rows=len(quarters), widths={"name": 28})
    for area in quarters:
        responses = results.responses[area.key]
        row = {"district_code": area.district_code, "quarter_code": area.code, "name": area.name,
               "responses": responses.shown, "responses suppressed": responses.hidden}
        for column, result, option in picks:
            figures = result.areas[area.key]
            if option is None:
                row[column] = figures.mean
            else:
                figure = figures.options[option]
                row[column] = None if figure.hidden else figure.share
        sheet.append(row)


def _values_meaning(entry: VariableEntry) -> str:
    """What the values of a question's response column mean."""
    if entry.type in ("multiple_choice", "priority"):
        return "1 = chosen, 0 = not chosen"
    if entry.type == "number":
        return "a whole number"
    if entry.type in ("short_text", "long_text"):
        return "text"
    return "option code"


def _write_codebook(workbook: Workbook, bundle: ExportBundle, titles: dict[str, str]) -> None:
    """The ``codebook`` sheet: a row per question, then a row per option, labels per language."""
    languages = bundle.languages
    columns = ["variable", "question_code", "type", *[f"label_{lang}" for lang in languages], "option_code",
               *[f"option_label_{lang}" for lang in languages], "tags", "relevant", "values", "missing", "sheet"]
    missing = "; ".join(f'"{code}" = {meaning}' if code == "" else f"{code} = {meaning}"
                        for code, meaning in MISSING_CODES.items())
    rows = sum(1 + len(entry.options) for entry in bundle.codebook)
    sheet = _Sheet(workbook, CODEBOOK, columns, freeze="C2", rows=rows,
                   widths={**{f"label_{lang}": 40 for lang in languages},
                           **{f"option_label_{lang}": 30 for lang in languages}})
    for entry in bundle.codebook:
        # The quarter question has no column of its own: the response's quarter columns hold it.
        own = entry.columns if entry.type != "quarter" else ["quarter_code"]
        per_option = (entry.type in ("multiple_choice", "priority")
                      or any(kind == "flag" for kind in entry.extra_columns.values()))
        head = {"question_code": entry.code, "type": entry.type,
                **{f"label_{lang}": entry.labels.get(lang, "") for lang in languages}}
        sheet.append({**head, "variable": ", ".join(own), "tags": _joined(entry.tags),
                      "relevant": entry.relevant, "values": _values_meaning(entry), "missing": missing,
                      "sheet": titles.get(entry.code, "")})
        for option in entry.options:
            variable = f"{entry.code}__{option.code}" if per_option else ", ".join(own)
            sheet.append({**head, "variable": variable, "option_code": option.code,
                          **{f"option_label_{lang}": option.labels.get(lang, "") for lang in languages},
                          "missing": missing if per_option else ""})


def _write_responses(workbook: Workbook, bundle: ExportBundle) -> None:
    """The ``responses`` sheet: the anonymous response table as the bundle streams it."""
    sheet = _Sheet(workbook, RESPONSES, bundle.response_columns, rows=bundle.response_count)
    for row in bundle.response_rows():
        sheet.append(row)


def write_xlsx(bundle: ExportBundle, out: BinaryIO, *, exported_on: date | None = None) -> None:
    """Write ``bundle`` as an XLSX workbook into ``out`` (a binary file or ``BytesIO``).

    ``exported_on`` is the export date written into ``metadata`` (today unless given).
    """
    workbook = Workbook(write_only=True)
    titles = sheet_titles(result.question.code for result in bundle.results.questions)
    _write_metadata(workbook, bundle, exported_on or date.today())
    for result in bundle.results.questions:
        _write_question(workbook, bundle, result, titles[result.question.code])
    _write_comparison(workbook, bundle)
    _write_codebook(workbook, bundle, titles)
    _write_responses(workbook, bundle)
    workbook.save(out)


__all__ = ["CODEBOOK", "COMPARISON", "METADATA", "RESPONSES", "sheet_titles", "write_xlsx"]
