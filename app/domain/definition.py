"""A survey's content as plain data: what a survey file holds and what a version stores.

Names follow XLSForm: a question has a ``name``, a ``label``, a ``hint`` and ``choices``; each
choice has a ``name`` and a ``label``. Every text is ``{language: text}``.

A single or multiple choice question may mark one option as its "other" option ("Other,
namely: …"): residents who choose it can write their own answer beside it. The mark is the
setting ``other`` (the option's code), so that a stored version keeps it with the question's
settings; survey files write it as ``other: true`` on the choice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: Question types and what they collect.
QUESTION_TYPES = {
    "single_choice": "one option",
    "multiple_choice": "any number of options",
    "scale": "one point of a scale, e.g. 1–5, with labels at both ends",
    "number": "a whole number",
    "short_text": "one line of text",
    "long_text": "a few sentences",
    "yes_no": "yes or no",
    "quarter": "the quarter the resident lives in",
    "priority": "up to max_picks options",
}
#: Types whose options are written in the survey file.
TYPES_WITH_CHOICES = {"single_choice", "multiple_choice", "priority"}
#: Types that may offer an "other" option with a text field beside it.
TYPES_WITH_OTHER = {"single_choice", "multiple_choice"}
#: The setting that names a question's "other" option (kept with the type settings, so that a
#: stored version carries it without a column of its own).
OTHER_SETTING = "other"
#: Setting of a choice question: option code → the name of a shipped pictogram shown beside it.
ICONS_SETTING = "icons"
#: The pictograms shipped in ``app/static/pictograms`` (SVG, 48 × 48, drawn in the text colour).
PICTOGRAMS = frozenset(path.stem for path in (Path(__file__).resolve().parent.parent / "static" / "pictograms").glob("*.svg"))
#: The option code XLSForm's ``or_other`` adds.
OTHER = "other"
#: Longest text a resident may write beside the "other" option.
OTHER_TEXT_LIMIT = 200
#: Types where each response picks at most one option: counts add up to the number answering.
EXCLUSIVE_TYPES = {"single_choice", "yes_no", "quarter", "scale"}
#: Option codes that the product adds itself.
YES, NO = "yes", "no"
ELSEWHERE, PREFER_NOT = "elsewhere", "prefer_not_to_say"

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
TEXT_LIMITS = {"short_text": 200, "long_text": 2000}


@dataclass
class OptionDef:
    """An answer option: a stable ``code`` and a translated ``label``."""

    code: str
    label: dict[str, str] = field(default_factory=dict)


@dataclass
class QuestionDef:
    """A question: stable ``code``, ``type``, texts, options and type settings."""

    code: str
    type: str
    label: dict[str, str] = field(default_factory=dict)
    hint: dict[str, str] = field(default_factory=dict)
    required: bool = False
    options: list[OptionDef] = field(default_factory=list)
    #: ``min``/``max`` (numbers), ``min_label``/``max_label`` (texts), ``max_picks``, and
    #: ``other``: the code of the option beside which residents may write their own answer.
    settings: dict = field(default_factory=dict)
    #: ``field`` (field of action), ``indicator``, ``respondent`` (about the person), …
    tags: dict = field(default_factory=dict)
    #: XLSForm-style condition: ask this question only if it holds, e.g.
    #: ``${has_children} = 'yes'`` (see ``app.domain.conditions``); empty means always.
    relevant: str = ""

    @property
    def is_exclusive(self) -> bool:
        """Whether a response picks at most one option of this question."""
        return self.type in EXCLUSIVE_TYPES

    @property
    def is_respondent_question(self) -> bool:
        """A question about the person (age band, household …): a quasi-identifier."""
        return bool(self.tags.get("respondent"))

    @property
    def other_code(self) -> str | None:
        """The code of the "other" option (the one with a text field beside it), or None."""
        code = self.settings.get(OTHER_SETTING)
        return code if isinstance(code, str) and code else None

    @property
    def other_option(self) -> OptionDef | None:
        """The "other" option, whose answers may carry the resident's own text; None if the
        question has none. Exports use it to add a column for that text."""
        code = self.other_code
        return next((option for option in self.options if option.code == code), None) if code else None

    def is_other(self, code: str) -> bool:
        """Whether ``code`` is this question's "other" option."""
        return code is not None and code == self.other_code

    def scale_points(self) -> list[int]:
        """The points of a scale question, e.g. ``[1, 2, 3, 4, 5]``."""
        return list(range(int(self.settings.get("min", 1)), int(self.settings.get("max", 5)) + 1))


@dataclass
class SurveyDef:
    """A whole survey with all its translations."""

    code: str
    default_language: str
    languages: list[str]
    title: dict[str, str] = field(default_factory=dict)
    intro: dict[str, str] = field(default_factory=dict)
    thanks: dict[str, str] = field(default_factory=dict)
    questions: list[QuestionDef] = field(default_factory=list)
    #: Optional consultation the survey belongs to: ``code``, ``title``, ``description``.
    consultation: dict = field(default_factory=dict)
    #: One question per page: True, False, or None — then long surveys get it (``paging``).
    one_question_per_page: bool | None = None

    def question(self, code: str) -> QuestionDef:
        """The question named ``code``; KeyError if there is none."""
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)


class DefinitionError(ValueError):
    """A survey definition breaks a rule; ``problems`` lists each, with where it is."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def check(defn: SurveyDef) -> list[str]:
    """Every structural problem of ``defn`` (empty when it is sound)."""
    problems = []
    if not NAME_PATTERN.match(defn.code.replace("-", "_")):
        problems.append(f"code {defn.code!r}: use lower-case letters, digits, - and _")
    if defn.default_language not in defn.languages:
        problems.append("default_language must be one of languages")
    if not defn.questions:
        problems.append("questions: a survey needs at least one question")
    seen = set()
    for number, question in enumerate(defn.questions, start=1):
        where = f"question {number} ({question.code})"
        if not NAME_PATTERN.match(question.code):
            problems.append(f"{where}: name must be lower-case letters, digits and _")
        if question.code in seen:
            problems.append(f"{where}: name is used twice")
        seen.add(question.code)
        if question.type not in QUESTION_TYPES:
            problems.append(f"{where}: unknown type {question.type!r}")
            continue
        if question.type in TYPES_WITH_CHOICES:
            codes = [option.code for option in question.options]
            if len(codes) < 2:
                problems.append(f"{where}: needs at least two choices")
            if len(set(codes)) != len(codes):
                problems.append(f"{where}: a choice name is used twice")
            for code in codes:
                if not NAME_PATTERN.match(code):
                    problems.append(f"{where}: choice name {code!r} must be lower-case letters, digits and _")
        elif question.options:
            problems.append(f"{where}: type {question.type} takes no choices")
        if OTHER_SETTING in question.settings:
            other = question.settings[OTHER_SETTING]
            if question.type not in TYPES_WITH_OTHER:
                problems.append(f"{where}: only single_choice and multiple_choice questions can have an "
                                f"'other' choice with a text field, not {question.type}")
            elif not isinstance(other, str) or other not in [option.code for option in question.options]:
                problems.append(f"{where}: the 'other' choice {other!r} is not one of the choices")
        icons = question.settings.get(ICONS_SETTING, {})
        for code, icon in (icons.items() if isinstance(icons, dict) else []):
            if code not in [option.code for option in question.options]:
                problems.append(f"{where}: the pictogram of {code!r} belongs to no choice")
            elif icon not in PICTOGRAMS:
                problems.append(f"{where}: there is no pictogram {icon!r} (shipped: {', '.join(sorted(PICTOGRAMS))})")
        if question.type == "scale":
            low, high = question.settings.get("min", 1), question.settings.get("max", 5)
            if not (isinstance(low, int) and isinstance(high, int) and 0 <= low < high <= 10):
                problems.append(f"{where}: a scale needs whole numbers 0 ≤ min < max ≤ 10")
        if question.type == "number":
            low, high = question.settings.get("min"), question.settings.get("max")
            if low is not None and high is not None and low > high:
                problems.append(f"{where}: min is larger than max")
        if question.type == "priority":
            picks = question.settings.get("max_picks")
            if not isinstance(picks, int) or not 1 <= picks <= len(question.options):
                problems.append(f"{where}: max_picks must be between 1 and the number of choices")
    return problems


def missing_translations(defn: SurveyDef) -> list[str]:
    """Every text that lacks one of the survey's languages, as ``where: language``.

    Titles and question labels are always needed; other texts (intro, thanks, hints, labels of
    scale ends, options) wherever the source language has them.
    """
    missing = []

    def need(texts: dict, where: str, always: bool = False) -> None:
        texts = texts or {}
        if not always and not texts.get(defn.default_language, "").strip():
            return  # a text the source language leaves out (an optional intro or hint)
        for language in defn.languages:
            if not texts.get(language, "").strip():
                missing.append(f"{where}: {language}")

    need(defn.title, "title", always=True)
    need(defn.intro, "intro")
    need(defn.thanks, "thanks")
    for question in defn.questions:
        need(question.label, f"{question.code}.label", always=True)
        if question.hint:
            need(question.hint, f"{question.code}.hint")
        for key in ("min_label", "max_label"):
            if key in question.settings:
                need(question.settings[key], f"{question.code}.{key}")
        for option in question.options:
            need(option.label, f"{question.code}.{option.code}")
    return missing
