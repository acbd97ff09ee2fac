"""SPSS export: the anonymous response table as a ``.sav`` file that SPSS, R (haven) and PSPP open
with variable labels and value labels.

How the response table becomes SPSS variables, decided once here (the data package's codebook
repeats the names and values, so every format tells the same story):

* **Names.** A column keeps its name when SPSS accepts it (at most 64 bytes, a letter first, then
  letters, digits, ``_ . @ # $``, not a reserved word such as ``ALL`` or ``TO``, unique ignoring
  case). Option columns ``question__option`` are valid as they are. Any other name is mapped
  deterministically (see ``spss_name``); a renamed variable says its column in its label, and
  the file's notes list every renaming.
* **Choices** (single choice, yes/no) become numbers 1..n in the order of the questionnaire, with
  value labels ``"code – label"``: numbers keep that order (age bands stay ordered), every SPSS
  procedure takes them, and the label keeps the stable option code. Scale points keep their own
  number. Multiple-choice and priority option columns stay 0/1.
* **Missing** has two codes, as in every format (``app.domain.codebook.MISSING_CODES``): a
  question that was not shown is system-missing for numbers and an empty string for text; a
  question shown but skipped is ``-1`` (``"-1"`` in a string variable), declared user-missing
  with the value label "not answered", so SPSS leaves it out of statistics yet tells it apart.
* **Text** answers are strings, defused like the CSV (a leading formula character gets a ``'``):
  the same text in every format, and safe when the data is saved on to Excel. A resident's own
  "-1" thus reads "'-1", never the missing code.

SPSS is the one format that holds the whole response table in memory: pyreadstat writes a
pandas DataFrame, nothing else. The frame is built in one pass over the bundle's stream, column by
column (numbers in packed arrays of doubles), so it holds the table once and no list of rows.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.bundle import ExportBundle
from app.domain.codebook import NOT_SHOWN_MEANING, SKIPPED, SKIPPED_MEANING, OptionEntry, VariableEntry
from app.domain.exports import defuse
from app.domain.naming import unique_name

#: SPSS reserved words: never a variable name.
RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
#: Limits of the .sav format, in bytes of UTF-8.
MAX_NAME, MAX_VARIABLE_LABEL, MAX_VALUE_LABEL, MAX_FILE_LABEL, MAX_NOTE_LINE = 64, 256, 120, 64, 80
_VALID_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.@#$]*$")

#: The response table's own columns: what each holds (English, like the column names).
FIXED_COLUMNS = {
    "response": "Row number in random order (not an identifier, not the order of answering)",
    "version": "Survey version the response answered",
    "district_code": "Official district code (Stadtbezirk); empty if suppressed for k-anonymity",
    "district_name": "District name",
    "quarter_code": "Official quarter code (Stadtteil); empty if suppressed for k-anonymity",
    "quarter_name": "Quarter name",
    "language": "Language the survey was answered in",
    "channel": "How the response came in: web, paper, kiosk or assisted",
    "suppressed_fields": "Columns blanked in this row for k-anonymity, separated by spaces",
}
#: Fixed columns that hold whole numbers.
INTEGER_COLUMNS = {"response", "version"}
#: Question types whose single answer is an option code, recoded to 1..n.
CHOICE_TYPES = {"single_choice", "yes_no"}
#: Question types with one 0/1 column per option.
FLAG_TYPES = {"multiple_choice", "priority"}
#: Value label of the user-missing code ``SKIPPED``.
NOT_ANSWERED = "not answered"


@dataclass(frozen=True)
class ResponseVariable:
    """One column of the response table and what it is in every format.

    ``kind`` is ``integer`` (a whole number), ``scale`` (a scale point), ``choice`` (an option
    code), ``flag`` (0/1: the option was picked) or ``text``.
    """

    column: str
    name: str
    kind: str
    #: Question text in the default language (with `` – option label`` for a flag column).
    label: str
    entry: VariableEntry | None = None
    option: OptionEntry | None = None
    #: For ``choice`` and ``scale``: value in the response table → number in SPSS.
    codes: dict[str, int] = field(default_factory=dict)
    #: For ``choice`` and ``scale``: number in SPSS → its value label.
    value_labels: dict[int, str] = field(default_factory=dict)


def fit(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8 at a character boundary, ``…`` if cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    while len((text + "…").encode("utf-8")) > limit:
        text = text[:-1]
    return text + "…"


def wrap(text: str, limit: int = MAX_NOTE_LINE) -> list[str]:
    """``text`` as lines of at most ``limit`` bytes (a note line of a .sav file), broken at spaces."""
    lines, line = [], ""
    for word in text.split():
        while len(word.encode("utf-8")) > limit:  # a word longer than a line: break it
            cut = len(word)
            while len(word[:cut].encode("utf-8")) > limit:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if len(candidate.encode("utf-8")) <= limit:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def is_valid_name(name: str) -> bool:
    """Whether SPSS accepts ``name`` as a variable name."""
    return (bool(_VALID_NAME.match(name)) and len(name.encode("utf-8")) <= MAX_NAME
            and name.upper() not in RESERVED and not name.endswith("."))


def spss_name(column: str) -> str:
    """A valid SPSS name for ``column``: the column itself when valid; else characters SPSS
    refuses become ``_``, a ``v_`` prefix comes before a non-letter start or a reserved word,
    and a name longer than 64 bytes keeps its first 55 and a hash of the whole column."""
    if is_valid_name(column):
        return column
    name = re.sub(r"[^A-Za-z0-9_.@#$]", "_", column).rstrip(".") or "v"
    if not name[0].isalpha() or name.upper() in RESERVED:
        name = "v_" + name
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME - 9] + "_" + hashlib.sha1(column.encode("utf-8")).hexdigest()[:8]
    return name


def spss_names(columns: list[str]) -> dict[str, str]:
    """Column → SPSS name for every column, unique ignoring case (a clash gets ``_2``, ``_3``…),
    the same for the same columns."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    # Valid names first, so a column never loses its own name to a renamed one.
    for column in sorted(columns, key=lambda c: not is_valid_name(c)):
        names[column] = unique_name(spss_name(column), taken, MAX_NAME, "_")
    return {column: names[column] for column in columns}


def _text(labels: dict[str, str], language: str, fallback: str) -> str:
    return labels.get(language) or next((text for text in labels.values() if text), "") or fallback


def response_variables(bundle: ExportBundle) -> list[ResponseVariable]:
    """Every column of ``bundle``'s response table, in order, with its SPSS name, kind, label and
    codes (see the module's docstring)."""
    language = bundle.default_language
    names = spss_names(bundle.response_columns)
    owners: dict[str, tuple[VariableEntry, OptionEntry | None]] = {}
    texts_beside: set[str] = set()
    for entry in bundle.codebook:
        if entry.type in FLAG_TYPES or any(kind == "flag" for kind in entry.extra_columns.values()):
            for option in entry.options:
                owners[f"{entry.code}__{option.code}"] = (entry, option)
        texts_beside |= {column for column, kind in entry.extra_columns.items() if kind == "text"}
        for column in entry.columns:
            owners.setdefault(column, (entry, None))
    variables = []
    for column in bundle.response_columns:
        name = names[column]
        if column not in owners:
            kind = "integer" if column in INTEGER_COLUMNS else "text"
            variables.append(ResponseVariable(column, name, kind, FIXED_COLUMNS.get(column, column)))
            continue
        entry, option = owners[column]
        question = bundle.question_labels.get(entry.code) or _text(entry.labels, language, entry.code)
        if column in texts_beside:
            variables.append(ResponseVariable(column, name, "text", f"{question} – own words beside 'other'",
                                              entry))
        elif option is not None:
            option_label = (bundle.option_labels.get((entry.code, option.code))
                            or _text(option.labels, language, option.code))
            variables.append(ResponseVariable(column, name, "flag", f"{question} – {option_label}",
                                              entry, option))
        elif entry.type == "scale":
            codes = {o.code: int(o.code) for o in entry.options}
            labels = {int(o.code): _text(o.labels, language, o.code) for o in entry.options}
            variables.append(ResponseVariable(column, name, "scale", question, entry, None, codes, labels))
        elif entry.type in CHOICE_TYPES:
            codes = {o.code: number for number, o in enumerate(entry.options, start=1)}
            labels = {codes[o.code]: f"{o.code} – "
                      f"{bundle.option_labels.get((entry.code, o.code)) or _text(o.labels, language, o.code)}"
                      for o in entry.options}
            variables.append(ResponseVariable(column, name, "choice", question, entry, None, codes, labels))
        elif entry.type == "number":
            variables.append(ResponseVariable(column, name, "integer", question, entry))
        else:
            variables.append(ResponseVariable(column, name, "text", question, entry))
    return variables


def _missing(value) -> bool:
    """An empty cell: the question was not shown (or the value was blanked for k-anonymity)."""
    return value is None or value == ""


def _skipped(value) -> bool:
    """The code of a question shown but not answered (a number, never a resident's text)."""
    return isinstance(value, int) and not isinstance(value, bool) and value == SKIPPED


def _columns(variables: list[ResponseVariable], rows) -> tuple[dict, dict]:
    """The response table as one sequence per variable, gathered in one pass over ``rows``:
    numbers in arrays of doubles (NaN: system-missing), text in lists; and the value labels of
    choices and scales, with codes the codebook does not know numbered after the rest."""
    from array import array

    nan = float("nan")
    data = {v.name: [] if v.kind == "text" else array("d") for v in variables}
    coded = [v for v in variables if v.kind in ("choice", "scale")]
    codes = {v.name: dict(v.codes) for v in coded}
    unknown: dict[str, list[tuple[int, str]]] = {v.name: [] for v in coded}  # (row, code) to number later
    plain = [v for v in variables if v.kind not in ("choice", "scale")]
    for position, row in enumerate(rows):
        for variable in plain:
            value = row.get(variable.column)
            if variable.kind == "text":
                data[variable.name].append("" if _missing(value) else str(SKIPPED) if _skipped(value)
                                           else defuse(str(value)))
            else:
                data[variable.name].append(nan if _missing(value) else float(value))
        for variable in coded:
            value = row.get(variable.column)
            if _missing(value) or _skipped(value):
                data[variable.name].append(nan if _missing(value) else float(SKIPPED))
            elif str(value) in codes[variable.name]:
                data[variable.name].append(float(codes[variable.name][str(value)]))
            else:
                data[variable.name].append(nan)
                unknown[variable.name].append((position, str(value)))
    labels = {}
    for variable in coded:
        mapping, texts = codes[variable.name], dict(variable.value_labels)
        # A code the codebook does not know (an older version's option) is kept, numbered after the rest.
        for code in sorted({code for _, code in unknown[variable.name]}):
            mapping[code] = max([*mapping.values(), 0]) + 1
            texts[mapping[code]] = f"{code} – (not in the codebook)"
        for row_number, code in unknown[variable.name]:
            data[variable.name][row_number] = float(mapping[code])
        labels[variable.name] = texts
    return data, labels


def write_sav(bundle: ExportBundle, path: Path) -> None:
    """Write ``bundle``'s anonymous response table to ``path`` as an SPSS ``.sav`` file: one
    variable per column, variable labels (question texts in the default language), value labels
    for choices and scales, -1 user-missing ("not answered") in every question's variable, notes
    with the survey, period, k, suppression rule and coding. Takes the bundle's rows once."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    variables = response_variables(bundle)
    data, coded_labels = _columns(variables, bundle.response_rows())
    frame_columns, column_labels, value_labels, measure, formats, missing = {}, {}, {}, {}, {}, {}
    renamed = []
    for variable in variables:
        label = variable.label
        if variable.name != variable.column:
            renamed.append(f"{variable.column} -> {variable.name}")
            label = f"[{variable.column}] {label}"
        column_labels[variable.name] = fit(label, MAX_VARIABLE_LABEL)
        question = variable.entry is not None
        values = data.pop(variable.name)
        if variable.kind == "text":
            frame_columns[variable.name] = pd.Series(values, dtype=object)
            measure[variable.name] = "nominal"
            if question:
                missing[variable.name] = [str(SKIPPED)]
                value_labels[variable.name] = {str(SKIPPED): NOT_ANSWERED}
            continue
        frame_columns[variable.name] = pd.Series(np.frombuffer(values, dtype="float64"), copy=True)
        labels = coded_labels.get(variable.name, {})
        if variable.kind in ("choice", "scale"):
            measure[variable.name] = "ordinal" if variable.kind == "scale" else "nominal"
        else:
            measure[variable.name] = "nominal" if variable.kind == "flag" else "scale"
        if question:
            missing[variable.name] = [SKIPPED]
            labels = {SKIPPED: NOT_ANSWERED, **labels}
        if labels:
            value_labels[variable.name] = {number: fit(text, MAX_VALUE_LABEL) for number, text in labels.items()}
        formats[variable.name] = "F2.0" if variable.kind == "flag" else "F8.0"
        del values

    title = bundle.title.get(bundle.default_language) or bundle.survey
    first, last = bundle.period
    notes = [
        f"{title} – survey {bundle.survey}, version {bundle.version}.",
        f"Responses from {first or '–'} to {last or '–'}; {bundle.left_out} left out for k-anonymity (k = {bundle.k}).",
        bundle.suppression_rule,
        (f"Missing: system-missing (empty text) = {NOT_SHOWN_MEANING}; {SKIPPED} (user-missing, value label "
         f"'{NOT_ANSWERED}'; \"{SKIPPED}\" in text variables) = {SKIPPED_MEANING}."),
        ("Choice answers are numbered 1..n in the order of the questionnaire; each value label reads "
         "'code – label'. Scale answers keep their points. Multiple-choice option columns: 1 picked, 0 not."),
        "Text answers starting like a spreadsheet formula begin with an apostrophe, as in the CSV.",
    ]
    if renamed:
        notes.append("Columns renamed to valid SPSS names: " + "; ".join(renamed))
    frame = pd.DataFrame(frame_columns, columns=[v.name for v in variables])
    frame_columns.clear()
    pyreadstat.write_sav(
        frame, str(path),
        file_label=fit(f"{bundle.survey} v{bundle.version} responses (k={bundle.k})", MAX_FILE_LABEL),
        column_labels=column_labels, variable_value_labels=value_labels,
        note=[line for text in notes for line in wrap(text)],
        variable_measure=measure, variable_format=formats, missing_ranges=missing)


__all__ = ["FIXED_COLUMNS", "ResponseVariable", "is_valid_name", "response_variables", "spss_name",
           "spss_names", "write_sav"]
