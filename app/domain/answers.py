"""Turning what a resident typed or ticked into stored answer parts, and checking it.

``parse`` is the one place that decides whether an answer is valid. It returns error *codes*
with their parameters; the web layer turns them into messages in the resident's language.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.domain.definition import ELSEWHERE, NO, PREFER_NOT, TEXT_LIMITS, YES, QuestionDef

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


def clean_text(value: str) -> str:
    """Text as stored: NFC-normalised, control and direction-override characters removed."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()


def parse(question: QuestionDef, raw: list[str], quarter_codes: list[str] | None = None) -> Parsed:
    """Check the raw form values of ``question`` and turn them into answer parts."""
    values = [clean_text(value) for value in raw]
    values = [value for value in values if value]
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
        return Parsed([Part(option_code=code) for code in chosen])
    if len(chosen) > 1:
        return Parsed(error="one_only")
    if kind == "scale":
        return Parsed([Part(option_code=chosen[0], number=float(chosen[0]))])
    return Parsed([Part(option_code=chosen[0])])


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
