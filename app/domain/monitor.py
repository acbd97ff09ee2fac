"""Who have we not heard yet: response rates and representation per quarter and group.

Pure Python, no Flask, no database. The inputs are what the results pages start from — the
areas of a survey and its raw :class:`~app.domain.aggregation.Counts` (responses per quarter,
languages, channels, answers per quarter) — plus official reference figures per quarter code,
e.g. ``{"population": 3968, "age_65_plus": 702, "foreign_share": 31.5}`` (``foreign_share`` in
per cent, 0–100).

The output says, for every quarter of a consultation's scope, how many responses came per
1,000 residents; how each group with a known population share is represented among the
respondents (share among respondents ÷ share in the population: 1.0 means "as often as in the
population"); and which quarters and groups we have heard least — the places to go next.

Choices, and why:

* **Every figure through the release layer.** The counts the results pages also publish
  (responses per quarter, in all, without a quarter, per language and per channel) are taken
  from :func:`~app.domain.aggregation.aggregate` on the same inputs, so they have the same
  published (perturbed) values and are not shown where they are not shown there: below k,
  zero included. A count not shown is never used, and neither is anything derived from it: its
  rate, its share, its ratio.
* **New sums are cells of their own.** The monitor adds sums: the responses from all quarters
  with a residents figure (the overall rate) and the respondents per age group. Each is
  published by the cell key method like any cell (:func:`~app.domain.aggregation.published_sum`),
  so the difference between such a sum and the figures of the results pages is noise, never a
  count.
* **Hidden quarters are still listed.** A quarter whose count is hidden is always listed as
  under-represented, with the words "fewer than k responses": that is what a coordinator needs
  to know. Hidden quarters are listed *whatever* their true count and ordered by their
  population (largest first), never by their hidden count or rate — an order or a choice that
  depended on the hidden value would disclose it. As on the results pages, a count hidden only
  to protect another one reads "fewer than k" like every hidden count.
* **Order of the list.** Quarters with residents and fewer than k responses (none at all
  included) come first, largest population first; then quarters whose rate is below
  :data:`UNDER_REPRESENTED` times the average rate, lowest rate first. Quarters without a
  residents figure, or with nobody living there, have no rate and are never ranked; nothing is
  estimated for them. The average is that of every quarter with a residents figure; when that
  sum may not be shown, it is the average of the quarters whose counts are shown, which anyone
  can work out from the table.
* **Groups.** A group is compared only where both shares are known. For age, the answers to
  the age band question (:data:`AGE_QUESTION`) are mapped onto the population's age groups
  (:data:`AGE_GROUPS`), counting only respondents from quarters of the scope that have every
  age group's figure, against the residents of those quarters: like with like (a
  quarter with only some age figures is left out, so that the groups always add up to the
  respondents who gave their age, and no unpublished remainder enters a group).
  "Prefer not to say", skipped answers and responses without a quarter are left out of both
  sides. When fewer than k respondents gave their age, no group is compared at all. The
  languages respondents answered in and the channels they used have no population
  counterpart: they are a mix, never a ratio. The share of residents without German
  citizenship (``foreign_share``) is context only — the language of an answer is not a
  nationality.
* **Figures of different years** are used as given (the newest of each); the page names them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from app.domain.aggregation import (CITY, DEFAULT_PERTURBATION, NO_QUARTER, Area, Counts, Figure, aggregate,
                                    published_sum)
from app.domain.cellkey import PerturbationTable
from app.domain.definition import QuestionDef

#: Rates are given per this many residents.
PER_RESIDENTS = 1000
#: A quarter or a group is under-represented below this share of its fair share (four fifths,
#: the usual threshold of adverse-impact checks): rate ÷ average rate, or share among
#: respondents ÷ share in the population.
UNDER_REPRESENTED = 0.8
#: Name of the figure with the number of residents.
POPULATION = "population"
#: Name of the figure with the share (per cent) of residents without German citizenship.
FOREIGN_SHARE = "foreign_share"
#: Code of the question that asks respondents their age band.
AGE_QUESTION = "age_band"
#: Population age groups (figure names) and the age band options that fall into each.
AGE_GROUPS: dict[str, tuple[str, ...]] = {
    "age_under_18": ("under_18",),
    "age_18_64": ("age_18_29", "age_30_44", "age_45_64"),
    "age_65_plus": ("age_65_79", "age_80_plus"),
}

#: Why a quarter or group is listed as under-represented.
NO_RESPONSES, FEWER_THAN_K, LOW = "no_responses", "fewer_than_k", "low"


@dataclass
class QuarterRow:
    """One quarter: responses (a :class:`Figure`), residents, and the rate when it may be shown."""

    code: str
    name: str
    district: str
    responses: Figure
    #: Residents, from the reference figures; None when no figure is known.
    population: int | None
    #: Whether the quarter belongs to the consultation's area (else residents answered from it).
    in_scope: bool = True
    #: Responses per 1,000 residents; None when the count is hidden or nobody lives there.
    rate: float | None = None
    #: Rate ÷ average rate; None when either is unknown.
    ratio: float | None = None
    #: Why listed as under-represented (``fewer_than_k`` — zero included —, ``low``), else "".
    reason: str = ""


@dataclass
class MixRow:
    """One value of a respondents' mix (a language, a channel): count and share of all."""

    value: str
    figure: Figure


@dataclass
class GroupRow:
    """A population group compared with the respondents: shares on both sides, and their ratio."""

    #: Figure name, e.g. ``age_65_plus``.
    name: str
    #: Respondents in the group, with their share among the respondents who gave their age.
    respondents: Figure
    #: Share of the group among the residents of the compared quarters (0–1; of all groups).
    population_share: float
    #: Share among respondents ÷ share in the population; None when hidden or unknown.
    ratio: float | None = None
    reason: str = ""


@dataclass
class Monitor:
    """Everything the monitor page shows; hidden counts carry ``hidden=True`` and no derivative."""

    k: int
    #: All responses of the survey.
    total: Figure
    quarters: list[QuarterRow]
    #: Responses that name no quarter.
    unassigned: Figure
    #: Responses from the quarters of the scope with a residents figure, and those residents.
    with_population: Figure
    population: int
    #: Responses per 1,000 residents across quarters (see the module notes); None if unknown.
    average_rate: float | None
    languages: list[MixRow]
    channels: list[MixRow]
    groups: list[GroupRow]
    #: Respondents who gave their age and live in a compared quarter (the groups' base).
    group_base: Figure
    #: Residents of the quarters whose age figures are compared (the sum of the age groups).
    group_population: int
    #: Share (0–1) of residents without German citizenship in the quarters with that figure.
    foreign_share: float | None
    under_represented_quarters: list[QuarterRow] = field(default_factory=list)
    under_represented_groups: list[GroupRow] = field(default_factory=list)

    @property
    def has_population(self) -> bool:
        """Whether any quarter of the scope has a residents figure."""
        return self.population > 0

    def where_next(self, limit: int = 5) -> tuple[list[QuarterRow], list[GroupRow]]:
        """The ``limit`` most under-represented quarters and groups, most urgent first."""
        return self.under_represented_quarters[:limit], self.under_represented_groups[:limit]


def rate_per_residents(responses: int, residents: float | None) -> float | None:
    """Responses per :data:`PER_RESIDENTS` residents, or None without residents."""
    if not residents or residents <= 0:
        return None
    return responses / residents * PER_RESIDENTS


def build_monitor(areas: Sequence[Area], counts: Counts, figures: Mapping[str, Mapping[str, float]],
                  k: int, *, scope: Iterable[str] | None = None, age_question: QuestionDef | None = None,
                  languages: Iterable[str] = (), channels: Iterable[str] = (),
                  age_groups: Mapping[str, Sequence[str]] = AGE_GROUPS,
                  perturbation: PerturbationTable = DEFAULT_PERTURBATION) -> Monitor:
    """Rates, mixes and representation ratios for the quarters of a survey, small counts hidden.

    ``areas`` and ``counts`` are what the survey's results are aggregated from (the city, its
    districts, every quarter in scope or answered from); ``scope`` lists the quarter codes of
    the consultation's area (None: every quarter of ``areas``). ``age_question`` is the age band
    question of the current version, if the survey has one. ``languages`` and ``channels`` are
    shown with 0 when nobody used them ("nobody answered on paper" is worth seeing).
    """
    questions = [age_question] if age_question is not None else []
    published = aggregate(questions, areas, counts, k, perturbation=perturbation)
    district_names = {a.code: a.name for a in areas if a.level == "district"}
    quarter_areas = [a for a in areas if a.level == "quarter"]
    scope = {a.code for a in quarter_areas} if scope is None else set(scope)
    population = {a.code: figures.get(a.code, {}).get(POPULATION) for a in quarter_areas}
    populated = [a.code for a in quarter_areas if a.code in scope and (population[a.code] or 0) > 0]

    def responses(code: str) -> Figure:
        return published.responses[("quarter", code)]

    total = published.responses[CITY]
    # The respondents of all quarters with residents, together: one more perturbed sum (its area
    # is those quarters), so that it can be set against the city and the quarters shown.
    with_population = published_sum(sum(counts.responses.get(c, 0) for c in populated),
                                     sum(counts.response_keys.get(c, 0) for c in populated),
                                     sum(counts.response_keys.get(c, 0) for c in populated), k, perturbation)
    if total.hidden:
        with_population = Figure(0, hidden=True)
    population_total = sum(population[c] for c in populated)
    shown = [c for c in populated if not responses(c).hidden]
    if not with_population.hidden:
        average = rate_per_residents(with_population.count, population_total)
    else:
        average = rate_per_residents(sum(responses(c).count for c in shown),
                                     sum(population[c] for c in shown))

    rows = []
    for area in quarter_areas:
        row = QuarterRow(area.code, area.name, district_names.get(area.district_code, ""),
                         responses(area.code), _whole(population[area.code]), area.code in scope)
        if not row.responses.hidden and area.code in populated:
            row.rate = rate_per_residents(row.responses.count, population[area.code])
            row.ratio = row.rate / average if average else None
        rows.append(row)

    groups, group_base, group_population = _age_groups(
        published, counts, figures, k, age_question, age_groups,
        compared_from=[a.code for a in quarter_areas if a.code in scope], perturbation=perturbation)

    foreign = [c for c in populated if FOREIGN_SHARE in figures.get(c, {})]
    foreign_population = sum(population[c] for c in foreign)
    foreign_share = (sum(figures[c][FOREIGN_SHARE] / 100 * population[c] for c in foreign)
                     / foreign_population if foreign_population else None)

    return Monitor(
        k=k, total=total, quarters=rows, unassigned=published.responses[NO_QUARTER],
        with_population=with_population, population=_whole(population_total) or 0,
        average_rate=average,
        languages=_mix(published.breakdowns.get("language", {}), languages),
        channels=_mix(published.breakdowns.get("channel", {}), channels),
        groups=groups, group_base=group_base, group_population=_whole(group_population) or 0,
        foreign_share=foreign_share,
        under_represented_quarters=under_represented_quarters([r for r in rows if r.in_scope]),
        under_represented_groups=[] if group_base.hidden else under_represented_groups(groups),
    )


def _whole(value: float | None) -> int | None:
    """A head count as a whole number (figures are stored as floats)."""
    return None if value is None else int(round(value))


def _mix(published: Mapping[str, Figure], expected: Iterable[str]) -> list[MixRow]:
    """The published mix, with a row for each expected value nobody used: "not shown", like
    every figure below k. A visible 0 beside "not shown" would tell that a hidden value was
    used by at least one person ("not shown" stands for none or a few, as in the results)."""
    rows = [MixRow(value, figure) for value, figure in published.items()]
    for value in expected:
        if value not in published:
            rows.append(MixRow(value, Figure(0, hidden=True, share=None)))
    return rows


def _age_groups(published, counts: Counts, figures, k: int, question: QuestionDef | None,
                age_groups: Mapping[str, Sequence[str]], compared_from: list[str],
                perturbation: PerturbationTable) -> tuple[list[GroupRow], Figure, float]:
    """Respondents per age group in the quarters with every age figure, against their residents.

    A group's population share is its residents over the residents of all groups in those
    quarters, so that both sides add up to one even when the age figures and the residents
    figure come from different tables. The respondents of each group, and of all groups (the
    base), are sums over those quarters, each published by the cell key method (its area: the
    respondents of those quarters), so no difference between them and the results pages gives a
    count away. Returns the group rows, their base (respondents who gave their age there) and
    the residents of the groups.
    """
    empty = Figure(0, hidden=True)
    if question is None:
        return [], empty, 0
    result = published.questions[0]
    options = {o for group in age_groups.values() for o in group} & set(result.option_codes)
    compared = [c for c in compared_from if all(g in figures.get(c, {}) for g in age_groups)]
    residents = sum(figures[c][g] for c in compared for g in age_groups)
    if not residents:
        return [], empty, 0
    code = question.code
    area_sum = sum(counts.response_keys.get(c, 0) for c in compared)

    def summed(group_options) -> tuple[int, int]:
        cells = [(code, c, o) for c in compared for o in group_options]
        return (sum(counts.options.get(cell, 0) for cell in cells),
                sum(counts.option_keys.get(cell, 0) for cell in cells))

    members = {name: [o for o in group_options if o in options] for name, group_options in age_groups.items()}
    base = published_sum(*summed(sorted(o for group in members.values() for o in group)), area_sum, k, perturbation)
    rows = []
    for name in age_groups:
        respondents = published_sum(*summed(members[name]), area_sum, k, perturbation)
        if base.hidden:
            respondents = Figure(0, hidden=True)
        if not respondents.hidden and base.count:
            respondents.share = min(1.0, respondents.count / base.count)
        share = sum(figures[c][name] for c in compared) / residents
        ratio = respondents.share / share if respondents.share is not None and share > 0 else None
        rows.append(GroupRow(name, respondents, share, ratio))
    return rows, base, residents


def under_represented_quarters(rows: Sequence[QuarterRow]) -> list[QuarterRow]:
    """Quarters with residents we have heard least, most urgent first (see the module notes).

    Sets each listed row's ``reason``. A hidden count decides nothing but the row's place in
    the first block, which is ordered by population alone.
    """
    few, low = [], []
    for row in rows:
        if not row.population or row.population <= 0:
            continue
        if row.responses.hidden:
            row.reason = FEWER_THAN_K
            few.append(row)
        elif row.ratio is not None and row.ratio < UNDER_REPRESENTED:
            row.reason = LOW
            low.append(row)
    return (sorted(few, key=lambda row: (-row.population, row.code))
            + sorted(low, key=lambda row: (row.rate, -row.population, row.code)))


def under_represented_groups(groups: Sequence[GroupRow]) -> list[GroupRow]:
    """Groups with a share in the population that we have heard least, most urgent first.

    Nobody at all (a zero among k or more respondents who gave their age describes no one, so
    it is shown), then fewer than k (by population share), then a ratio below
    :data:`UNDER_REPRESENTED` (lowest first). Sets each listed row's ``reason``.
    """
    none, few, low = [], [], []
    for row in groups:
        if row.population_share <= 0:
            continue
        if row.respondents.hidden:
            row.reason = FEWER_THAN_K
            few.append(row)
        elif row.respondents.count == 0:
            row.reason = NO_RESPONSES
            none.append(row)
        elif row.ratio is not None and row.ratio < UNDER_REPRESENTED:
            row.reason = LOW
            low.append(row)
    by_share = lambda row: (-row.population_share, row.name)  # noqa: E731
    return (sorted(none, key=by_share) + sorted(few, key=by_share)
            + sorted(low, key=lambda row: (row.ratio, row.name)))
