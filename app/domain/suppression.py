"""Small-count suppression that cannot be undone by arithmetic.

Primary suppression hides every count from 1 to k − 1 and every cell the caller marks (all
cells of a group smaller than k, zeros included: "nobody here chose X" must not be told of a
group of three). A zero in a group of k or more is shown: it describes no one. Secondary (complementary) suppression then makes
sure that no hidden cell can be recomputed from a published total: for every additive
constraint ``total = part_1 + … + part_n``, the number of hidden cells among the total and its
parts must be zero or at least two. Where exactly one is hidden, the smallest published part is
hidden as well (or the total, when no part is left), and the check repeats until it holds for
every constraint at once.

Constraints are checked in the order given, always the earliest pending one first. Constraints
that share no cell therefore never influence each other, so the cells hidden for one question
are the same whether it is suppressed alone or together with every other question: a page that
shows one question (a cross table) hides exactly what the page with all of them hides.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from typing import Hashable, Iterable, Mapping

Key = Hashable
Constraint = tuple[Key, list[Key]]


def suppress(values: Mapping[Key, int], k: int, constraints: Iterable[Constraint],
             always_hidden: Iterable[Key] = ()) -> set[Key]:
    """The set of cells to hide. Cells missing from ``values`` count as zero.

    ``always_hidden`` are cells hidden whatever their value (e.g. every cell of a small group).
    """
    constraints = [(total, parts if isinstance(parts, list) else list(parts)) for total, parts in constraints if parts]
    hidden: set[Key] = {key for key, value in values.items() if 0 < value < k}
    hidden |= set(always_hidden)
    by_cell: dict[Key, list[int]] = defaultdict(list)
    for index, (total, parts) in enumerate(constraints):
        for cell in (total, *parts):
            by_cell[cell].append(index)
    pending = list(range(len(constraints)))
    queued = set(pending)
    while pending:
        index = heapq.heappop(pending)
        queued.discard(index)
        total, parts = constraints[index]
        cells = [total, *parts]
        if sum(cell in hidden for cell in cells) != 1:
            continue
        candidates = [cell for cell in parts if cell not in hidden] or [total]
        pick = min(candidates, key=lambda cell: (values.get(cell, 0), repr(cell)))
        if pick not in hidden:
            hidden.add(pick)
            for other in by_cell[pick]:
                if other not in queued:
                    queued.add(other)
                    heapq.heappush(pending, other)
    return hidden
