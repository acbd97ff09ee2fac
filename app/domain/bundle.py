"""Everything an export writes, gathered once: the same numbers in every format."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from app.domain.aggregation import Results
from app.domain.codebook import VariableEntry


@dataclass
class ExportBundle:
    """A survey's suppressed results, its anonymous responses and its codebook."""

    survey: str
    version: int
    title: dict[str, str]
    default_language: str
    languages: list[str]
    k: int
    #: First and last day with a response (None when there are none).
    period: tuple[date | None, date | None]
    #: Filters applied (none yet: the whole survey).
    filters: dict
    results: Results
    codebook: list[VariableEntry]
    suppression_rule: str
    #: The tidy aggregate table: its columns and a function giving its rows afresh.
    aggregate_columns: list[str]
    aggregate_rows: Callable[[], Iterable[dict]]
    #: The anonymous response table (one row per response, option codes).
    response_columns: list[str]
    response_rows: list[dict]
    #: How many responses k-anonymity left out of the response table.
    left_out: int
    #: Labels in the default language: question code → text; (question, option) → text.
    question_labels: dict[str, str] = field(default_factory=dict)
    option_labels: dict[tuple[str, str], str] = field(default_factory=dict)
