"""Editing a survey definition: pure functions on ``SurveyDef`` used by the survey builder.

Every change returns a new definition (the input is not modified), so that the caller can
compare old and new and decide whether the change needs a new version (``is_structural``).

Options are edited as lines ``code: label``. A line that ends in three or more underscores, as
a blank on a paper form (``other: Something else, namely: ___``), is the question's "other"
option: residents get a text field right under it. The underscores are not part of the label.
"""
from __future__ import annotations

import copy
import re

from app.domain.definition import (
    NAME_PATTERN,
    OTHER_SETTING,
    TYPES_WITH_CHOICES,
    TYPES_WITH_OTHER,
    OptionDef,
    QuestionDef,
    SurveyDef,
)

_OPTION_LINE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*[:=]\s*(.+?)\s*$")
#: How an option line marks the "other" option: a blank to fill in at its end.
OTHER_MARK = "___"
_OTHER_MARK = re.compile(r"\s*_{3,}$")


class BuilderError(ValueError):
    """An edit that cannot be made; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def parse_option_lines(text: str, language: str,
                       existing: list[OptionDef] | None = None) -> tuple[list[OptionDef], str | None]:
    """Options from lines ``code: label`` (one per line), and the code of the "other" option
    (the line ending in ``___``) or None. Labels go into ``language``; other languages of an
    option whose code stays are kept. ``BuilderError("other_twice")`` if two lines end in ``___``."""
    known = {option.code: option for option in existing or []}
    options, seen, other = [], set(), None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _OPTION_LINE.match(line)
        if not match:
            raise BuilderError(f"line {number}", "options")
        code, label = match.groups()
        if code in seen:
            raise BuilderError(f"line {number}: {code}", "options")
        seen.add(code)
        mark = _OTHER_MARK.search(label)
        if mark:
            label = label[:mark.start()]
            if not label:
                raise BuilderError(f"line {number}", "options")
            if other is not None:
                raise BuilderError("other_twice", "options")
            other = code
        labels = dict(known[code].label) if code in known else {}
        labels[language] = label
        options.append(OptionDef(code=code, label=labels))
    return options, other


def parse_options(text: str, language: str, existing: list[OptionDef] | None = None) -> list[OptionDef]:
    """Options from lines ``code: label`` (see ``parse_option_lines``), without the "other" mark."""
    return parse_option_lines(text, language, existing)[0]


def options_text(options: list[OptionDef], language: str, other: str | None = None) -> str:
    """The options as editable lines ``code: label`` in ``language``; the line of the option
    whose code is ``other`` (the "other" option) ends in `` ___``."""
    return "\n".join(f"{o.code}: {o.label.get(language, '')}" + (f" {OTHER_MARK}" if o.code == other else "")
                     for o in options)


def put_question(defn: SurveyDef, question: QuestionDef, replacing: str | None = None) -> SurveyDef:
    """Add ``question`` at the end, or put it in place of the question named ``replacing``."""
    if not NAME_PATTERN.match(question.code):
        raise BuilderError("name", "code")
    new = copy.deepcopy(defn)
    codes = [q.code for q in new.questions]
    if question.code in codes and question.code != replacing:
        raise BuilderError("duplicate", "code")
    if question.type in TYPES_WITH_CHOICES and len(question.options) < 2:
        raise BuilderError("choices", "options")
    if question.other_code and question.type not in TYPES_WITH_OTHER:
        raise BuilderError("other_type", "options")
    if replacing is None:
        new.questions.append(copy.deepcopy(question))
    else:
        new.questions[codes.index(replacing)] = copy.deepcopy(question)
    return new


def move_question(defn: SurveyDef, code: str, step: int) -> SurveyDef:
    """Move a question ``step`` places up (negative) or down (positive), within bounds."""
    new = copy.deepcopy(defn)
    codes = [q.code for q in new.questions]
    index = codes.index(code)
    target = max(0, min(len(codes) - 1, index + step))
    new.questions.insert(target, new.questions.pop(index))
    return new


def delete_question(defn: SurveyDef, code: str) -> SurveyDef:
    """Remove a question."""
    new = copy.deepcopy(defn)
    new.questions = [q for q in new.questions if q.code != code]
    return new


def structure(defn: SurveyDef) -> list[tuple]:
    """What makes answers comparable: each question's code and type, its option codes and which
    of them has a text field beside it."""
    return [(q.code, q.type, tuple(o.code for o in q.options),
             q.settings.get("min"), q.settings.get("max"), q.settings.get("max_picks"),
             q.settings.get(OTHER_SETTING))
            for q in defn.questions]


def is_structural(old: SurveyDef, new: SurveyDef) -> bool:
    """Whether a change adds, removes, reorders or retypes questions or options (then answers
    given before need a version of their own); a change of texts alone is not."""
    return structure(old) != structure(new)


def text_slots(defn: SurveyDef) -> list[tuple[str, dict]]:
    """Every translatable text of a survey as ``(key, {language: text})`` in reading order."""
    slots = [("title", defn.title), ("intro", defn.intro), ("thanks", defn.thanks)]
    for q in defn.questions:
        slots.append((f"{q.code}.label", q.label))
        if q.hint:
            slots.append((f"{q.code}.hint", q.hint))
        for key in ("min_label", "max_label"):
            if key in q.settings:
                slots.append((f"{q.code}.{key}", q.settings[key]))
        slots += [(f"{q.code}.option.{o.code}", o.label) for o in q.options]
    return slots


def set_texts(defn: SurveyDef, language: str, texts: dict[str, str]) -> SurveyDef:
    """Put the translations ``{slot key: text}`` for ``language`` into a copy of ``defn``;
    an empty text removes that language's text."""
    new = copy.deepcopy(defn)
    for key, mapping in text_slots(new):
        if key in texts:
            value = texts[key].strip()
            if value:
                mapping[language] = value
            else:
                mapping.pop(language, None)
    return new


def completeness(defn: SurveyDef, language: str) -> tuple[int, int]:
    """How many of the texts that exist in the source language exist in ``language`` too."""
    slots = [mapping for _, mapping in text_slots(defn) if mapping.get(defn.default_language)]
    return sum(1 for mapping in slots if mapping.get(language, "").strip()), len(slots)
