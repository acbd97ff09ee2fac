"""Unique names under a length limit (SPSS variables, Excel sheet titles, …)."""
from __future__ import annotations


def unique_name(base: str, taken: set[str], max_length: int, separator: str) -> str:
    """``base``, or ``base`` cut short with ``<separator><n>`` added, that is not in ``taken``.

    ``taken`` holds names already used, in the case-folded form the caller compares in; the
    new name is added to it in that form.
    """
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        suffix = f"{separator}{number}"
        name = base[:max_length - len(suffix)] + suffix
    taken.add(name.casefold())
    return name
