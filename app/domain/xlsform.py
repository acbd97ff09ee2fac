"""XLSForm import and export: the spreadsheet standard of ODK, KoboToolbox and SurveyCTO.

A workbook has three sheets. ``survey`` has one row per question, ``choices`` one row per
option (``list_name``, ``name``, ``label``), ``settings`` one header row and one value row.
Texts live in one column per language, ``label::Deutsch (de)``.

Export (``to_xlsform``) writes standard columns that KoboToolbox/ODK understand, plus columns
of our own for what XLSForm lacks:

=====================  ===========================================  =========================
our type               XLSForm ``type``                             also written
=====================  ===========================================  =========================
single_choice          ``select_one <name>`` (list = question name)
multiple_choice        ``select_multiple <name>``
priority               ``select_multiple <name>``                   ``constraint``
                                                                    ``count-selected(.) <= N``
scale                  ``select_one <name>``, choices min…max
                       labelled with the numbers
number                 ``integer``                                  ``constraint`` for min/max
short_text             ``text``
long_text              ``text``                                     ``appearance: multiline``
yes_no                 ``select_one yes_no`` (one shared list)
quarter                ``select_one quarter`` — no choices are      (the product adds the
                       written; fill the list before using the      consultation's quarters)
                       file in ODK
=====================  ===========================================  =========================

An "other" option (``QuestionDef.other_option``, residents write their own answer beside it)
is written the XLSForm way when its code is ``other``: ``select_one <name> or_other`` (or
``select_multiple``), and the ``other`` choice row stays on the choices sheet with our labels
(ODK/pyxform add an ``other`` choice only when the list lacks one, and ask for the text in a
question ``<name>_other`` of their own). An "other" option with any other code is named in our
column ``other_choice`` instead, since ``or_other`` always means the code ``other``.

Our columns: ``quartiersstimme_type`` (the exact type), ``max_picks``, ``min``, ``max``,
``other_choice``, ``min_label::…``, ``max_label::…``, ``tags`` (``key=value;key=value``; ``\\`` escapes ``;``
``=`` and itself; ``true``/``false`` and numbers keep their type, a text that looks like one is
written in double quotes). Our survey-level texts go into the one settings row as extra
columns ``title::…``, ``intro::…``, ``thanks::…``, ``consultation_code`` and
``consultation_<key>::…``; ``form_title`` repeats the title in the default language.

Import (``from_xlsform``) reads files made by hand in KoboToolbox or ODK as well as our own:
column names in any case, ``label`` without a language (the default language),
``label::English`` without a code. When ``quartiersstimme_type`` is filled, the row is read
exactly as we wrote it, so export → import round-trips. Otherwise types are mapped:

- ``select_one L`` → yes_no if the choices of ``L`` are exactly ``yes`` and ``no``, else
  single_choice; ``select_multiple L`` → priority when its constraint is
  ``count-selected(.) <= N`` (or a ``max_picks`` column is filled), else multiple_choice;
  ``integer`` → number (min/max from ``. >= a and . <= b``); ``text`` → short_text, or
  long_text with appearance ``multiline``; ``range`` with step 1 → scale; ``select_one`` of
  consecutive numbers 0…10 labelled with the numbers themselves (as we export a scale) → scale.
- ``or_other`` on a single or multiple choice (``select_one L or_other``) marks the list's
  ``other`` choice as the "other" option, or adds one with the label that ``other_label``
  gives for each language (the web layer passes the interface catalog's "Other"; without it,
  English ``Other``). A list of exactly yes and no with ``or_other`` is a single choice.
  On a priority or a scale, ``or_other`` is reported and left out.
- ``decimal`` is reported and skipped: we collect whole numbers only, and rounding what
  residents type would change their answers.
- ``note`` is reported and skipped: our surveys have no display-only rows (use the intro or a
  hint). ``calculate``, metadata (``start``, ``end``, ``today``, ``deviceid`` …), media,
  locations and every other type are reported and skipped, by spreadsheet row (header = row 1).
- Groups are flattened: their questions are kept, the group rows are not reported. A group's
  ``relevant`` is joined to each question inside it with ``and``. Repeats are reported; their
  questions are imported once.
- A ``relevant`` that does not parse, or that refers to a question that was skipped, comes
  later, or uses an unknown option, is reported and dropped; the question is kept.
- The default language is the settings' ``default_language``, else the first language column,
  else German (``de``), the product's default. The survey offers every language that has a
  text column, in column order. The survey code is ``form_id`` made into a valid code (else
  ``form_title``, else ``imported-survey``); any change is reported.

A file that cannot be read at all (not an xlsx, no ``survey`` sheet, no ``type``/``name``
column, too large) or whose survey breaks ``definition.check`` raises ``DefinitionError``.
Untrusted files are bounded: at most 5 MB, 50 MB unpacked, 5,000 rows per sheet.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Callable

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.domain import conditions
from app.domain.definition import (
    ICONS_SETTING,
    NO,
    OTHER,
    OTHER_SETTING,
    PICTOGRAMS,
    TYPES_WITH_CHOICES,
    TYPES_WITH_OTHER,
    YES,
    DefinitionError,
    OptionDef,
    QuestionDef,
    SurveyDef,
    check,
)

#: Limits for files from outside: size, unpacked size, parts, rows and columns per sheet.
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PARTS = 1000
MAX_ROWS = 5000
MAX_COLUMNS = 256

#: Our own column with the exact question type.
TYPE_COLUMN = "quartiersstimme_type"
#: Our own column naming an "other" option whose code is not ``other`` (see the module docstring).
OTHER_COLUMN = "other_choice"
#: XLSForm's picture of a choice: the file name of one of our pictograms, e.g. ``doctor.svg``.
IMAGE_COLUMN = "image"
#: XLSForm's word after the list name for "add an 'other' choice with a text field".
OR_OTHER = "or_other"

#: Each language's own name, used in column titles: ``label::Deutsch (de)``.
LANGUAGE_NAMES = {
    "de": "Deutsch", "de-x-ls": "Leichte Sprache", "en": "English", "tr": "Türkçe", "ar": "العربية", "fa": "فارسی",
    "uk": "Українська", "ru": "Русский", "pl": "Polski", "ro": "Română", "hr": "Hrvatski",
    "sr": "Srpski", "el": "Ελληνικά", "it": "Italiano", "fr": "Français", "es": "Español",
}
#: Language names found in hand-made forms (``label::English``), lower-case, → code.
LANGUAGE_CODES = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()} | {
    "english": "en", "german": "de", "turkish": "tr", "turkce": "tr", "arabic": "ar",
    "farsi": "fa", "persian": "fa", "ukrainian": "uk", "russian": "ru", "polish": "pl",
    "romanian": "ro", "romana": "ro", "croatian": "hr", "serbian": "sr", "српски": "sr",
    "greek": "el", "italian": "it", "french": "fr", "spanish": "es",
}
#: Labels of the shared yes/no list on export (the product itself labels yes/no questions).
YES_NO_LABELS = {
    "de": ("Ja", "Nein"), "de-x-ls": ("Ja", "Nein"), "en": ("Yes", "No"), "tr": ("Evet", "Hayır"), "ar": ("نعم", "لا"),
    "fa": ("بله", "خیر"), "uk": ("Так", "Ні"), "ru": ("Да", "Нет"), "pl": ("Tak", "Nie"),
    "ro": ("Da", "Nu"), "hr": ("Da", "Ne"), "sr": ("Da", "Ne"), "el": ("Ναι", "Όχι"),
    "it": ("Sì", "No"), "fr": ("Oui", "Non"), "es": ("Sí", "No"),
}

_SURVEY_TEXTS = ("label", "hint", "min_label", "max_label")
_SETTINGS_TEXTS = ("title", "intro", "thanks")
_NUMBER_SETTINGS = ("max_picks", "min", "max")
#: XLSForm type (first word) of each of our types.
_XLSFORM_TYPE = {
    "single_choice": "select_one", "multiple_choice": "select_multiple",
    "priority": "select_multiple", "scale": "select_one", "yes_no": "select_one",
    "quarter": "select_one", "number": "integer", "short_text": "text", "long_text": "text",
}
#: Our types each XLSForm type may carry in ``quartiersstimme_type``.
_COMPATIBLE = {
    "select_one": {"single_choice", "yes_no", "scale", "quarter"},
    "select_multiple": {"multiple_choice", "priority"},
    "integer": {"number"}, "text": {"short_text", "long_text"}, "range": {"scale"},
}
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"", "no", "false", "0", "n"}
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")
_LANGUAGE_WITH_CODE = re.compile(r"^(.*?)\s*\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*\)$")
_COUNT_SELECTED = re.compile(r"^count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")
_BOUND = re.compile(r"^\.\s*(>=|>|<=|<)\s*([+-]?\d+)$")


@dataclass
class ImportResult:
    """An imported survey and what of the form could not be carried over, by row."""

    definition: SurveyDef
    skipped: list[str] = field(default_factory=list)


# --- Export --------------------------------------------------------------------------------


def language_column(base: str, code: str) -> str:
    """The title of a text column, e.g. ``label::Deutsch (de)``."""
    return f"{base}::{LANGUAGE_NAMES.get(code, code)} ({code})"


def _export_languages(defn: SurveyDef) -> list[str]:
    """The survey's languages, then any other language a text is written in."""
    languages = list(defn.languages)

    def add(texts: Any) -> None:
        if isinstance(texts, dict):
            languages.extend(code for code in texts if code not in languages)

    for texts in (defn.title, defn.intro, defn.thanks, *defn.consultation.values()):
        add(texts)
    for question in defn.questions:
        for texts in (question.label, question.hint, question.settings.get("min_label"),
                      question.settings.get("max_label"), *(o.label for o in question.options)):
            add(texts)
    return languages


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` … whichever is not ``taken`` yet."""
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("=", "\\=")


def _tag_text(value: Any) -> str:
    """A tag value as written in the tags column; texts that would read back as another type
    are quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _tag_value(text) != text or text.startswith('"'):
        return f'"{text}"'
    return text


def encode_tags(tags: dict) -> str:
    """Tags as ``key=value;key=value`` (see the module docstring for escaping and types)."""
    return ";".join(f"{_escape(str(key))}={_escape(_tag_text(value))}" for key, value in tags.items())


def _tag_value(text: str) -> Any:
    """A tag value read back: quoted → text, true/false → bool, numbers → int/float."""
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


def decode_tags(text: str) -> dict:
    """Read a tags column: ``key=value;key=value``; a key without ``=`` is ``True``."""
    entries, current, escaped = [[]], [], False
    parts = entries[0]
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "=" and not parts:
            parts.append("".join(current))
            current = []
        elif char == ";":
            parts.append("".join(current))
            current, parts = [], []
            entries.append(parts)
        else:
            current.append(char)
    parts.append("".join(current))
    tags = {}
    for parts in entries:
        key = parts[0].strip()
        if key:
            tags[key] = _tag_value(parts[1].strip()) if len(parts) > 1 else True
    return tags


def _xlsform_type(question: QuestionDef, lists: dict[str, str]) -> str:
    """The XLSForm ``type`` cell of ``question``."""
    base = _XLSFORM_TYPE.get(question.type, "text")
    if base.startswith("select"):
        or_other = f" {OR_OTHER}" if question.other_code == OTHER and question.other_option else ""
        return f"{base} {lists[question.code]}{or_other}"
    return base


def _constraint(question: QuestionDef) -> str:
    """The XLSForm constraint that says what our settings say, or ``""``."""
    if question.type == "priority" and question.settings.get("max_picks") is not None:
        return f"count-selected(.) <= {question.settings['max_picks']}"
    if question.type == "number":
        parts = []
        if question.settings.get("min") is not None:
            parts.append(f". >= {question.settings['min']}")
        if question.settings.get("max") is not None:
            parts.append(f". <= {question.settings['max']}")
        return " and ".join(parts)
    return ""


def _texts_cells(prefix: str, texts: Any, languages: list[str]) -> dict[str, str]:
    """``{column title: text}`` for a translated text."""
    texts = texts if isinstance(texts, dict) else {}
    return {language_column(prefix, code): texts.get(code, "") for code in languages}


def _write_sheet(sheet, header: list[str], rows: list[dict[str, Any]]) -> None:
    """Write a header and rows; texts are written as texts, never as formulas."""
    sheet.append(header)
    for row in rows:
        values = []
        for column in header:
            value = row.get(column)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value) or None
            values.append(value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a text starting with "=": keep it a text
                cell.data_type = "s"


def to_xlsform(defn: SurveyDef, *, version: str = "1") -> bytes:
    """The survey as an XLSForm workbook (xlsx bytes) that KoboToolbox/ODK can open.

    ``version`` fills the settings' ``version`` cell (XLSForm's form version).
    """
    languages = _export_languages(defn)
    taken = {q.code for q in defn.questions}
    lists: dict[str, str] = {}
    yes_no_list = _unique("yes_no", taken)
    quarter_list = _unique("quarter", taken | {yes_no_list})
    survey_rows, choice_rows = [], []
    for question in defn.questions:
        if question.type == "yes_no":
            lists[question.code] = yes_no_list
        elif question.type == "quarter":
            lists[question.code] = quarter_list
        else:
            lists[question.code] = question.code
        row = {"type": _xlsform_type(question, lists), "name": question.code,
               **_texts_cells("label", question.label, languages),
               **_texts_cells("hint", question.hint, languages),
               "required": "yes" if question.required else "", "relevant": question.relevant,
               "constraint": _constraint(question),
               "appearance": "multiline" if question.type == "long_text" else "",
               TYPE_COLUMN: question.type, "tags": encode_tags(question.tags),
               OTHER_COLUMN: question.other_code if question.other_code != OTHER else ""}
        for key in _NUMBER_SETTINGS:
            row[key] = question.settings.get(key)
        for key in ("min_label", "max_label"):
            if key in question.settings:
                row.update(_texts_cells(key, question.settings[key], languages))
        survey_rows.append(row)
        if question.type in TYPES_WITH_CHOICES:
            icons = question.settings.get(ICONS_SETTING, {})
            for option in question.options:
                choice_rows.append({"list_name": question.code, "name": option.code,
                                    **_texts_cells("label", option.label, languages),
                                    **({IMAGE_COLUMN: f"{icons[option.code]}.svg"} if option.code in icons else {})})
        elif question.type == "scale":
            for point in question.scale_points():
                choice_rows.append({"list_name": question.code, "name": str(point),
                                    **{language_column("label", code): str(point) for code in languages}})
    if any(q.type == "yes_no" for q in defn.questions):
        for index, code in enumerate((YES, NO)):
            labels = {language_column("label", language): YES_NO_LABELS.get(language, ("Yes", "No"))[index]
                      for language in languages}
            choice_rows.append({"list_name": yes_no_list, "name": code, **labels})

    survey_header = ["type", "name", *(language_column(b, c) for b in ("label", "hint") for c in languages),
                     "required", "relevant", "constraint", "appearance", TYPE_COLUMN, *_NUMBER_SETTINGS, OTHER_COLUMN,
                     *(language_column(b, c) for b in ("min_label", "max_label") for c in languages), "tags"]
    choices_header = ["list_name", "name", *(language_column("label", c) for c in languages)]
    if any(question.settings.get(ICONS_SETTING) for question in defn.questions):
        choices_header.append(IMAGE_COLUMN)
    settings = {"form_title": defn.title.get(defn.default_language, ""), "form_id": defn.code,
                "version": version,
                "default_language": f"{LANGUAGE_NAMES.get(defn.default_language, defn.default_language)} "
                                    f"({defn.default_language})"}
    for key in _SETTINGS_TEXTS:
        settings.update(_texts_cells(key, getattr(defn, key), languages))
    for key, value in defn.consultation.items():
        if isinstance(value, dict):
            settings.update(_texts_cells(f"consultation_{key}", value, languages))
        else:
            settings[f"consultation_{key}"] = str(value)

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write_sheet(survey, survey_header, survey_rows)
    _write_sheet(workbook.create_sheet("choices"), choices_header, choice_rows)
    _write_sheet(workbook.create_sheet("settings"), list(settings), [settings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading a workbook safely -------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A cell's value as text: whole floats without ``.0``, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def _sheet_rows(sheet) -> list[list[str]]:
    """A sheet's rows as texts, trailing blank cells dropped; at most ``MAX_ROWS`` rows."""
    rows = []
    for values in sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True):
        if len(rows) == MAX_ROWS:
            raise DefinitionError([f"sheet '{sheet.title}' has more than {MAX_ROWS} rows"])
        texts = [_cell_text(value) for value in values]
        while texts and not texts[-1]:
            texts.pop()
        rows.append(texts)
    return rows


def read_sheets(data: bytes) -> dict[str, list[list[str]]]:
    """The ``survey``, ``choices`` and ``settings`` sheets of an xlsx file as rows of texts.

    Sheet names are matched in any case. Raises ``DefinitionError`` for anything that is not a
    readable xlsx within the limits, never another exception.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise DefinitionError(["not an xlsx file"])
    if len(data) > MAX_BYTES:
        raise DefinitionError([f"the file is larger than {MAX_BYTES // 2**20} MB"])
    if bytes(data[:4]) != b"PK\x03\x04":
        raise DefinitionError(["not an xlsx file (save the form as an Excel workbook, .xlsx)"])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise DefinitionError([f"the workbook has more than {MAX_PARTS} parts"])
        if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
            raise DefinitionError([f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB"])
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets: dict[str, list[list[str]]] = {}
            for sheet in workbook.worksheets:
                key = sheet.title.strip().lower()
                if key in ("survey", "choices", "settings") and key not in sheets:
                    sheets[key] = _sheet_rows(sheet)
        finally:
            workbook.close()
    except DefinitionError:
        raise
    except Exception as error:  # untrusted bytes: any zip/XML failure means "cannot be read"
        reason = f"{type(error).__name__}: {str(error)[:200]}"
        raise DefinitionError([f"not a readable xlsx file ({reason})"]) from None
    return sheets


# --- Import --------------------------------------------------------------------------------


def language_code(text: str) -> str | None:
    """The code of a column's language: ``Deutsch (de)`` → de, ``English`` → en, else None."""
    text = text.strip()
    match = _LANGUAGE_WITH_CODE.match(text)
    if match:
        primary, *rest = re.split(r"[-_]", match.group(2))
        return "-".join([primary.lower(), *rest])
    name = text.casefold()
    if name in LANGUAGE_CODES:
        return LANGUAGE_CODES[name]
    if name in LANGUAGE_NAMES:
        return name
    return None


class _Columns:
    """Where each column of a sheet is: ``plain[base]`` and ``texts[base][language]``."""

    def __init__(self, header: list[str], sheet: str, text_bases, notes: list[str]):
        self.plain: dict[str, int] = {}
        self.texts: dict[str, dict[str, int]] = {}
        self.languages: list[str] = []
        for index, title in enumerate(header):
            base, _, language = title.partition("::")
            base = "_".join(base.strip().lower().split())
            language = language.strip()
            if not base:
                continue
            is_text = base in text_bases or base.startswith("consultation_")
            if not is_text and language:
                continue  # e.g. media::image::English: not something we read
            if not language or language.lower() == "default":
                self.plain.setdefault(base, index)
                continue
            code = language_code(language)
            if code is None:
                notes.append(f"{sheet} column {index + 1} ({title}): language {language!r} is not "
                             "known; write it with its code, e.g. 'Deutsch (de)'")
                continue
            self.texts.setdefault(base, {}).setdefault(code, index)
            if code not in self.languages:
                self.languages.append(code)

    def get(self, row: list[str], base: str) -> str:
        """The plain cell ``base`` of ``row`` (``""`` when there is no such column)."""
        index = self.plain.get(base)
        return row[index] if index is not None and index < len(row) else ""

    def has(self, base: str) -> bool:
        """Whether the sheet has a column ``base``, plain or with a language."""
        return base in self.plain or base in self.texts

    def uses_plain_text(self) -> bool:
        """Whether a text column has no language (so it is in the default language)."""
        return any(base in self.plain for base in (*_SURVEY_TEXTS, *_SETTINGS_TEXTS))

    def text(self, row: list[str], base: str, default: str) -> dict[str, str]:
        """The translated text ``base`` of ``row``; a column without language is ``default``."""
        texts = {}
        for code, index in self.texts.get(base, {}).items():
            if index < len(row) and row[index]:
                texts[code] = row[index]
        plain = self.get(row, base)
        if plain and not texts.get(default):
            texts[default] = plain
        return texts


def _survey_code(settings: dict[str, str], notes: list[str]) -> str:
    """A valid survey code from ``form_id`` (else ``form_title``); changes are reported."""
    given = settings.get("form_id", "") or settings.get("form_title", "")
    ascii_text = unicodedata.normalize("NFKD", given).encode("ascii", "ignore").decode()
    code = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")[:80]
    if code and not code[0].isalpha():
        code = f"survey-{code}"[:80]
    code = code or "imported-survey"
    if not settings.get("form_id"):
        notes.append(f"settings: no form_id; the survey code is {code!r}")
    elif code != settings["form_id"]:
        notes.append(f"settings: form_id {settings['form_id']!r} is not a valid survey code; "
                     f"the survey code is {code!r}")
    return code


def english_other_label(language: str) -> str:
    """The label of an ``or_other`` choice when the caller gives none: XLSForm's own "Other"."""
    return "Other"


class _Importer:
    """Reads the rows of an XLSForm into a ``SurveyDef``: one pass over the survey sheet."""

    def __init__(self, sheets: dict[str, list[list[str]]],
                 other_label: Callable[[str], str] = english_other_label):
        self.other_label = other_label
        self.notes: list[str] = []
        self.problems: list[str] = []
        survey = sheets.get("survey")
        if not survey or not survey[0]:
            raise DefinitionError(["the workbook has no 'survey' sheet with a header row"])
        self.survey_rows = survey
        self.survey = _Columns(survey[0], "survey", _SURVEY_TEXTS, self.notes)
        missing = [name for name in ("type", "name") if name not in self.survey.plain]
        if missing:
            raise DefinitionError([f"survey sheet: column '{name}' is missing" for name in missing])
        choices = sheets.get("choices") or [[]]
        self.choice_rows = choices
        self.choices = _Columns(choices[0], "choices", ("label",), self.notes)
        settings = sheets.get("settings") or [[]]
        self.settings_columns = _Columns(settings[0], "settings", _SETTINGS_TEXTS, self.notes)
        self.settings_row = next((row for row in settings[1:] if any(row)), [])
        self.default_language, self.languages = self._languages()
        #: (list name, choice name) → pictogram, from the choices' picture column.
        self.icons: dict[tuple[str, str], str] = {}

    def _languages(self) -> tuple[str, list[str]]:
        """The default language and all languages, in column order."""
        languages = []
        for columns in (self.survey, self.choices, self.settings_columns):
            languages.extend(code for code in columns.languages if code not in languages)
        declared = self.settings_columns.get(self.settings_row, "default_language")
        default = language_code(declared) if declared and declared.lower() != "default" else None
        if declared and declared.lower() != "default" and default is None:
            self.notes.append(f"settings: default_language {declared!r} is not known")
        plain = self.survey.uses_plain_text() or self.choices.uses_plain_text()
        if default is None:
            default = "de" if plain or not languages else languages[0]
        if default not in languages:
            if plain or not languages:
                languages.insert(0, default)
            else:
                self.notes.append(f"settings: default_language {declared!r} has no texts; "
                                  f"the default language is {languages[0]!r}")
                default = languages[0]
        return default, languages

    def _choice_lists(self) -> dict[str, list[OptionDef]]:
        """Every list of the choices sheet, options in row order."""
        lists: dict[str, list[OptionDef]] = {}
        if len(self.choice_rows) > 1 and not (self.choices.has("list_name") and self.choices.has("name")):
            self.problems.append("choices sheet: columns 'list_name' and 'name' are needed")
            return lists
        for number, row in enumerate(self.choice_rows[1:], start=2):
            list_name, name = self.choices.get(row, "list_name"), self.choices.get(row, "name")
            if not list_name and not name:
                continue
            if not list_name or not name:
                self.notes.append(f"choices row {number}: a choice needs a list_name and a name; skipped")
                continue
            lists.setdefault(list_name, []).append(
                OptionDef(code=name, label=self.choices.text(row, "label", self.default_language)))
            image = self.choices.get(row, IMAGE_COLUMN)
            if image:
                icon = image.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                if icon in PICTOGRAMS:
                    self.icons[(list_name, name)] = icon
                else:
                    self.notes.append(f"choices row {number}: the picture {image!r} is not one of the shipped "
                                      "pictograms; imported without it")
        return lists

    def _whole_number(self, row: list[str], key: str, number: int) -> int | None:
        text = self.survey.get(row, key)
        if not text:
            return None
        if not _INTEGER.match(text):
            self.problems.append(f"survey row {number}: {key} must be a whole number, not {text!r}")
            return None
        return int(text)

    def _settings(self, row: list[str], number: int, keys) -> dict:
        """Our setting columns ``keys`` that are filled in ``row``."""
        settings: dict[str, Any] = {}
        for key in keys:
            if key in _NUMBER_SETTINGS:
                value = self._whole_number(row, key, number)
                if value is not None:
                    settings[key] = value
            else:
                texts = self.survey.text(row, key, self.default_language)
                if texts:
                    settings[key] = texts
        return settings

    def _infer(self, word: str, list_name: str, row: list[str], number: int,
               lists: dict[str, list[OptionDef]]) -> tuple[str | None, dict]:
        """Our type and settings for a row without ``quartiersstimme_type``."""
        constraint = self.survey.get(row, "constraint")
        understood = not constraint
        settings: dict[str, Any] = {}
        kind = None
        if word == "select_one":
            options = lists.get(list_name, [])
            points = _scale_points(options)
            if points:
                kind = "scale"
                settings = {"min": points[0], "max": points[-1],
                            **self._settings(row, number, ("min_label", "max_label"))}
            elif sorted(option.code for option in options) == sorted([YES, NO]):
                kind = "yes_no"
            else:
                kind = "single_choice"
        elif word == "select_multiple":
            settings = self._settings(row, number, ("max_picks",))
            match = _COUNT_SELECTED.match(constraint)
            if match and "max_picks" not in settings:
                settings["max_picks"] = int(match.group(2)) - (match.group(1) == "<")
            understood = understood or bool(match)
            kind = "priority" if "max_picks" in settings else "multiple_choice"
        elif word == "integer":
            kind = "number"
            settings = self._settings(row, number, ("min", "max"))
            bounds = {}
            parts = re.split(r"\s+and\s+", constraint) if constraint else []
            for part in parts:
                match = _BOUND.match(part.strip())
                if not match:
                    break
                op, value = match.group(1), int(match.group(2))
                if op.startswith(">"):
                    bounds["min"] = value + (op == ">")
                else:
                    bounds["max"] = value - (op == "<")
            else:
                understood = True
                for key, value in bounds.items():
                    settings.setdefault(key, value)
        elif word == "text":
            appearance = self.survey.get(row, "appearance").lower().split()
            kind = "long_text" if "multiline" in appearance else "short_text"
        elif word == "range":
            given = self.survey.get(row, "parameters")
            parameters = {"start": "1", "end": "10", "step": "1",  # XLSForm's defaults
                          **dict(re.findall(r"(\w+)\s*=\s*([+-]?\d+(?:\.\d+)?)", given))}
            start, end, step = parameters["start"], parameters["end"], parameters["step"]
            if not all(_INTEGER.match(v) for v in (start, end)) or step not in ("1", "1.0"):
                self.notes.append(f"survey row {number}: a range needs whole-number start and end and "
                                  "step 1; skipped")
                return None, {}
            kind = "scale"
            settings = {"min": int(start), "max": int(end),
                        **self._settings(row, number, ("min_label", "max_label"))}
        if not understood:
            self.notes.append(f"survey row {number}: constraint {constraint!r} is not supported; dropped")
        return kind, settings

    def _relevant(self, text: str, where: str) -> str:
        """``text`` if it parses as a condition, else ``""`` with a note."""
        if not text:
            return ""
        try:
            conditions.parse(text)
        except conditions.ConditionError as error:
            self.notes.append(f"{where}: relevant {text!r} is not understood ({error}); dropped")
            return ""
        return text

    def run(self) -> ImportResult:
        """Read every row; raise ``DefinitionError`` if the survey cannot be built soundly."""
        lists = self._choice_lists()
        questions: list[QuestionDef] = []
        rows: list[int] = []
        groups: list[str] = []  # the relevant of each open group ("" when none)
        for number, row in enumerate(self.survey_rows[1:], start=2):
            if not any(row):
                continue
            raw_type = self.survey.get(row, "type")
            words = raw_type.split()
            if not words:
                self.notes.append(f"survey row {number}: no type; skipped")
                continue
            word = words[0].lower()
            if word in ("select", "begin", "end") and len(words) > 1:
                word, words = f"{word}_{words[1].lower()}", [f"{word}_{words[1]}", *words[2:]]
            relevant = self.survey.get(row, "relevant")
            if word in ("begin_group", "begin_repeat"):
                if word == "begin_repeat":
                    self.notes.append(f"survey row {number}: type 'begin repeat' is not supported; "
                                      "its questions are imported once")
                groups.append(self._relevant(relevant, f"survey row {number}"))
                continue
            if word in ("end_group", "end_repeat"):
                if groups:
                    groups.pop()
                continue
            if word not in _COMPATIBLE:
                reason = " (Quartiersstimme collects whole numbers only)" if word == "decimal" else ""
                self.notes.append(f"survey row {number}: type {words[0]!r} is not supported{reason}")
                continue
            question = self._question(word, words, row, number, lists)
            if question is None:
                continue
            own = self._relevant(relevant, f"survey row {number}")
            parts = [part for part in (*groups, own) if part]
            question.relevant = parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)
            questions.append(question)
            rows.append(number)
        defn = SurveyDef(
            code=_survey_code({key: self.settings_columns.get(self.settings_row, key)
                               for key in ("form_id", "form_title")}, self.notes),
            default_language=self.default_language, languages=self.languages,
            questions=questions, **self._survey_texts())
        for question, number in zip(questions, rows):
            condition_problems = conditions.problems_of(defn, question)
            self.notes += [f"survey row {number}: {problem}; the condition is dropped"
                           for problem in condition_problems]
            if condition_problems:
                question.relevant = ""
        problems = self.problems + [_locate(problem, rows) for problem in check(defn)]
        if problems:
            raise DefinitionError(problems + self.notes)
        return ImportResult(defn, self.notes)

    def _question(self, word: str, words: list[str], row: list[str], number: int,
                  lists: dict[str, list[OptionDef]]) -> QuestionDef | None:
        """The question of one survey row, or None when it is skipped."""
        name = self.survey.get(row, "name")
        if not name:
            self.problems.append(f"survey row {number}: a question needs a name")
            return None
        list_name = words[1] if word.startswith("select") and len(words) > 1 else ""
        if word.startswith("select"):
            if not list_name:
                self.problems.append(f"survey row {number}: {word} needs a list name")
                return None
        or_other = word.startswith("select") and any(extra.lower() == OR_OTHER for extra in words[2:])
        ours = self.survey.get(row, TYPE_COLUMN).lower()
        if ours:
            if ours not in _COMPATIBLE[word]:
                self.problems.append(f"survey row {number}: {TYPE_COLUMN} {ours!r} "
                                     f"does not fit type {words[0]!r}")
                return None
            kind = ours
            settings = self._settings(row, number, (*_NUMBER_SETTINGS, "min_label", "max_label"))
        else:
            kind, settings = self._infer(word, list_name, row, number, lists)
            if kind is None:
                return None
            if or_other and kind == "yes_no":
                kind = "single_choice"  # yes, no and "other": not our yes/no type
        options = []
        if kind in TYPES_WITH_CHOICES:
            if list_name not in lists:
                self.problems.append(f"survey row {number}: list {list_name!r} is not on the choices sheet")
            options = [OptionDef(o.code, dict(o.label)) for o in lists.get(list_name, [])]
            icons = {o.code: self.icons[(list_name, o.code)] for o in options if (list_name, o.code) in self.icons}
            if icons:
                settings[ICONS_SETTING] = icons
        other = self.survey.get(row, OTHER_COLUMN) or (OTHER if or_other else "")
        if other and kind not in TYPES_WITH_OTHER:
            self.notes.append(f"survey row {number}: an 'other' choice with a text field works with single and "
                              f"multiple choice only, not {kind}; imported without it")
        elif other:
            if other == OTHER and OTHER not in [option.code for option in options]:
                options.append(OptionDef(OTHER, self._other_labels()))
            settings[OTHER_SETTING] = other
        required = self.survey.get(row, "required").lower()
        if required not in _TRUE | _FALSE:
            self.notes.append(f"survey row {number}: required {required!r} is not supported; "
                              "the question is optional")
        tags = decode_tags(self.survey.get(row, "tags"))
        return QuestionDef(code=name, type=kind, required=required in _TRUE,
                           label=self.survey.text(row, "label", self.default_language),
                           hint=self.survey.text(row, "hint", self.default_language),
                           options=options, settings=settings, tags=tags)

    def _other_labels(self) -> dict[str, str]:
        """The labels of an ``other`` choice that ``or_other`` adds, in the form's languages."""
        labels = {language: text for language in self.languages if (text := self.other_label(language))}
        if not labels.get(self.default_language):
            labels[self.default_language] = english_other_label(self.default_language)
        return labels

    def _survey_texts(self) -> dict:
        """Title, intro, thanks and consultation from the settings row."""
        columns, row, default = self.settings_columns, self.settings_row, self.default_language
        texts = {key: columns.text(row, key, default) for key in _SETTINGS_TEXTS}
        form_title = columns.get(row, "form_title")
        if form_title and not texts["title"].get(default):
            texts["title"][default] = form_title
        consultation: dict[str, Any] = {}
        for base in [*columns.plain, *columns.texts]:
            key = base.removeprefix("consultation_")
            if key == base or key in consultation:
                continue
            if key == "code":
                if columns.get(row, base):
                    consultation["code"] = columns.get(row, base)
            elif (value := columns.text(row, base, default)):
                consultation[key] = value
        return {**texts, "consultation": consultation}


def _scale_points(options: list[OptionDef]) -> list[int]:
    """The points of a list that is a scale (as we export one), else ``[]``.

    A scale's choices are consecutive whole numbers within 0…10 whose labels are the numbers
    themselves; a list of numbered categories with real labels stays a single choice.
    """
    codes = [option.code for option in options]
    if len(codes) < 2 or not all(_INTEGER.match(code) for code in codes):
        return []
    points = [int(code) for code in codes]
    if points != list(range(points[0], points[0] + len(points))) or points[0] < 0 or points[-1] > 10:
        return []
    if any(text != code for option, code in zip(options, codes) for text in option.label.values()):
        return []
    return points


def _locate(problem: str, rows: list[int]) -> str:
    """Prefix a ``question N (…)`` problem of ``definition.check`` with its spreadsheet row."""
    match = re.match(r"^question (\d+) ", problem)
    if match and 0 < int(match.group(1)) <= len(rows):
        return f"survey row {rows[int(match.group(1)) - 1]}: {problem}"
    return problem


def from_xlsform(data: bytes, *, other_label: Callable[[str], str] = english_other_label) -> ImportResult:
    """Import an XLSForm workbook (xlsx bytes) as a survey.

    Returns the definition and, in ``skipped``, every row or setting that was not carried over,
    e.g. ``survey row 7: type 'geopoint' is not supported``. Raises ``DefinitionError``
    listing the problems when the file cannot be read or the survey would be unsound.
    ``other_label(language)`` labels the ``other`` choice that ``or_other`` adds (``""``:
    no label in that language, to be translated later).
    """
    return _Importer(read_sheets(data), other_label).run()
