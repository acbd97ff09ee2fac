"""Everything an export writes, gathered once: the same numbers in every format.

The anonymous response table is not held here: ``response_rows()`` streams it afresh each time
(in a fresh random order), so a writer takes it once, row by row, and never keeps it whole.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

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
    #: The anonymous response table (one row per response, option codes): its columns and a
    #: function giving its rows afresh, one at a time.
    response_columns: list[str]
    response_rows: Callable[[], Iterator[dict]]
    #: How many responses k-anonymity left out of the response table.
    left_out: int
    #: How many rows the response table has (known before its rows are read).
    response_count: int = 0
    #: Every value each quasi-identifier column of the response table can hold (quarter and
    #: district codes, languages …), known before its rows are read.
    response_values: dict[str, set[str]] = field(default_factory=dict)
    #: Labels in the default language: question code → text; (question, option) → text.
    question_labels: dict[str, str] = field(default_factory=dict)
    option_labels: dict[tuple[str, str], str] = field(default_factory=dict)
