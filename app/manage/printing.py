"""Print-ready PDFs for coordinators: the A4 poster, a sheet of four A6 flyers and the paper
questionnaire, rendered with WeasyPrint from the templates in ``templates/print/``.

The functions need an app context, not a request. Interface words go through gettext in the
language of each block (``force_language``); survey content through ``localized``. Fonts are
local, never fetched: DejaVu Sans for every script, and for Arabic and Farsi text Amiri (Debian
package ``fonts-hosny-amiri``) when installed — DejaVu Sans covers the Arabic script too, so the
PDFs render without it, only plainer.
"""
from __future__ import annotations

import re
import unicodedata

from flask import current_app, render_template
from flask_babel import gettext

from app.domain import qr
from app.domain.texts import localized
from app.i18n import force_language, text_direction, ui_languages
from app.models.places import display_token
from app.models.surveys import version_definition

#: Width of the dark part of the poster's QR code (without its quiet zone), in centimetres.
POSTER_QR_CM = 9.0
#: The same on each A6 flyer: readable from a hand's length.
FLYER_QR_CM = 5.0
#: Room for the typed URL on one line (mm) and its largest size (pt): poster, flyer.
POSTER_URL = (180, 26)
FLYER_URL = (86, 12)
#: Advance width of DejaVu Sans Mono, in em: the typed URL's width is its length times this.
MONO_ADVANCE = 0.602
#: Options of a choice question from which the paper form sets them in two columns.
TWO_COLUMNS_FROM = 7


#: Most languages a poster and a flyer carry: a survey in fourteen languages would crowd them,
#: so the coordinator picks the ones spoken around the meeting place.
POSTER_LANGUAGES = 6
FLYER_LANGUAGES = 4


def print_languages(survey, asked: list[str], limit: int) -> list[str]:
    """The languages a poster or a flyer carries: those ``asked`` that the survey offers, at most
    ``limit``, the survey's default language always first; without a choice the first ones of
    the survey's list."""
    default = survey.default_language
    offered = [default] + [code for code in survey.languages if code != default]
    chosen = [code for code in offered if code in asked] or offered
    if default not in chosen:
        chosen = [default] + chosen
    return chosen[:limit]


def poster_pdf(placement, url: str, languages: list[str] | None = None) -> bytes:
    """An A4 poster of ``placement``: the survey title, a QR code of ``url`` at least 9 cm wide,
    the short URL typed out, the call to answer in the chosen languages (``print_languages``),
    and the meeting place at the foot."""
    languages = print_languages(placement.survey, languages or [], POSTER_LANGUAGES)
    return _render_pdf("print/poster.html", **_invitation(placement, url, POSTER_QR_CM, POSTER_URL, languages))


def flyers_pdf(placement, url: str, languages: list[str] | None = None) -> bytes:
    """One A4 sheet with four A6 flyers of ``placement`` (2 × 2, dashed cut lines), each with the
    title, the QR code of ``url``, the short URL and a compact call in the chosen languages."""
    languages = print_languages(placement.survey, languages or [], FLYER_LANGUAGES)
    return _render_pdf("print/flyers.html", **_invitation(placement, url, FLYER_QR_CM, FLYER_URL, languages))


def paper_form_pdf(version, language: str, quarters) -> bytes:
    """A printable questionnaire of ``version`` in ``language``, for people who answer on paper.

    Every question shows its code (``[top_needs]``) so that staff can type the answers in later;
    choices get tick boxes, scales their end labels, numbers and texts boxes and lines. The
    quarter question lists ``quarters`` (``Quarter`` objects) by district. Texts missing in
    ``language`` fall back to the survey's default language; interface words fall back to English
    where the interface has no catalog for ``language``. The foot of each page carries its
    number (``2 / 4``, in no language) and the form's code (``quarter-needs · v1 · de``).
    """
    definition = version_definition(version)
    fallback = definition.default_language

    def t(texts) -> str:
        return localized(texts, language, fallback)

    form_code = _css_string(f"{definition.code} · v{version.number} · {language}")
    return _render_pdf(
        "print/paper_form.html", lang=language, dir=text_direction(language), t=t,
        definition=definition, version=version, districts=_quarters_by_district(quarters),
        form_code=form_code, two_columns_from=TWO_COLUMNS_FROM)


def typed_url(placement, url: str) -> str:
    """``url`` as people type it from paper: the token in two groups, ``https://host/ab3k7-mxqp2``."""
    base, _, last = url.rpartition("/")
    return f"{base}/{display_token(placement.token)}" if last == placement.token else url


def _invitation(placement, url: str, qr_cm: float, url_room: tuple[int, int], languages: list[str]) -> dict:
    """What a poster and a flyer show: texts in every language, the QR code and its size, and
    the typed URL with a font size that keeps it on one line."""
    survey = placement.survey
    version = survey.current_version
    default = survey.default_language
    calls = []
    for code in languages:
        call = {"lang": code, "dir": text_direction(code),
                "title": localized(version.title, code, default), "call": "", "typed": ""}
        if code in ui_languages():  # no catalog, no call: an English sentence would mislead
            with force_language(code):
                call["call"] = gettext("Your opinion counts. Scan the code with your phone camera and "
                                       "answer in a few minutes, without your name.")
                call["typed"] = gettext("No camera? Type this address:")
        calls.append(call)
    svg, size_cm = _qr_svg(url, qr_cm)
    short = typed_url(placement, url)
    width_mm, max_pt = url_room
    url_pt = min(max_pt, width_mm * 72 / 25.4 / (MONO_ADVANCE * len(short)))
    place = placement.meeting_place
    return {"lang": default, "dir": text_direction(default), "title": calls[0]["title"],
            "calls": calls, "short_url": short, "url_size": f"{url_pt:.1f}pt",
            "qr_svg": svg, "qr_size": f"{size_cm:.2f}cm", "place_name": place.name,
            "quarter_name": place.quarter.name}


def _qr_svg(url: str, dark_cm: float) -> tuple[str, float]:
    """The SVG QR code of ``url`` and its printed width in cm, quiet zone included, such that
    the modules themselves span ``dark_cm``."""
    svg = re.sub(r'\sid="[^"]*"', "", qr.svg(url))  # four copies on a sheet: no duplicate ids
    total = int(float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1)))
    return svg, dark_cm * total / (total - 2 * qr.QUIET_ZONE)


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return f'"{escaped}"'


def _sort_key(name: str) -> str:
    """Alphabetical order as German readers expect it: ``Süd`` before ``Untertürkheim``."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _quarters_by_district(quarters) -> list[tuple[str, list[str]]]:
    """Quarter names grouped by district, both in alphabetical order (as the web form has them)."""
    groups: dict[str, list[str]] = {}
    for quarter in quarters:
        groups.setdefault(quarter.district.name, []).append(quarter.name)
    return [(district, sorted(names, key=_sort_key))
            for district, names in sorted(groups.items(), key=lambda item: _sort_key(item[0]))]


def _render_pdf(template: str, **context) -> bytes:
    """Render ``template`` in the language ``context["lang"]`` and print it to PDF bytes."""
    # Imported here: WeasyPrint takes a second to load and only printing needs it.
    import weasyprint

    with force_language(context["lang"]):
        html = render_template(template, **context)
    return weasyprint.HTML(string=html, base_url=current_app.root_path).write_pdf()
