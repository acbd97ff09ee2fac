"""k-anonymity for response-level data: no combination of quasi-identifiers describes fewer than k.

Quasi-identifiers are the place (district, quarter), the language and channel of a response and
the questions about the person (``respondent: true``). Records in a group smaller than k first
lose their quarter (keeping the district), then their district, then — one at a time — the
other quasi-identifiers. Records that are still in a group smaller than k are left out.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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


def _key(record: Record, groups: list[list[str]]) -> tuple:
    return tuple(tuple(record.values.get(column) for column in group) for group in groups)


def anonymize(records: list[Record], k: int, geography: list[list[str]],
              others: list[list[str]]) -> Anonymized:
    """Blank quasi-identifiers until every group has at least ``k`` records.

    ``geography`` lists column groups from the finest to the coarsest (``[["quarter_code",
    "quarter_name"], ["district_code", "district_name"]]``); ``others`` lists the other
    quasi-identifier column groups, the first blanked last.
    """
    groups = geography + others
    steps = list(geography) + list(reversed(others))

    def small(current: list[Record]) -> list[Record]:
        sizes = Counter(_key(r, groups) for r in current)
        return [r for r in current if sizes[_key(r, groups)] < k]

    for step in steps:
        offenders = small(records)
        if not offenders:
            break
        for record in offenders:
            for column in step:
                if record.values.get(column) not in (None, ""):
                    record.values[column] = ""
                    record.suppressed.append(column)
    offenders = {id(r) for r in small(records)}
    kept = [r for r in records if id(r) not in offenders]
    return Anonymized(kept, len(records) - len(kept))
