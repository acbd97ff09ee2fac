"""CSV exports: a tidy table of aggregates and an anonymous table of responses.

Both exist in two dialects: ``csv`` (UTF-8, comma, decimal point) for R, Python and QGIS, and
``csv-de`` (UTF-8 with BOM, semicolon, decimal comma) that German Excel opens by double-click.
Text that starts like a formula is defused, so no cell can ever run as one.

``ResponseLayout`` says how a stored response becomes a row of the anonymous response table,
whatever the format: its columns, its quasi-identifiers, and the two missing codes — an empty
cell (``None``) where a question was not shown to the response, ``-1`` where it was shown and
skipped (see ``app.domain.codebook.MISSING_CODES``).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.domain import conditions, paging
from app.domain.aggregation import BASE, RESPONSES, Results
from app.domain.anonymize import Decision, key_of
from app.domain.codebook import SKIPPED, question_columns
from app.domain.definition import SurveyDef

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


#: Rows of CSV text gathered into one chunk by ``csv_chunks``.
ROWS_PER_CHUNK = 200


def csv_chunks(columns: list[str], rows: Iterable[dict], dialect: Dialect,
               rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """``rows`` (dicts keyed by ``columns``) as CSV text in ``dialect``, a chunk of up to
    ``rows_per_chunk`` rows at a time (the header and BOM come with the first): for a streamed
    download, and never more than one chunk in memory."""
    buffer = io.StringIO()
    if dialect.bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    waiting = 0
    for row in rows:
        writer.writerow([_cell(row.get(column), dialect) for column in columns])
        waiting += 1
        if waiting >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            waiting = 0
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(columns: list[str], rows: Iterable[dict], dialect: Dialect, out: io.TextIOBase) -> None:
    """Write ``rows`` (dicts keyed by ``columns``) as CSV in ``dialect``, streaming."""
    out.writelines(csv_chunks(columns, rows, dialect))


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


# --- The anonymous response table ------------------------------------------------------------

#: Columns every response row starts with.
RESPONSE_HEAD = ["response", "version", "district_code", "district_name", "quarter_code", "quarter_name",
                 "language", "channel"]
#: The place as quasi-identifier column groups, from the finest to the coarsest.
GEOGRAPHY = [["quarter_code", "quarter_name"], ["district_code", "district_name"]]
#: Question types with one 0/1 column per option.
FLAG_TYPES = ("multiple_choice", "priority")
#: Blanked columns not named in ``suppressed_fields``: they go with their code, which is named.
NAMES_OF_CODES = {"quarter_name", "district_name"}

#: How many "which questions were shown" results ``ResponseLayout`` keeps (then it starts afresh).
SHOWN_CACHE = 4096

#: Stands for the text of an answer that planners hid: it is never written.
HIDDEN = type("Hidden", (), {"__repr__": lambda self: "HIDDEN"})()
#: Key of a row's list of text columns left empty because their answer is hidden.
WITHHELD = "_withheld"
#: An answer without a chosen "other" option.
NOT_OTHER = object()

#: One stored answer part: (question code, option code, number, text).
AnswerPart = tuple[str, "str | None", "float | None", "str | None"]


def raw_value(option: str | None, number: float | None, text: str | None) -> str:
    """A stored answer part as the raw value a condition compares (what the form had sent)."""
    if option is not None:
        return option
    if number is not None:
        return str(int(number)) if float(number).is_integer() else repr(number)
    return text or ""


class ResponseLayout:
    """How stored responses become rows of the anonymous response table.

    Columns come from ``current``, the version residents answer now; a response is read against
    the version it answered (``versions``: version number → its definition). A question's cells
    hold its answer; ``SKIPPED`` (-1) when it was shown and not answered; ``None`` (an empty
    cell) when it was not shown — its ``relevant`` condition did not hold for the response's own
    answers (judged by ``paging.applicable``, as when the resident answered), or the answered
    version does not have it. A multiple-choice or priority question has one 0/1 column per
    option, all -1 or all empty alike.
    """

    def __init__(self, current: SurveyDef, versions: dict[int, SurveyDef], categories: list[str] = ()):
        self.current = current
        self.versions = versions
        self.questions = [q for q in current.questions if q.type != "quarter"]  # the place columns hold it
        self.own_columns: dict[str, list[str]] = {}
        #: Per question, its extra columns (``codebook.question_columns``): category flags, "other" text.
        self.extra_columns: dict[str, dict[str, str]] = {}
        for question in self.questions:
            columns, extra = question_columns(question, list(categories))
            self.own_columns[question.code] = columns
            self.extra_columns[question.code] = extra
        #: Whether text answers carry planners' categories (columns of their own).
        self.has_categories = bool(categories)
        #: Columns of each question about the person (``respondent`` tag): quasi-identifiers.
        self.respondent = {q.code: self.own_columns[q.code] for q in self.questions if q.tags.get("respondent")}
        self.columns = [*RESPONSE_HEAD, *(c for q in self.questions for c in self.own_columns[q.code]),
                        "suppressed_fields"]
        self.geography = GEOGRAPHY
        self.others = [["channel"], ["language"], *self.respondent.values()]
        self.groups = self.geography + self.others
        self._codes = {number: {q.code for q in defn.questions} for number, defn in versions.items()}
        #: Per version, the questions its conditions refer to: all that decides what was shown.
        self._referenced = {number: sorted(set().union(*(conditions.referenced(conditions.parse(q.relevant))
                                                         for q in defn.questions if q.relevant)))
                            for number, defn in versions.items()}
        self._shown: dict[tuple, set[str]] = {}
        #: The questions whose answers decide a response's key: the respondent questions and
        #: every question their conditions depend on, however indirectly.
        self.key_questions = self._with_conditions(set(self.respondent))

    def _with_conditions(self, codes: set[str]) -> set[str]:
        """``codes`` and every question a condition of theirs refers to, in any version."""
        codes = set(codes)
        while True:
            more = set()
            for defn in [self.current, *self.versions.values()]:
                for question in defn.questions:
                    if question.code in codes and question.relevant:
                        more |= conditions.referenced(conditions.parse(question.relevant))
            if more <= codes:
                return codes
            codes |= more

    def shown(self, version: int, raw: dict[str, list[str]]) -> set[str]:
        """The question codes the version ``version`` showed to a response with these raw answers."""
        defn = self.versions.get(version)
        if defn is None:
            return {q.code for q in self.current.questions}
        if not self._referenced[version]:
            return self._codes[version]
        # The answer depends only on the answers the conditions refer to: remembered by those.
        key = (version, *(tuple(raw.get(code, ())) for code in self._referenced[version]))
        shown = self._shown.get(key)
        if shown is None:
            if len(self._shown) >= SHOWN_CACHE:
                self._shown.clear()
            shown = self._shown[key] = paging.applicable(defn, raw)
        return shown

    def row(self, head: dict, answers: Iterable[AnswerPart], only: set[str] | None = None,
            coded: dict[str, set[str]] | None = None) -> dict:
        """One response's row: ``head`` (version, place, language, channel columns) and its
        question columns from ``answers``. With ``only``, just those questions' columns: enough
        for the key when ``only`` holds ``key_questions`` and ``answers`` at least theirs.
        ``coded``: the planners' categories of the response's text answers, per question. A text
        that is ``HIDDEN`` is left empty and named in ``WITHHELD``."""
        parts: dict[str, list[tuple]] = {}
        raw: dict[str, list[str]] = {}
        for code, option, number, text in answers:
            parts.setdefault(code, []).append((option, number, text))
            raw.setdefault(code, []).append(raw_value(option, number, None if text is HIDDEN else text))
        shown = self.shown(head["version"], raw)
        row = dict(head)
        withheld: list[str] = []

        def text_cell(column: str, text) -> str | None:
            if text is HIDDEN:
                withheld.append(column)
                return None
            return text

        for question in self.questions:
            code = question.code
            if only is not None and code not in only:
                continue
            columns = self.own_columns[code]
            extra = self.extra_columns[code]
            given = parts.get(code)
            if not given:
                missing = SKIPPED if code in shown else None
                row.update(dict.fromkeys(columns, missing))
                continue
            other_text = next((text for option, _, text in given if question.is_other(option)), NOT_OTHER)
            if question.type in FLAG_TYPES:
                picked = {f"{code}__{option}" for option, _, _ in given}
                row.update({column: int(column in picked) for column in columns if column not in extra})
            else:
                option, number, text = given[0]
                if question.type in ("number", "scale") and number is not None:
                    row[code] = int(number)
                elif option is not None:
                    row[code] = option
                else:
                    row[code] = text_cell(code, text)
            for column, kind in extra.items():
                if kind == "text":  # the text beside "other": empty where "other" was not chosen
                    if other_text is NOT_OTHER:
                        row[column] = None
                    else:
                        row[column] = text_cell(column, other_text) if other_text is HIDDEN else (other_text or "")
                else:
                    category = column[len(code) + 2:]
                    row[column] = int(category in (coded or {}).get(code, ()))
        if withheld:
            row[WITHHELD] = withheld
        return row

    def key(self, row: dict) -> tuple:
        """The quasi-identifier key of ``row`` (see ``app.domain.anonymize``)."""
        return key_of(row, self.groups)

    @staticmethod
    def publish(row: dict, decision: Decision, number: int) -> dict:
        """``row`` as published: the decision's quasi-identifiers blanked (``""``), the columns
        blanked (``suppressed_fields``, names of codes left out) and ``number`` as its ``response``."""
        for column in decision.suppressed:
            row[column] = ""
        blanked = (set(decision.suppressed) - NAMES_OF_CODES) | set(row.pop(WITHHELD, ()))
        row["suppressed_fields"] = " ".join(sorted(blanked))
        row["response"] = number
        return row


__all__ = ["AGGREGATE_COLUMNS", "BASE", "DIALECTS", "GEOGRAPHY", "RESPONSE_HEAD", "ResponseLayout", "aggregate_rows",
           "csv_chunks", "defuse", "raw_value", "write_csv"]
