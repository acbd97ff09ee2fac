"""Consistent perturbation of counts: the cell key method of official statistics.

Thompson, Broadfoot & Elazar (2013, Australian Bureau of Statistics) describe the method;
Giessing & Tent (2019, Destatis) the perturbation tables of Germany's Census 2022; the ONS
package ``cell-key-perturbation`` applies it to England & Wales' Census 2021. Here it works as
the ONS package does, on counts that SQL has already grouped:

- every response gets a random **record key** from 1 to 255 (not 128) when it is stored;
- a cell's **cell key** is the sum of the record keys of the responses it counts, modulo 256
  (sums add up, so a district's key is the sum of its quarters' sums), here plus twice the sum
  of its area's (``cell_key``);
- the **perturbation table** gives, for the cell's true count and its cell key, a small
  deviation that is added to the count.

The same responses always give the same cell key, so a cell has the same published value
wherever it appears and however often it is asked for: asking again averages nothing away.
Two cells that differ by one response have unrelated keys, so their difference is noise.

The table is built from three parameters (``PerturbationParameters``) by the maximum-entropy
approach of the Destatis ``ptable`` package (Giessing 2016): for each true count ``i`` the
deviations ``d`` with ``|d| ≤ D`` are drawn with probabilities proportional to
``exp(a·d + b·d²)``, chosen so that the mean deviation is 0 (no bias) and the variance is ``V``,
and never giving a published count from 1 to ``threshold − 1``. Where no distribution with
mean 0 and variance ``V`` exists on the deviations allowed (the smallest counts), the variance
is left free: the distribution with mean 0 and the largest entropy. Probabilities are rounded to
whole 256ths, one per cell key. Nothing here knows the database.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

#: Cell keys run from 0 to KEY_RANGE − 1 (as in the ONS package).
KEY_RANGE = 256
#: The record keys a response may draw: every key but 0 and 128, the two for which adding one
#: response would leave some cell keys of its area unchanged (see ``cell_key``).
RECORD_KEYS = tuple(key for key in range(1, KEY_RANGE) if key != KEY_RANGE // 2)


def cell_key(cell_sum: int, area_sum: int) -> int:
    """The key of a cell: the record keys of its responses plus twice those of every response of
    its area (city, district or quarter), modulo 256.

    With the area's keys in every cell key, one more response ``r`` in an area moves the key of
    *every* cell of that area — by 3r (the cells it is counted in) or by 2r (the others), neither
    0 modulo 256 for the record keys allowed — so a before-and-after comparison shows fresh noise
    in every cell, not which cells the new response went into. The same responses in the same
    area always give the same key: a cell has the same value wherever and whenever it is asked
    for, until its area changes. (An area's own response count has 3 × its sum as key; 3 is odd,
    so that key still runs through all 256 values.) The price: a cell whose count does not
    change is drawn afresh with every new response of its area, so watching an area over many
    responses lets one average its noise — see docs/privacy-method.md; daily releases of at least
    k answers per quarter (app.results.releases) bound how often an area changes.
    """
    return (cell_sum + 2 * area_sum) % KEY_RANGE


@dataclass(frozen=True)
class PerturbationParameters:
    """What an installation sets: the largest deviation, its variance and the threshold."""

    #: D: no published count differs from the true one by more than this.
    max_deviation: int = 3
    #: V: the variance of the deviation of counts well above the threshold.
    variance: float = 1.0
    #: No published count lies between 1 and ``threshold − 1``: a count is 0 or at least this.
    threshold: int = 3

    def problems(self) -> list[str]:
        """Why these parameters cannot make a table (empty when they can)."""
        found = []
        if self.threshold < 1:
            found.append("threshold must be at least 1")
        if self.max_deviation < self.threshold:
            found.append("max_deviation must be at least the threshold, or counts just above it "
                         "could not be perturbed downwards")
        if not 0 < self.variance < self.max_deviation ** 2:
            found.append("variance must lie between 0 and max_deviation²")
        return found


def allowed_deviations(count: int, parameters: PerturbationParameters) -> list[int]:
    """The deviations a true ``count`` may get: none below 0, none into 1 … threshold − 1."""
    if count == 0:
        return [0]  # an empty cell has no records and no key: it stays 0
    low_blocked = range(1, parameters.threshold)
    return [d for d in range(-parameters.max_deviation, parameters.max_deviation + 1)
            if count + d >= 0 and count + d not in low_blocked]


def _weights(support: list[int], a: float, b: float) -> list[float]:
    exponents = [a * d + b * d * d for d in support]
    top = max(exponents)
    raw = [math.exp(e - top) for e in exponents]
    total = sum(raw)
    return [w / total for w in raw]


def _moments(support: list[int], p: list[float]) -> tuple[float, float, float, float, float]:
    """E[d], E[d²], Var(d), Cov(d, d²), Var(d²)."""
    m1 = sum(pi * d for pi, d in zip(p, support))
    m2 = sum(pi * d * d for pi, d in zip(p, support))
    m3 = sum(pi * d ** 3 for pi, d in zip(p, support))
    m4 = sum(pi * d ** 4 for pi, d in zip(p, support))
    return m1, m2, m2 - m1 * m1, m3 - m1 * m2, m4 - m2 * m2


def _variance_range(support: list[int]) -> tuple[float, float]:
    """The smallest and largest variance of a distribution with mean 0 on ``support``: an LP
    whose optimum lies on at most two points, one on each side of 0 (or on 0 alone)."""
    pairs = [-low * high for low in support if low < 0 for high in support if high > 0]
    smallest = 0.0 if 0 in support else min(pairs)
    return smallest, max(pairs)


def max_entropy(support: list[int], variance: float | None) -> list[float]:
    """Probabilities on ``support`` with mean 0 (and ``variance``, unless None) and the largest
    entropy, by Newton's method on the convex dual."""
    if len(support) == 1:
        return [1.0]
    a = b = 0.0
    for _ in range(200):
        p = _weights(support, a, b)
        m1, m2, var1, cov, var2 = _moments(support, p)
        if variance is None:
            gradient = (m1,)
            step = (-m1 / var1,) if var1 > 0 else (0.0,)
        else:
            gradient = (m1, m2 - variance)
            det = var1 * var2 - cov * cov
            if det <= 1e-15:
                break
            step = ((-var2 * gradient[0] + cov * gradient[1]) / det,
                    (cov * gradient[0] - var1 * gradient[1]) / det)
        if max(abs(g) for g in gradient) < 1e-10:
            return p

        def dual(x: float, y: float) -> float:
            exponents = [x * d + y * d * d for d in support]
            top = max(exponents)
            return top + math.log(sum(math.exp(e - top) for e in exponents)) - y * (variance or 0.0)

        here, scale = dual(a, b), 1.0
        while scale > 1e-9:
            na, nb = a + scale * step[0], b + (scale * step[1] if len(step) > 1 else 0.0)
            if dual(na, nb) <= here + 1e-14:  # rounding: a step this close is a step
                break
            scale /= 2
        a, b = na, nb
    raise ArithmeticError(f"no maximum-entropy distribution on {support} with variance {variance}")


@dataclass(frozen=True)
class Row:
    """The perturbation of one true count: ``deviations[cell_key]`` for every cell key."""

    count: int
    deviations: tuple[int, ...]

    def probabilities(self) -> dict[int, float]:
        """Each deviation's probability as the table gives it (whole 256ths)."""
        share: dict[int, float] = {}
        for d in self.deviations:
            share[d] = share.get(d, 0) + 1 / KEY_RANGE
        return dict(sorted(share.items()))

    def mean(self) -> float:
        return sum(self.deviations) / KEY_RANGE

    def variance(self) -> float:
        mean = self.mean()
        return sum((d - mean) ** 2 for d in self.deviations) / KEY_RANGE


def _quantised(support: list[int], p: list[float]) -> tuple[int, ...]:
    """Deviations by cell key: each takes a run of keys as long as its probability allows,
    in ascending order of deviation, so that neighbouring keys give neighbouring deviations."""
    keys: list[int] = []
    cumulative = 0.0
    for d, pi in zip(support, p):
        cumulative += pi
        end = round(cumulative * KEY_RANGE)
        keys += [d] * (end - len(keys))
    keys += [support[-1]] * (KEY_RANGE - len(keys))
    return tuple(keys[:KEY_RANGE])


@dataclass(frozen=True)
class PerturbationTable:
    """Rows for counts 0 … ``last``; every count above ``last`` uses the row of ``last`` (from
    there on every deviation from −D to D is allowed, so the rows would be equal)."""

    parameters: PerturbationParameters
    rows: tuple[Row, ...]

    @classmethod
    def build(cls, parameters: PerturbationParameters) -> "PerturbationTable":
        problems = parameters.problems()
        if problems:
            raise ValueError("; ".join(problems))
        last = parameters.threshold + parameters.max_deviation
        rows = []
        for count in range(last + 1):
            support = allowed_deviations(count, parameters)
            if len(support) == 1:
                rows.append(Row(count, (support[0],) * KEY_RANGE))
                continue
            smallest, largest = _variance_range(support)
            target = parameters.variance if smallest < parameters.variance < largest else None
            rows.append(Row(count, _quantised(support, max_entropy(support, target))))
        return cls(parameters, tuple(rows))

    @property
    def last(self) -> int:
        return len(self.rows) - 1

    def row(self, count: int) -> Row:
        return self.rows[min(count, self.last)]

    def deviation(self, count: int, cell_key: int) -> int:
        """What the table adds to a true ``count`` with this cell key."""
        if count < 0:
            raise ValueError("a count cannot be negative")
        return self.row(count).deviations[cell_key % KEY_RANGE]

    def publish(self, count: int, key_sum: int) -> int:
        """The published value of a cell: its true count plus the deviation of its cell key."""
        return count + self.deviation(count, key_sum)

    def candidates(self, published: int) -> list[int]:
        """Every true count that the table can turn into ``published``."""
        if published == 0:
            upper = self.parameters.threshold - 1 + self.parameters.max_deviation
        else:
            upper = published + self.parameters.max_deviation
        low = max(0, published - self.parameters.max_deviation)
        return [count for count in range(low, upper + 1)
                if any(count + d == published for d in set(self.row(count).deviations))]

    def ons_rows(self, up_to: int | None = None) -> Iterable[tuple[int, int, int]]:
        """``(pcv, ckey, pvalue)`` rows in the ONS package's file format, counts 1 … ``up_to``."""
        for count in range(1, (up_to or self.last) + 1):
            for key, d in enumerate(self.row(count).deviations):
                yield count, key, d

    @cached_property
    def summary(self) -> dict:
        """The parameters and what the table achieves: for a codebook or a data package."""
        large = self.rows[-1]
        return {
            "method": "cell key method (Thompson, Broadfoot & Elazar 2013; Giessing & Tent 2019)",
            "key_range": KEY_RANGE,
            "max_deviation": self.parameters.max_deviation,
            "variance": self.parameters.variance,
            "threshold": self.parameters.threshold,
            "variance_achieved": round(large.variance(), 4),
            "mean_absolute_deviation": round(sum(abs(d) for d in large.deviations) / KEY_RANGE, 4),
        }
