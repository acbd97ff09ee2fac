"""Turning what a resident typed or ticked into stored answer parts, and checking it.

``parse`` is the one place that decides whether an answer is valid. It returns error *codes*
with their parameters; the web layer turns them into messages in the resident's language.

A choice question may have an "other" option with a text field beside it. Its text is stored in
the same answer part as the option (``option_code`` and ``text`` together), so neither is lost:

- option chosen and text written → one part: the option with the text;
- text written, option not chosen → the resident clearly means "other": counted as chosen.
  On a single choice question where another option is chosen, that is a contradiction the
  resident resolves (error ``other_and_choice``; both stay in the form);
- option chosen, no text → the option alone;
- the text is cleaned like every text answer (``clean_text``), kept on one line, and at most
  ``OTHER_TEXT_LIMIT`` characters long (error ``too_long``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.domain.definition import ELSEWHERE, NO, OTHER_TEXT_LIMIT, PREFER_NOT, TEXT_LIMITS, YES, QuestionDef

#: Control characters other than line breaks and tabs never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_INTEGER = re.compile(r"^[+-]?\d{1,9}$")


@dataclass(frozen=True)
class Part:
    """One stored piece of an answer: an option, a number or a text."""

    option_code: str | None = None
    number: float | None = None
    text: str | None = None


@dataclass
class Parsed:
    """The parts of a valid answer, or an error code with its parameters."""

    parts: list[Part] = field(default_factory=list)
    error: str | None = None
    params: dict = field(default_factory=dict)


def option_codes(question: QuestionDef, quarter_codes: list[str] | None = None) -> list[str]:
    """The option codes a resident may pick for ``question``."""
    if question.type == "yes_no":
        return [YES, NO]
    if question.type == "scale":
        return [str(point) for point in question.scale_points()]
    if question.type == "quarter":
        return list(quarter_codes or []) + [ELSEWHERE, PREFER_NOT]
    return [option.code for option in question.options]


#: Characters that show nothing: an answer made only of them (and spaces) is empty.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\s]")


def clean_text(value: str) -> str:
    """Text as stored: NFC-normalised, control and direction-override characters removed; empty
    when nothing visible is left (zero-width spaces, direction marks, byte-order marks)."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()
    return text if _INVISIBLE.sub("", text) else ""


def other_text(question: QuestionDef, raw: list[str] | None) -> str:
    """The cleaned text written beside the "other" option, on one line (``""`` when the
    question has no "other" option or nothing was written)."""
    if not question.other_code:
        return ""
    return " ".join(" ".join(clean_text(value).split()) for value in raw or [] if clean_text(value))


def with_other(question: QuestionDef, values: list[str], text: str) -> list[str]:
    """``values`` with the "other" option added when its text is written but it was not ticked —
    unless a single choice question has another option chosen (then nothing is added)."""
    code = question.other_code
    if not text or not code or code in values:
        return list(values)
    if question.type == "single_choice" and values:
        return list(values)
    return [*values, code]


def parse(question: QuestionDef, raw: list[str], quarter_codes: list[str] | None = None,
          other: list[str] | None = None) -> Parsed:
    """Check the raw form values of ``question`` and turn them into answer parts.

    ``other`` holds what was written in the text field beside the "other" option, if any.
    """
    values = [clean_text(value) for value in raw]
    values = [value for value in values if value]
    text = other_text(question, other)
    if len(text) > OTHER_TEXT_LIMIT:
        return Parsed(error="too_long", params={"max": OTHER_TEXT_LIMIT, "length": len(text)})
    if text and question.type == "single_choice" and values and question.other_code not in values:
        return Parsed(error="other_and_choice")
    values = with_other(question, values, text)
    if not values:
        return Parsed(error="required") if question.required else Parsed()
    kind = question.type
    if kind in ("short_text", "long_text"):
        text = "\n".join(values) if kind == "long_text" else " ".join(values)
        limit = TEXT_LIMITS[kind]
        if len(text) > limit:
            return Parsed(error="too_long", params={"max": limit, "length": len(text)})
        return Parsed([Part(text=text)])
    if kind == "number":
        if len(values) > 1 or not _INTEGER.match(values[0].replace(" ", "")):
            return Parsed(error="not_a_whole_number")
        number = int(values[0].replace(" ", ""))
        low, high = question.settings.get("min"), question.settings.get("max")
        if low is not None and number < low:
            return Parsed(error="too_small", params={"min": low})
        if high is not None and number > high:
            return Parsed(error="too_large", params={"max": high})
        return Parsed([Part(number=float(number))])
    allowed = option_codes(question, quarter_codes)
    if any(value not in allowed for value in values):
        return Parsed(error="unknown_option")
    chosen = list(dict.fromkeys(values))  # keep order, drop repeats
    if kind in ("multiple_choice", "priority"):
        picks = question.settings.get("max_picks")
        if kind == "priority" and picks and len(chosen) > picks:
            return Parsed(error="too_many", params={"max": picks})
        return Parsed([_option_part(question, code, text) for code in chosen])
    if len(chosen) > 1:
        return Parsed(error="one_only")
    if kind == "scale":
        return Parsed([Part(option_code=chosen[0], number=float(chosen[0]))])
    return Parsed([_option_part(question, chosen[0], text)])


def _option_part(question: QuestionDef, code: str, text: str) -> Part:
    """The part of a chosen option; the "other" option carries the resident's text, if any."""
    return Part(option_code=code, text=text or None) if question.is_other(code) else Part(option_code=code)


def resident_quarter(question_parts: dict[str, list[Part]], quarter_question: str | None,
                     place_quarter: str | None) -> tuple[str | None, str | None]:
    """The quarter a response counts for, and why: ``(code, "answer" | "place" | None)``.

    The resident's own answer wins over the poster's quarter. "Somewhere else" means outside the
    consultation's quarters: the response then counts for the city only. "Prefer not to say" and
    no answer fall back to the meeting place's quarter.
    """
    parts = question_parts.get(quarter_question or "", [])
    code = parts[0].option_code if parts else None
    if code == ELSEWHERE:
        return None, "answer"
    if code and code != PREFER_NOT:
        return code, "answer"
    if place_quarter:
        return place_quarter, "place"
    return None, None
