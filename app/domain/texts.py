"""Translated survey content: a text is a mapping ``{language: text}``."""
from __future__ import annotations

from typing import Mapping


def localized(texts: Mapping[str, str] | None, language: str, fallback: str) -> str:
    """The text in ``language``, else in ``fallback``, else in any language, else ``""``."""
    if not texts:
        return ""
    for code in (language, fallback):
        value = texts.get(code)
        if value:
            return value
    return next((value for value in texts.values() if value), "")
