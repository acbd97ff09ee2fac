"""k-anonymity for response-level data: no combination of quasi-identifiers describes fewer than k.

Quasi-identifiers are the place (district, quarter), the language and channel of a response and
the questions about the person (``respondent: true``). Records in a group smaller than k first
lose their quarter (keeping the district), then their district, then — one at a time — the
other quasi-identifiers. Records that are still in a group smaller than k are left out.

Records with the same quasi-identifiers are always treated alike, so the decision is made once
per *key* (the tuple of quasi-identifier values) from a count of keys: ``decide`` needs memory
for the distinct keys only, however many responses there are, and a second pass over the
responses applies each key's ``Decision``. ``anonymize`` does both on a list of records.
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

#: Values that count as empty: nothing to blank.
EMPTY = (None, "")


@dataclass
class Record:
    """One response as flat columns, and the names of columns that were blanked."""

    values: dict[str, object]
    suppressed: list[str] = field(default_factory=list)


@dataclass
class Anonymized:
    """The records that may be published, and how many were left out."""

    records: list[Record]
    left_out: int


@dataclass(frozen=True)
class Decision:
    """What happens to every record with one key: the columns blanked (set to ``""``), in the
    order they were. One object is shared by all keys that lose the same columns."""

    suppressed: tuple[str, ...]


@dataclass
class Decisions:
    """The decision for every key counted: ``None`` for a key whose records are left out."""

    #: The quasi-identifier columns, in the order of the values of a key.
    columns: list[str]
    by_key: dict[tuple, Decision | None]
    #: How many records (not keys) are left out.
    left_out: int

    def get(self, key: tuple) -> Decision | None:
        """The decision for ``key``; ``None`` when its records are left out or it was never counted."""
        return self.by_key.get(key)

    def published(self) -> dict[str, set[str]]:
        """Every value each column keeps in some published record (as text; empty ones not)."""
        values: dict[str, set[str]] = {column: set() for column in self.columns}
        for key, decision in self.by_key.items():
            if decision is not None:
                for column, value in zip(self.columns, key):
                    if value not in EMPTY and column not in decision.suppressed:
                        values[column].add(str(value))
        return values


def _compact(value):
    """A key's value, text shared with every equal text (keys repeat the same few codes)."""
    return sys.intern(value) if type(value) is str else value


def key_of(values: dict, groups: list[list[str]]) -> tuple:
    """The quasi-identifier key of a record's ``values``: one flat tuple, the groups' columns in order."""
    return tuple(_compact(values.get(column)) for group in groups for column in group)


def decide(counts: Counter, k: int, geography: list[list[str]], others: list[list[str]]) -> Decisions:
    """Blank quasi-identifiers until every group has at least ``k`` records, deciding per key.

    ``counts`` maps each key (``key_of`` with ``geography + others``) to its number of records.
    ``geography`` lists column groups from the finest to the coarsest (``[["quarter_code",
    "quarter_name"], ["district_code", "district_name"]]``); ``others`` lists the other
    quasi-identifier column groups, the first blanked last. A column belongs to one group only.
    Memory: a few references per key, however many records each key stands for.
    """
    groups = geography + others
    columns = [column for group in groups for column in group]
    if len(set(columns)) != len(columns):
        raise ValueError("a column may belong to one group only")
    bounds, start = [], 0
    for group in groups:
        bounds.append((start, start + len(group)))
        start += len(group)
    # Quarter, then district, then the other groups from the last to the first.
    steps = [*range(len(geography)), *reversed(range(len(geography), len(groups)))]
    keys = list(counts)
    current = list(keys)  # each key's values as blanked so far
    blanked: list[tuple[str, ...]] = [()] * len(keys)
    shared: dict[tuple, tuple] = {}

    def small() -> list[int]:
        """The keys (by position) whose records now sit in a group smaller than k."""
        sizes: Counter = Counter()
        for key, now in zip(keys, current):
            sizes[now] += counts[key]
        return [index for index, now in enumerate(current) if sizes[now] < k]

    for step in steps:
        offenders = small()
        if not offenders:
            break
        low, high = bounds[step]
        for index in offenders:
            now = current[index]
            hit = [position for position in range(low, high) if now[position] not in EMPTY]
            if hit:
                current[index] = (*now[:low], *("" if p in hit else now[p] for p in range(low, high)), *now[high:])
                lost = blanked[index] + tuple(columns[position] for position in hit)
                blanked[index] = shared.setdefault(lost, lost)
    leave = set(small())
    decisions: dict[tuple, Decision] = {}
    by_key = {key: None if index in leave else decisions.setdefault(blanked[index], Decision(blanked[index]))
              for index, key in enumerate(keys)}
    return Decisions(columns, by_key, sum(counts[keys[index]] for index in leave))


def anonymize(records: list[Record], k: int, geography: list[list[str]],
              others: list[list[str]]) -> Anonymized:
    """Blank quasi-identifiers until every group has at least ``k`` records (see ``decide``);
    the records kept, changed in place, in their order."""
    groups = geography + others
    keys = [key_of(record.values, groups) for record in records]
    decisions = decide(Counter(keys), k, geography, others)
    kept = []
    for record, key in zip(records, keys):
        decision = decisions.get(key)
        if decision is None:
            continue
        for column in decision.suppressed:
            record.values[column] = ""
            record.suppressed.append(column)
        kept.append(record)
    return Anonymized(kept, decisions.left_out)
