"""Results per quarter, district and city, with small counts suppressed.

The inputs are plain counts (what a SQL ``GROUP BY quarter, question, option`` returns); the
output holds every figure with a flag whether it may be shown. Nothing here knows the database.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable

from app.domain.answers import option_codes
from app.domain.definition import QuestionDef
from app.domain.suppression import suppress

#: The column of a question's base: how many answered it in an area.
BASE = "_n"
#: Pseudo question code for the number of responses per area.
RESPONSES = "_responses"
CITY = ("city", "")
NO_QUARTER = ("none", "")


@dataclass(frozen=True)
class Area:
    """An area results are given for."""

    level: str  # city, district, quarter
    code: str
    name: str
    district_code: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.level, self.code)


@dataclass(slots=True)
class Figure:
    """A count with its share; ``hidden`` when it must be shown as "fewer than k"."""

    count: int
    hidden: bool
    share: float | None = None

    @property
    def shown(self) -> int | None:
        """The count if it may be shown, else None."""
        return None if self.hidden else self.count


@dataclass(slots=True)
class AreaResult:
    """One question in one area."""

    base: Figure
    options: dict[str, Figure]
    mean: float | None = None
    median: float | None = None


@dataclass
class QuestionResult:
    """One question across all areas; ``option_codes`` in display order."""

    question: QuestionDef
    option_codes: list[str]
    areas: dict[tuple[str, str], AreaResult]


@dataclass
class Results:
    """Everything a results page or an aggregate export shows."""

    k: int
    areas: list[Area]
    responses: dict[tuple[str, str], Figure]
    questions: list[QuestionResult]
    #: ``{"channel": {"web": Figure, …}, "language": …, "meeting_place": …}`` for the city.
    breakdowns: dict[str, dict[str, Figure]] = field(default_factory=dict)

    def area(self, key: tuple[str, str]) -> Area | None:
        """The area with this key."""
        return next((area for area in self.areas if area.key == key), None)


@dataclass
class Counts:
    """Raw counts at quarter level (``quarter`` None: the response has no quarter)."""

    #: (question, quarter, option) → count
    options: dict[tuple[str, str | None, str], int] = field(default_factory=dict)
    #: (question, quarter) → number of responses that answered the question
    answered: dict[tuple[str, str | None], int] = field(default_factory=dict)
    #: (question, quarter, value) → count, for scale and number questions
    numbers: dict[tuple[str, str | None, float], int] = field(default_factory=dict)
    #: quarter → responses
    responses: dict[str | None, int] = field(default_factory=dict)
    #: name of a breakdown → {value: responses}, for the city
    breakdowns: dict[str, dict[str, int]] = field(default_factory=dict)
    #: text question → codes of the planners' categories, counted in ``options`` like choices
    coded: dict[str, list[str]] = field(default_factory=dict)


def _median(value_counts: list[tuple[float, int]]) -> float | None:
    """The median of a distribution given as (value, count) pairs."""
    total = sum(count for _, count in value_counts)
    if total == 0:
        return None
    ordered = sorted(value_counts)

    def nth(position: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > position:
                return value
        return ordered[-1][0]

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


@dataclass
class _Table:
    """The cells of one results table before suppression: values, the additive constraints
    between them, the cells hidden whatever their value, and each question's option codes."""

    values: dict[tuple, int]
    constraints: list[tuple]
    always_hidden: set[tuple]
    codes_of: dict[str, list[str]]


def _table(questions: list[QuestionDef], areas: list[Area], counts: Counts, k: int,
           quarter_codes: list[str] | None) -> _Table:
    """Every cell of the results table of ``counts``, keyed ``(question, area key, column)``."""
    quarters_of: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        if area.level == "quarter":
            quarters_of[area.district_code].append(area.code)
    district_of = {a.code: a.district_code for a in areas if a.level == "quarter"}

    values: dict[tuple, int] = {}
    constraints: list[tuple] = []

    def roll_up(question: str, column: str, quarter_values: dict[str | None, int]) -> None:
        """Put quarter figures and their sums per district and city into ``values``."""
        district_totals: dict[str, int] = defaultdict(int)
        for quarter, value in quarter_values.items():
            if quarter is None or quarter not in district_of:
                values[(question, NO_QUARTER, column)] = values.get((question, NO_QUARTER, column), 0) + value
            else:
                values[(question, ("quarter", quarter), column)] = value
                district_totals[district_of[quarter]] += value
        for district, quarters in quarters_of.items():
            values[(question, ("district", district), column)] = district_totals.get(district, 0)
            for quarter in quarters:
                values.setdefault((question, ("quarter", quarter), column), 0)
            constraints.append(((question, ("district", district), column),
                                [(question, ("quarter", q), column) for q in quarters]))
        values[(question, CITY, column)] = sum(quarter_values.values())
        unassigned = values.get((question, NO_QUARTER, column), 0)
        parts = [(question, ("district", d), column) for d in quarters_of]
        if unassigned:
            parts.append((question, NO_QUARTER, column))
        constraints.append(((question, CITY, column), parts))

    roll_up(RESPONSES, BASE, counts.responses)
    for name, distribution in counts.breakdowns.items():
        for value, count in distribution.items():
            values[(RESPONSES, ("breakdown", name), value)] = count
        missing = counts_total(counts.responses) - sum(distribution.values())
        parts = [(RESPONSES, ("breakdown", name), value) for value in distribution]
        if missing:
            values[(RESPONSES, ("breakdown", name), "_missing")] = missing
            parts.append((RESPONSES, ("breakdown", name), "_missing"))
        constraints.append(((RESPONSES, CITY, BASE), parts))

    option_values: dict[tuple[str, str], dict[str | None, int]] = defaultdict(dict)
    for (code, quarter, option), count in counts.options.items():
        option_values[(code, option)][quarter] = count
    answered_values: dict[str, dict[str | None, int]] = defaultdict(dict)
    for (code, quarter), count in counts.answered.items():
        answered_values[code][quarter] = count

    codes_of: dict[str, list[str]] = {}
    for question in questions:
        code = question.code
        if question.type in ("short_text", "long_text", "number"):
            codes = list(counts.coded.get(code, []))
        else:
            codes = option_codes(question, quarter_codes)
        codes_of[code] = codes
        roll_up(code, BASE, answered_values[code])
        for option in codes:
            roll_up(code, option, option_values[(code, option)])
        if question.is_exclusive and codes:
            for area in [*areas, Area("none", "", "")]:
                constraints.append(((code, area.key, BASE), [(code, area.key, o) for o in codes]))

    # Every cell of a group smaller than k is hidden, zeros included.
    small_groups = {(question, area) for (question, area, column), value in values.items()
                    if column == BASE and value < k}
    always_hidden = {key for key in values if (key[0], key[1]) in small_groups}
    if values.get((RESPONSES, CITY, BASE), 0) < k:
        always_hidden |= {key for key in values if key[1][0] == "breakdown"}
    return _Table(values, constraints, always_hidden, codes_of)


def _results(questions: list[QuestionDef], areas: list[Area], counts: Counts, k: int,
             table: _Table, hidden: set[tuple]) -> Results:
    """The figures of ``table`` with ``hidden`` cells marked, shares, means and medians."""
    values = table.values
    district_of = {a.code: a.district_code for a in areas if a.level == "quarter"}

    def figure(key: tuple, base_key: tuple | None = None) -> Figure:
        count = values.get(key, 0)
        fig = Figure(count=count, hidden=key in hidden)
        if base_key is not None and not fig.hidden and base_key not in hidden and values.get(base_key):
            fig.share = count / values[base_key]
        return fig

    numbers_by_area: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    for (code, quarter, value), count in counts.numbers.items():
        keys = [CITY]
        if quarter in district_of:
            keys += [("quarter", quarter), ("district", district_of[quarter])]
        for area_key in keys:
            numbers_by_area[(code, area_key)].append((value, count))

    question_results = []
    for question in questions:
        code = question.code
        per_area = {}
        for area in areas:
            base_key = (code, area.key, BASE)
            result = AreaResult(base=figure(base_key),
                                options={o: figure((code, area.key, o), base_key)
                                         for o in table.codes_of[code]})
            if question.type in ("scale", "number") and not result.base.hidden:
                distribution = _merge(numbers_by_area.get((code, area.key), []))
                total = sum(count for _, count in distribution)
                if total:
                    result.mean = sum(value * count for value, count in distribution) / total
                    result.median = _median(distribution)
            per_area[area.key] = result
        question_results.append(QuestionResult(question, table.codes_of[code], per_area))

    return Results(
        k=k, areas=areas,
        responses={area.key: figure((RESPONSES, area.key, BASE))
                   for area in [*areas, Area("none", "", "")]},
        questions=question_results,
        breakdowns={name: {value: figure((RESPONSES, ("breakdown", name), value),
                                         (RESPONSES, CITY, BASE))
                           for value in distribution}
                    for name, distribution in counts.breakdowns.items()},
    )


@contextmanager
def _collector_paused():
    """Aggregation builds some 100,000 small objects (cells, constraints, figures) that all live
    until it ends and form no reference cycles: Python's cycle collector would walk them again
    and again for nothing (a third of the time of a city-wide survey)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@_collector_paused()
def aggregate(questions: list[QuestionDef], areas: list[Area], counts: Counts, k: int,
              quarter_codes: list[str] | None = None) -> Results:
    """Counts, shares, means and medians per area, with suppression applied.

    ``areas`` lists the city, the districts and the quarters to report; each quarter names its
    district. ``quarter_codes`` are the options of a ``quarter`` question.
    """
    table = _table(questions, areas, counts, k, quarter_codes)
    hidden = suppress(table.values, k, table.constraints, table.always_hidden)
    return _results(questions, areas, counts, k, table, hidden)



#: Name of the part that holds everyone outside the named parts of a partition.
REST = "_rest"


@_collector_paused()
def aggregate_partition(questions: list[QuestionDef], areas: list[Area], whole: Counts,
                        parts: dict[str, Counts], k: int,
                        quarter_codes: list[str] | None = None) -> tuple[Results, dict[str, Results]]:
    """The results of ``whole`` and of each of its ``parts`` (disjoint groups of its responses,
    e.g. one per age band), suppressed together so that no comparison gives anything away.

    The whole is suppressed exactly as ``aggregate`` does it: it is what the unfiltered page
    publishes. Everyone not in a named part forms one more part (``REST``: e.g. those who did
    not answer the question that names the groups), returned last; when the parts cover
    everyone (every response has a channel), there is no rest: a group known to be empty
    protects nothing. Each
    part gets its own primary suppression, and every cell of the whole is the sum of that cell in
    every part: where a hidden cell (of the whole or of a part) could be worked out as the whole
    minus the other parts, a second part's cell is hidden too. A cell of the whole is never
    hidden here, since the unfiltered page already shows it. Filtered views and cross tables are
    such parts, so the difference between a filtered view and the whole, or between two filtered
    views, never reveals a count below k.
    """
    whole_table = _table(questions, areas, whole, k, quarter_codes)
    whole_hidden = suppress(whole_table.values, k, whole_table.constraints, whole_table.always_hidden)
    named = dict(parts)
    rest = subtract(whole, parts.values())
    if any(rest.responses.values()):
        named[REST] = rest
    tables = {name: _table(questions, areas, counts, k, quarter_codes) for name, counts in named.items()}

    values: dict[tuple, int] = {("whole", key): value for key, value in whole_table.values.items()}
    constraints: list[tuple] = []
    always_hidden = {("whole", key) for key in whole_hidden}
    for name, table in tables.items():
        values.update({(name, key): value for key, value in table.values.items()})
        always_hidden |= {(name, key) for key in table.always_hidden}
        constraints += [((name, total), [(name, part) for part in members])
                        for total, members in table.constraints]
    keys = set(whole_table.values).union(*(table.values for table in tables.values()))
    for key in sorted(keys, key=repr):
        constraints.append((("whole", key), [(name, key) for name in tables]))
    hidden = suppress(values, k, constraints, always_hidden)
    return (_results(questions, areas, whole, k, whole_table, whole_hidden),
            {name: _results(questions, areas, named[name], k, tables[name],
                            {key for owner, key in hidden if owner == name})
             for name in named})


def subtract(whole: Counts, parts: Iterable[Counts]) -> Counts:
    """The counts of everyone in ``whole`` who is in none of ``parts``."""
    rest = Counts(options=dict(whole.options), answered=dict(whole.answered),
                  numbers=dict(whole.numbers), responses=dict(whole.responses),
                  breakdowns={name: dict(d) for name, d in whole.breakdowns.items()},
                  coded={code: list(c) for code, c in whole.coded.items()})
    for part in parts:
        for mine, theirs in ((rest.options, part.options), (rest.answered, part.answered),
                             (rest.numbers, part.numbers), (rest.responses, part.responses)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) - count
        for name, distribution in part.breakdowns.items():
            mine = rest.breakdowns.setdefault(name, {})
            for value, count in distribution.items():
                mine[value] = mine.get(value, 0) - count
    if any(count < 0 for table in (rest.options, rest.answered, rest.numbers, rest.responses)
           for count in table.values()):
        raise ValueError("the parts are not disjoint groups of the whole")
    return rest


def add(base: Counts, more: Counts) -> Counts:
    """The counts of two disjoint groups of responses together (e.g. those counted before and
    those that arrived since); the planners' categories are taken from ``more``."""
    both = Counts(options=dict(base.options), answered=dict(base.answered), numbers=dict(base.numbers),
                  responses=dict(base.responses),
                  breakdowns={name: dict(d) for name, d in base.breakdowns.items()},
                  coded={code: list(c) for code, c in more.coded.items()})
    for mine, theirs in ((both.options, more.options), (both.answered, more.answered),
                         (both.numbers, more.numbers), (both.responses, more.responses)):
        for key, count in theirs.items():
            mine[key] = mine.get(key, 0) + count
    for name, distribution in more.breakdowns.items():
        mine = both.breakdowns.setdefault(name, {})
        for value, count in distribution.items():
            mine[value] = mine.get(value, 0) + count
    return both


def counts_total(per_quarter: dict) -> int:
    """Sum of a per-quarter mapping."""
    return sum(per_quarter.values())


def _merge(pairs: Iterable[tuple[float, int]]) -> list[tuple[float, int]]:
    """Add up counts of equal values."""
    merged: dict[float, int] = defaultdict(int)
    for value, count in pairs:
        merged[value] += count
    return sorted(merged.items())
