"""Results per quarter, district and city, as they are published: every count perturbed by
the cell key method (``app.domain.cellkey``), small ones not shown.

The inputs are plain counts and the sums of their responses' record keys (what a SQL
``GROUP BY quarter, question, option`` returns); the output holds every published figure with
a flag whether it may be shown. True counts never leave this module. Nothing here knows the
database.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from app.domain.answers import option_codes
from app.domain.cellkey import KEY_RANGE, PerturbationParameters, PerturbationTable, cell_key
from app.domain.definition import QuestionDef

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
    """A published (perturbed) count with its share; ``hidden`` when it is not shown, and then
    ``count`` is 0: a hidden figure carries nothing to leak."""

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
    #: The perturbation's method and parameters, for legends, codebooks and metadata.
    perturbation: dict = field(default_factory=dict)

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
    #: The sum of the record keys of the responses behind each count above, keyed alike: the
    #: cell key method perturbs each published count by it (``app.domain.cellkey``).
    option_keys: dict[tuple[str, str | None, str], int] = field(default_factory=dict)
    answered_keys: dict[tuple[str, str | None], int] = field(default_factory=dict)
    response_keys: dict[str | None, int] = field(default_factory=dict)
    breakdown_keys: dict[str, dict[str, int]] = field(default_factory=dict)


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
    """The cells of one results table before perturbation: true values, key sums and each
    question's option codes."""

    values: dict[tuple, int]
    #: The sum of the record keys of each cell's responses.
    keys: dict[tuple, int]
    codes_of: dict[str, list[str]]


def _table(questions: list[QuestionDef], areas: list[Area], counts: Counts,
           quarter_codes: list[str] | None) -> _Table:
    """Every cell of the results table of ``counts``, keyed ``(question, area key, column)``."""
    quarters_of: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        if area.level == "quarter":
            quarters_of[area.district_code].append(area.code)
    district_of = {a.code: a.district_code for a in areas if a.level == "quarter"}

    values: dict[tuple, int] = {}
    keys: dict[tuple, int] = {}

    def place(store: dict, question: str, column: str, quarter_values: Mapping[str | None, int]) -> None:
        """Put quarter figures and their sums per district and city into ``store``."""
        district_totals: dict[str, int] = defaultdict(int)
        for quarter, value in quarter_values.items():
            if quarter is None or quarter not in district_of:
                store[(question, NO_QUARTER, column)] = store.get((question, NO_QUARTER, column), 0) + value
            else:
                store[(question, ("quarter", quarter), column)] = value
                district_totals[district_of[quarter]] += value
        for district, quarters in quarters_of.items():
            store[(question, ("district", district), column)] = district_totals.get(district, 0)
            for quarter in quarters:
                store.setdefault((question, ("quarter", quarter), column), 0)
        store[(question, CITY, column)] = sum(quarter_values.values())

    def roll_up(question: str, column: str, quarter_values: Mapping[str | None, int],
                quarter_keys: Mapping[str | None, int]) -> None:
        """The counts and their key sums per quarter, district and city."""
        place(values, question, column, quarter_values)
        place(keys, question, column, quarter_keys)

    roll_up(RESPONSES, BASE, counts.responses, counts.response_keys)
    for name, distribution in counts.breakdowns.items():
        key_sums = counts.breakdown_keys.get(name, {})
        for value, count in distribution.items():
            values[(RESPONSES, ("breakdown", name), value)] = count
            keys[(RESPONSES, ("breakdown", name), value)] = key_sums.get(value, 0)

    option_values: dict[tuple[str, str], dict[str | None, int]] = defaultdict(dict)
    option_keys: dict[tuple[str, str], dict[str | None, int]] = defaultdict(dict)
    for (code, quarter, option), count in counts.options.items():
        option_values[(code, option)][quarter] = count
        option_keys[(code, option)][quarter] = counts.option_keys.get((code, quarter, option), 0)
    answered_values: dict[str, dict[str | None, int]] = defaultdict(dict)
    answered_keys: dict[str, dict[str | None, int]] = defaultdict(dict)
    for (code, quarter), count in counts.answered.items():
        answered_values[code][quarter] = count
        answered_keys[code][quarter] = counts.answered_keys.get((code, quarter), 0)

    codes_of: dict[str, list[str]] = {}
    for question in questions:
        code = question.code
        if question.type in ("short_text", "long_text", "number"):
            codes = list(counts.coded.get(code, []))
        else:
            codes = option_codes(question, quarter_codes)
        codes_of[code] = codes
        roll_up(code, BASE, answered_values[code], answered_keys[code])
        for option in codes:
            roll_up(code, option, option_values[(code, option)], option_keys[(code, option)])

    return _Table(values, keys, codes_of)


def _area_sums(table: _Table) -> dict[tuple[str, str], int]:
    """The record keys of every area's responses, summed: part of each of its cells' keys."""
    return {area: key_sum for (question, area, column), key_sum in table.keys.items()
            if question == RESPONSES and column == BASE}


def publish(table: _Table, k: int, perturbation: PerturbationTable,
            area_sums: Mapping[tuple[str, str], int] | None = None) -> tuple[dict[tuple, int], set[tuple]]:
    """The published value of every cell, and the cells not shown.

    A cell's key is ``cellkey.cell_key``: its responses' record keys plus twice its area's. The
    same responses in the same area always give the same value (asking again, or in another
    view, shows the same figure); one more response in an area gives *every* cell of that area
    a new key, so a before-and-after comparison shows noise in every cell.

    Not shown: every published count below k, zero included (as in the ONS package: a published
    0 may stand for up to D people, and a figure not shown may be 0), and every cell of a
    question in an area whose published number of answers is below k; the responses' breakdowns
    when the city's published count is below k. A figure not shown thus says only "fewer than k
    after perturbation", never which of its neighbours it protects.
    ``area_sums`` are the areas' key sums (by default those of the table's own responses).
    """
    area_sums = _area_sums(table) if area_sums is None else area_sums
    # perturbation.publish(value, cell_key(…)) for every cell, with the table's rows looked up
    # outside the loop: a city-wide survey has over 100,000 cells.
    rows = [row.deviations for row in perturbation.rows]
    last, keys = len(rows) - 1, table.keys
    published = {}
    for key, value in table.values.items():
        area = CITY if key[1][0] == "breakdown" else key[1]
        published[key] = value + rows[min(value, last)][cell_key(keys.get(key, 0), area_sums.get(area, 0))]
    hidden = {key for key, value in published.items() if value < k}
    small_groups = {(question, area) for (question, area, column), value in published.items()
                    if column == BASE and value < k}
    hidden |= {key for key in published if (key[0], key[1]) in small_groups}
    if published.get((RESPONSES, CITY, BASE), 0) < k:
        hidden |= {key for key in published if key[1][0] == "breakdown"}
    return published, hidden


def published_sum(count: int, key_sum: int, area_sum: int, k: int,
                  perturbation: PerturbationTable) -> Figure:
    """One more figure that is a sum of responses (e.g. the respondents of several quarters
    together): perturbed by the cell key method like every cell, not shown below k."""
    value = perturbation.publish(count, cell_key(key_sum, area_sum))
    return Figure(count=0, hidden=True) if value < k else Figure(count=value, hidden=False)


#: Below this many published answers no median is given: the middle answer of a small group is
#: close to one person's own.
MEDIAN_MINIMUM = 20
#: The noise of a published sum of numbers is a deviation from the perturbation table times this
#: share of the cell's largest number (the largest contributor, as in the ABS method), so no one
#: answer can be worked out from sums, means and counts taken together.
MAGNITUDE_SHARE = 0.5


def _magnitude_key(key_sum: int) -> int:
    """A second cell key for a cell's sum of numbers, unrelated to the one of its count."""
    return (key_sum * 5 + 77) % KEY_RANGE


def _magnitudes(distribution: list[tuple[float, int]], base: int, key: int,
                perturbation: PerturbationTable) -> tuple[float | None, float | None]:
    """The published mean and median of the numbers (or scale points) of a shown group.

    The mean is a perturbed sum over the published number of answers, rounded to one decimal:
    the sum gets a deviation from the perturbation table (by a second cell key) times half the
    group's largest number, so that neither the difference of two means times their bases (a
    district against its quarters, a quarter against a filtered view) nor the means together
    with the counts give one answer back. The median is the middle answer, given only from
    ``MEDIAN_MINIMUM`` answers on."""
    if not distribution or base <= 0:
        return None, None
    true_sum = sum(value * count for value, count in distribution)
    largest = max(abs(value) for value, _ in distribution)
    noise = perturbation.row(perturbation.last).deviations[_magnitude_key(key)]
    mean = round((true_sum + noise * MAGNITUDE_SHARE * largest) / base, 1)
    return mean, (_median(distribution) if base >= MEDIAN_MINIMUM else None)


def _results(questions: list[QuestionDef], areas: list[Area], counts: Counts, k: int, table: _Table,
             published: dict[tuple, int], hidden: set[tuple], perturbation: PerturbationTable,
             area_sums: Mapping[tuple[str, str], int] | None = None) -> Results:
    """The published figures of ``table`` with ``hidden`` cells marked, shares, means and medians."""
    district_of = {a.code: a.district_code for a in areas if a.level == "quarter"}
    area_sums = _area_sums(table) if area_sums is None else area_sums

    def figure(key: tuple, base_key: tuple | None = None) -> Figure:
        if key in hidden:
            return Figure(count=0, hidden=True)
        count = published.get(key, 0)
        fig = Figure(count=count, hidden=False)
        if base_key is not None and base_key not in hidden and published.get(base_key):
            # Both are perturbed: a part may come out above its whole; a share stays a share.
            fig.share = min(1.0, count / published[base_key])
        return fig

    numbers_by_area: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    for (code, quarter, value), count in counts.numbers.items():
        area_keys = [CITY]
        if quarter in district_of:
            area_keys += [("quarter", quarter), ("district", district_of[quarter])]
        for area_key in area_keys:
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
            base = published.get(base_key, 0)
            if question.type in ("scale", "number") and not result.base.hidden:
                result.mean, result.median = _magnitudes(
                    _merge(numbers_by_area.get((code, area.key), [])), base,
                    cell_key(table.keys.get(base_key, 0), area_sums.get(area.key, 0)), perturbation)
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
        perturbation={**perturbation.summary, "median_minimum": MEDIAN_MINIMUM},
    )


@contextmanager
def _collector_paused():
    """Aggregation builds some 100,000 small objects (cells, key sums, figures) that all live
    until it ends and form no reference cycles: Python's cycle collector would walk them again
    and again for nothing (a third of the time of a city-wide survey)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


#: The perturbation table of the default settings (an installation sets its own).
DEFAULT_PERTURBATION = PerturbationTable.build(PerturbationParameters())


@_collector_paused()
def aggregate(questions: list[QuestionDef], areas: list[Area], counts: Counts, k: int,
              quarter_codes: list[str] | None = None,
              perturbation: PerturbationTable = DEFAULT_PERTURBATION) -> Results:
    """Published counts, shares, means and medians per area.

    ``areas`` lists the city, the districts and the quarters to report; each quarter names its
    district. ``quarter_codes`` are the options of a ``quarter`` question.
    """
    table = _table(questions, areas, counts, quarter_codes)
    published, hidden = publish(table, k, perturbation)
    return _results(questions, areas, counts, k, table, published, hidden, perturbation)


#: Name of the part that holds everyone outside the named parts of a partition.
REST = "_rest"


@_collector_paused()
def aggregate_partition(questions: list[QuestionDef], areas: list[Area], whole: Counts,
                        parts: dict[str, Counts], k: int, quarter_codes: list[str] | None = None,
                        perturbation: PerturbationTable = DEFAULT_PERTURBATION,
                        ) -> tuple[Results, dict[str, Results]]:
    """The results of ``whole`` and of each of its ``parts`` (disjoint groups of its responses,
    e.g. one per age band).

    Each is published on its own, every cell perturbed by the keys of its own responses: the
    whole exactly as ``aggregate`` publishes it (the unfiltered page), each part as its filtered
    page does. A part's cells take their area's key sum from the whole (every response of the
    area), so that they too change with every new response of the area. The difference
    between the whole and a part, or between two parts, is the difference of two perturbed
    counts: noise of up to twice the largest deviation, never a small count. Everyone not in a
    named part forms one more part (``REST``, e.g. those who did not answer the question that
    names the groups), returned last; when the parts cover everyone there is no rest.
    """
    whole_table = _table(questions, areas, whole, quarter_codes)
    whole_published, whole_hidden = publish(whole_table, k, perturbation)
    named = dict(parts)
    rest = subtract(whole, parts.values())
    if any(rest.responses.values()):
        named[REST] = rest
    area_sums = _area_sums(whole_table)
    results = {}
    for name, counts in named.items():
        table = _table(questions, areas, counts, quarter_codes)
        published, hidden = publish(table, k, perturbation, area_sums)
        results[name] = _results(questions, areas, counts, k, table, published, hidden, perturbation,
                                 area_sums)
    return (_results(questions, areas, whole, k, whole_table, whole_published, whole_hidden, perturbation),
            results)


#: The flat tables of ``Counts`` (key → number), counts and key sums alike.
_FLAT = ("options", "answered", "numbers", "responses", "option_keys", "answered_keys", "response_keys")
#: The nested ones (name → value → number).
_NESTED = ("breakdowns", "breakdown_keys")


def _copy(counts: Counts, coded: dict[str, list[str]]) -> Counts:
    copy = Counts(coded={code: list(c) for code, c in coded.items()})
    for name in _FLAT:
        setattr(copy, name, dict(getattr(counts, name)))
    for name in _NESTED:
        setattr(copy, name, {key: dict(d) for key, d in getattr(counts, name).items()})
    return copy


def _combine(into: Counts, other: Counts, sign: int) -> None:
    for name in _FLAT:
        mine = getattr(into, name)
        for key, value in getattr(other, name).items():
            mine[key] = mine.get(key, 0) + sign * value
    for name in _NESTED:
        mine_nested = getattr(into, name)
        for key, distribution in getattr(other, name).items():
            mine = mine_nested.setdefault(key, {})
            for value, count in distribution.items():
                mine[value] = mine.get(value, 0) + sign * count


def subtract(whole: Counts, parts: Iterable[Counts]) -> Counts:
    """The counts of everyone in ``whole`` who is in none of ``parts`` (key sums too)."""
    rest = _copy(whole, whole.coded)
    for part in parts:
        _combine(rest, part, -1)
    if any(count < 0 for table in (rest.options, rest.answered, rest.numbers, rest.responses)
           for count in table.values()):
        raise ValueError("the parts are not disjoint groups of the whole")
    return rest


def add(base: Counts, more: Counts) -> Counts:
    """The counts of two disjoint groups of responses together (e.g. those counted before and
    those that arrived since), key sums too; the planners' categories are taken from ``more``."""
    both = _copy(base, more.coded)
    _combine(both, more, 1)
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
