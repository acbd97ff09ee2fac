"""Reference figures per quarter (residents, age groups, share of foreign nationals …): load a
CSV file of official figures into ``QuarterFigure``, and read them back for the monitor.

The file has one line per quarter: the column ``quarter_code``, then one column per figure,
named by its stable figure name (``population``, ``age_under_18``, ``age_18_64``,
``age_65_plus``, ``foreign_share`` …), and optionally ``year``, ``reference_date`` and
``source``. Name columns (``quarter_name``, ``district_code``, ``district_name``) are ignored:
the quarter is known by its code. Choices:

* **Empty cells are skipped, never estimated**: a quarter without a population figure simply
  has none, and the monitor gives it no rate.
* **All or nothing**: every problem is reported with its line number (line 1 is the header),
  and when there is any, nothing is stored. The caller commits (or rolls back).
* **Numbers** are read strictly. A file separated by commas uses a decimal point and no
  thousands separators; a file separated by semicolons (German Excel) uses a decimal comma and
  may group thousands with dots (``3.968``). Spaces inside a number are ignored. Anything else
  — including the placeholders of official tables such as ``.``, ``-`` or ``x`` — is reported,
  because only the person who has the table can say what it means: leave such cells empty.
* Figures ending in ``_share`` are percentages from 0 to 100 (a trailing ``%`` is allowed);
  every other figure is a head count and may not be negative.
* **The year** comes from the ``year`` column, else from a four-digit year in
  ``reference_date`` (``05/2020``). Figures are stored per (quarter, name, year): loading a
  year again updates its values; other years stay.
* **The source** is the ``source`` column of the line, else the ``source`` given by the
  caller; a ``reference_date`` is kept with it (``Statistisches Amt · 05/2020``).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.models import City, Quarter, QuarterFigure

#: Largest file accepted by the upload form (a city's figures are a few kilobytes).
MAX_FILE_BYTES = 1024 * 1024
QUARTER_COLUMN = "quarter_code"
#: Columns that name things: ignored.
NAME_COLUMNS = frozenset({"quarter_name", "district_code", "district_name"})
#: Columns that describe the figures of a line rather than being one.
META_COLUMNS = frozenset({"year", "reference_date", "source"})
FIGURE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_POINT_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_COMMA_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a figures file. ``str()`` gives the message in the current language."""

    #: Line of the file (1 is the header), or 0 for the file as a whole.
    line: int
    #: ``missing_column``, ``bad_column``, ``no_figures``, ``unknown_quarter``,
    #: ``out_of_scope``, ``ambiguous_quarter``, ``not_a_number``, ``negative``, ``percent``,
    #: ``no_year``, ``duplicate``, ``empty``, ``unreadable``.
    kind: str
    column: str = ""
    value: str = ""
    year: int = 0

    def __str__(self) -> str:
        line, column, value, year = self.line, self.column, self.value, self.year
        messages = {
            "empty": lambda: _("The file is empty."),
            "missing_column": lambda: _("The file has no column %(column)s.", column=column),
            "bad_column": lambda: _("Line %(line)d: “%(column)s” cannot be a figure name. Use lower-case "
                                    "letters, digits and _ only, e.g. population.", line=line, column=column),
            "no_figures": lambda: _("The file has no column with figures."),
            "unknown_quarter": lambda: _("Line %(line)d: there is no quarter with the code %(code)s.",
                                         line=line, code=value),
            "out_of_scope": lambda: _("Line %(line)d: the quarter %(code)s is not in your area.",
                                      line=line, code=value),
            "ambiguous_quarter": lambda: _("Line %(line)d: the code %(code)s belongs to quarters of "
                                           "several cities.", line=line, code=value),
            "not_a_number": lambda: _("Line %(line)d, column %(column)s: “%(value)s” is not a number. "
                                      "Leave a cell empty when there is no figure.",
                                      line=line, column=column, value=value),
            "negative": lambda: _("Line %(line)d, column %(column)s: %(value)s is below zero.",
                                  line=line, column=column, value=value),
            "percent": lambda: _("Line %(line)d, column %(column)s: %(value)s is not a percentage "
                                 "from 0 to 100.", line=line, column=column, value=value),
            "no_year": lambda: _("Line %(line)d: no year. Fill in the column year, or reference_date "
                                 "with the year.", line=line),
            "duplicate": lambda: _("Line %(line)d: the quarter %(code)s appears twice for the year "
                                   "%(year)d.", line=line, code=value, year=year),
            "unreadable": lambda: _("Line %(line)d cannot be read as a table. Please save the file "
                                    "again as CSV, with commas or semicolons between the cells.", line=line),
        }
        return messages[self.kind]()


def decode_csv(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), else Windows-1252 (German Excel)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_number(text: str, decimal_comma: bool) -> float | None:
    """A number written in the file's convention (see the module notes), or None."""
    text = _SPACES.sub("", text)
    if decimal_comma:
        if not _COMMA_NUMBER.match(text):
            return None
        return float(text.replace(".", "").replace(",", "."))
    return float(text) if _POINT_NUMBER.match(text) else None


def _delimiter(text: str) -> str:
    """``;`` when the header line is separated by semicolons (German Excel), else ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _figure_values(line: int, row: dict, columns: list[str], decimal_comma: bool
                   ) -> tuple[list[tuple[str, float]], list[Problem]]:
    """The figures of one line as (name, value), skipping empty cells, and its problems."""
    values, problems = [], []
    for column in columns:
        raw = (row.get(column) or "").strip()
        if not raw:
            continue  # empty: no figure, never an estimate
        is_share = column.endswith("_share")
        number = parse_number(raw[:-1] if is_share and raw.endswith("%") else raw, decimal_comma)
        if number is None:
            problems.append(Problem(line, "not_a_number", column, raw))
        elif is_share and not 0 <= number <= 100:
            problems.append(Problem(line, "percent", column, raw))
        elif number < 0:
            problems.append(Problem(line, "negative", column, raw))
        else:
            values.append((column, number))
    return values, problems


def _quarters_by_code(city: City | None) -> dict[str, list[Quarter]]:
    """Every quarter (of ``city``, else of every city) by its code."""
    stmt = select(Quarter)
    if city is not None:
        stmt = stmt.where(Quarter.city_id == city.id)
    found: dict[str, list[Quarter]] = {}
    for quarter in db.session.scalars(stmt):
        found.setdefault(quarter.code, []).append(quarter)
    return found


def _rows(reader: csv.DictReader, problems: list[Problem]):
    """The rows of ``reader``; a line that the csv module cannot read ends them with a problem."""
    try:
        yield from reader
    except csv.Error:
        problems.append(Problem(reader.reader.line_num, "unreadable"))  # the line it failed on


def load_figures(csv_text: str, source: str = "", *, city: City | None = None,
                 allowed_quarter_ids: set[int] | None = None) -> tuple[int, list[Problem]]:
    """Store the figures of a CSV text in ``QuarterFigure``; return (lines loaded, problems).

    Upserts by (quarter, name, year). ``allowed_quarter_ids`` (None: all) limits the quarters
    the caller may write, e.g. to a coordinator's area. With any problem nothing is added to
    the session, and the lines loaded are 0. Does not commit.
    """
    text = csv_text.lstrip("\ufeff")
    if not text.strip():
        return 0, [Problem(0, "empty")]
    delimiter = _delimiter(text)
    # newline="": line ends stay for the csv module to read (\r\n, \n, and a lone \r as well).
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [(name or "").strip() for name in reader.fieldnames or []]
    except csv.Error:  # e.g. a cell longer than the csv module takes
        return 0, [Problem(1, "unreadable")]
    reader.fieldnames = [name.lower() for name in header]
    columns = reader.fieldnames
    problems: list[Problem] = []
    if QUARTER_COLUMN not in columns:
        problems.append(Problem(1, "missing_column", QUARTER_COLUMN))
    figure_columns = [c for c in columns if c and c != QUARTER_COLUMN and c not in NAME_COLUMNS | META_COLUMNS]
    problems += [Problem(1, "bad_column", original) for original, c in zip(header, columns)
                 if c in figure_columns and not FIGURE_NAME.match(c)]
    if not figure_columns:
        problems.append(Problem(1, "no_figures"))
    if problems:
        return 0, problems

    quarters = _quarters_by_code(city)
    source_default = (source or "").strip()
    planned: list[tuple[Quarter, str, float, int, str]] = []
    seen: set[tuple[int, int]] = set()
    for row in _rows(reader, problems):
        line = reader.line_num  # the file's own line, blank lines counted (the reader skips them)
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a line of empty cells
        code = (row.get(QUARTER_COLUMN) or "").strip()
        matches = quarters.get(code, [])
        if not matches:
            problems.append(Problem(line, "unknown_quarter", value=code))
            continue
        if len(matches) > 1:
            problems.append(Problem(line, "ambiguous_quarter", value=code))
            continue
        quarter = matches[0]
        if allowed_quarter_ids is not None and quarter.id not in allowed_quarter_ids:
            problems.append(Problem(line, "out_of_scope", value=code))
            continue
        values, value_problems = _figure_values(line, row, figure_columns, decimal_comma=delimiter == ";")
        problems += value_problems
        if not values and not value_problems:
            continue  # a quarter without figures: nothing to store
        year_text = (row.get("year") or "").strip()
        reference_date = (row.get("reference_date") or "").strip()
        if year_text and not YEAR.fullmatch(year_text):
            problems.append(Problem(line, "not_a_number", "year", year_text))
            continue
        year_match = YEAR.search(year_text or reference_date)
        if year_match is None:
            problems.append(Problem(line, "no_year"))
            continue
        year = int(year_match.group(0))
        if (quarter.id, year) in seen:
            problems.append(Problem(line, "duplicate", value=code, year=year))
            continue
        seen.add((quarter.id, year))
        row_source = (row.get("source") or "").strip() or source_default
        row_source = " · ".join(part for part in (row_source, reference_date) if part)[:300]
        planned += [(quarter, name, value, year, row_source) for name, value in values]
    if problems:
        return 0, problems

    existing = {(f.quarter_id, f.name, f.year): f for f in db.session.scalars(
        select(QuarterFigure).where(QuarterFigure.quarter_id.in_({q.id for q, *_ in planned})))}
    for quarter, name, value, year, row_source in planned:
        stored = existing.get((quarter.id, name, year))
        if stored is None:
            stored = existing[(quarter.id, name, year)] = QuarterFigure(quarter_id=quarter.id, name=name, year=year)
            db.session.add(stored)
        stored.value, stored.source = value, row_source
    db.session.flush()
    return len({(q.id, year) for q, _name, _value, year, _source in planned}), []


def latest_figures(city: City, codes: Iterable[str]) -> dict[str, dict[str, float]]:
    """The newest value of every figure of the quarters ``codes`` of ``city``: code → name → value."""
    codes = set(codes)
    result: dict[str, dict[str, float]] = {code: {} for code in codes}
    newest: dict[tuple[str, str], int] = {}
    rows = db.session.execute(
        select(Quarter.code, QuarterFigure.name, QuarterFigure.value, QuarterFigure.year)
        .join(Quarter, Quarter.id == QuarterFigure.quarter_id)
        .where(Quarter.city_id == city.id, Quarter.code.in_(codes)))
    for code, name, value, year in rows:
        if year >= newest.get((code, name), year):
            newest[(code, name)] = year
            result[code][name] = value
    return result


@dataclass
class FigureSummary:
    """One figure name and year as loaded: how many quarters have it, and from which sources."""

    name: str
    year: int
    quarters: int
    sources: list[str]


def figure_summary(quarters: list[Quarter] | None = None) -> list[FigureSummary]:
    """What is loaded, by figure name and year (of ``quarters``, else of every quarter)."""
    stmt = select(QuarterFigure)
    if quarters is not None:
        stmt = stmt.where(QuarterFigure.quarter_id.in_({q.id for q in quarters}))
    grouped: dict[tuple[str, int], FigureSummary] = {}
    for figure in db.session.scalars(stmt):
        entry = grouped.setdefault((figure.name, figure.year), FigureSummary(figure.name, figure.year, 0, []))
        entry.quarters += 1
        if figure.source and figure.source not in entry.sources:
            entry.sources.append(figure.source)
    return sorted(grouped.values(), key=lambda e: (e.name != "population", e.name, -e.year))
