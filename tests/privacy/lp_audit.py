"""A linear-programming attacker: what do all published figures of a survey, and every sum that
holds between the true counts behind them, allow about each true count?

Each cell is a variable (its true count, at least 0). A shown figure ``v`` bounds its cell to
the counts the perturbation table can turn into ``v``; a figure not shown because it was small
(its group shown, itself published below k) to 0 … k − 1 + D; a figure not shown
because its whole group was small to anything. Every identity (a district is its quarters, a
question's base is its options, the whole is its groups) is an equation. For each cell, HiGHS
finds the smallest and the largest value the attacker cannot rule out.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from app.domain.cellkey import PerturbationTable

Key = Hashable
SMALL = "small"  # not shown: published below k (zero included)
GROUP = "group"  # not shown: its group (question in an area) was small


def feasible_intervals(published: Mapping[Key, int | str], identities: Iterable[tuple[Key, list[Key]]],
                       table: PerturbationTable, k: int, at_most: Iterable[tuple[Key, Key]] = (),
                       targets: Iterable[Key] | None = None) -> dict[Key, tuple[float, float]]:
    """``published``: cell → its shown value, or SMALL or GROUP. ``identities``:
    (total, parts) that hold between true counts; ``at_most``: (smaller, larger) pairs (an
    option's count is at most its question's, that at most the area's responses). Returns
    cell → (smallest, largest) feasible true count."""
    keys = list(published)
    index = {key: i for i, key in enumerate(keys)}
    identities = [(total, parts) for total, parts in identities
                  if total in index and all(p in index for p in parts)]
    equations = lil_matrix((len(identities), len(keys)))
    for row, (total, parts) in enumerate(identities):
        equations[row, index[total]] = 1
        for part in parts:
            equations[row, index[part]] -= 1
    equations = equations.tocsr()
    pairs = [(a, b) for a, b in at_most if a in index and b in index]
    inequalities = lil_matrix((max(len(pairs), 1), len(keys)))
    for row, (smaller, larger) in enumerate(pairs):
        inequalities[row, index[smaller]] = 1
        inequalities[row, index[larger]] = -1
    inequalities = inequalities.tocsr()
    limits = np.zeros(max(len(pairs), 1))
    d = table.parameters.max_deviation
    bounds = []
    for key in keys:
        value = published[key]
        if value == SMALL:
            bounds.append((0, k - 1 + d))
        elif value == GROUP:
            bounds.append((0, None))
        else:
            candidates = table.candidates(value)
            bounds.append((min(candidates), max(candidates)))
    zeros = np.zeros(len(identities))
    found = {}
    for key in (keys if targets is None else targets):
        objective = np.zeros(len(keys))
        objective[index[key]] = 1
        low = linprog(objective, A_ub=inequalities, b_ub=limits, A_eq=equations, b_eq=zeros, bounds=bounds,
                      method="highs")
        high = linprog(-objective, A_ub=inequalities, b_ub=limits, A_eq=equations, b_eq=zeros, bounds=bounds,
                       method="highs")
        assert low.status == 0 and high.status in (0, 3), (key, low.message, high.message)
        found[key] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return found
