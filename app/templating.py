"""Template helpers shared by every blueprint: labels of fixed things, number and date formats."""
from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

from flask import Flask
from flask_babel import format_date, format_decimal, format_percent
from markupsafe import Markup

from app.domain.definition import PICTOGRAMS
from app.labels import (
    CHANNEL_LABELS,
    FIXED_OPTION_LABELS,
    PLACE_KIND_LABELS,
    PLACEMENT_MODE_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)


def format_date_or_dash(value) -> str:
    """A date in the page's language, or a dash."""
    return format_date(value) if value else "–"


def format_share(value) -> str:
    """A share (0–1) as a percentage in the page's language, e.g. ``42 %``."""
    return format_percent(value, format="#,##0 %") if value is not None else ""


def format_stat(value) -> str:
    """A mean or median with one decimal in the page's language."""
    return format_decimal(value, format="#,##0.0") if value is not None else ""


STATIC = Path(__file__).resolve().parent / "static"


@cache
def stylesheet() -> Markup:
    """The one stylesheet (``static/style.css``), inlined into the head of every page: on a slow
    mobile line each round trip costs about 400 ms, and a linked stylesheet adds one before the
    first paint — and, to be revalidated, one on every next question. Compressed with the page
    it costs about 2.5 KB."""
    text = (STATIC / "style.css").read_text(encoding="utf-8").strip()
    if "</" in text:
        raise ValueError("style.css must not contain '</': it is inlined in a <style> element")
    return Markup(text)


def stylesheet_source() -> str:
    """The Content-Security-Policy source that allows exactly the inlined stylesheet."""
    digest = hashlib.sha256(str(stylesheet()).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@cache
def pictogram(name: str) -> Markup:
    """A shipped pictogram as inline SVG (no extra request on a slow line), or nothing.

    The SVG is ``aria-hidden``: the option's label right beside it is its text alternative, so a
    screen reader reads the answer once, not twice.
    """
    if name not in PICTOGRAMS:
        return Markup("")
    path = STATIC / "pictograms" / f"{name}.svg"
    return Markup(path.read_text(encoding="utf-8").strip())


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters.update(format_date_or_dash=format_date_or_dash, format_number=format_decimal,
                                 format_share=format_share, format_stat=format_stat)
    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, PLACE_KIND_LABELS=PLACE_KIND_LABELS,
                                 CHANNEL_LABELS=CHANNEL_LABELS, ROLE_LABELS=ROLE_LABELS,
                                 PLACEMENT_MODE_LABELS=PLACEMENT_MODE_LABELS,
                                 FIXED_OPTION_LABELS=FIXED_OPTION_LABELS, pictogram=pictogram,
                                 stylesheet=stylesheet)
