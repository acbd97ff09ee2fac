"""Languages of the interface and of survey content, and the choice of locale per request.

The locale chain follows SecureDrop: ``?lang=`` → the session → the browser's Accept-Language →
the default. Resident pages narrow the choice to the languages their survey offers
(``offer_languages``), so a resident never sees a page in a language the survey lacks.
"""
from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from flask import current_app, g, request, session
from flask_babel import Babel, get_locale

babel = Babel()


@dataclass(frozen=True)
class Language:
    """A language: its code, its name in its own script, and its writing direction."""

    code: str
    own_name: str
    direction: str = "ltr"


#: Every language the product knows, named in its own script. The interface catalogs shipped in
#: ``translations/`` decide which of them the interface speaks (``ui_languages``).
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in [
        Language("de", "Deutsch"),
        Language("en", "English"),
        Language("tr", "Türkçe"),
        Language("ar", "العربية", "rtl"),
        Language("fa", "فارسی", "rtl"),
        Language("uk", "Українська"),
        Language("ru", "Русский"),
        Language("pl", "Polski"),
        Language("ro", "Română"),
        Language("hr", "Hrvatski"),
        Language("sr", "Srpski"),
        Language("el", "Ελληνικά"),
        Language("it", "Italiano"),
    ]
}

#: Languages with a complete interface catalog in this release (English is the source).
UI_LANGUAGES = ("de", "en", "tr", "ar")


def ui_languages() -> tuple[str, ...]:
    """The interface languages, in the order the language switcher shows them."""
    return tuple(current_app.config.get("UI_LANGUAGES", UI_LANGUAGES))


def offer_languages(codes) -> None:
    """Restrict this request's locale to ``codes`` (a survey's languages), in that order."""
    available = [code for code in codes if code in ui_languages()]
    g.offered_languages = available or list(ui_languages())


def offered_languages() -> list[str]:
    """The languages this request may be shown in."""
    return list(g.get("offered_languages") or ui_languages())


def select_locale() -> str:
    """Pick the locale: ``?lang=``, then the session, then Accept-Language, then the default."""
    offered = offered_languages()
    asked = request.args.get("lang", "")
    if asked in offered:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in offered:
        return remembered
    best = request.accept_languages.best_match(offered)
    if best:
        return best
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in offered else offered[0]


def current_language() -> Language:
    """The ``Language`` of the current request."""
    code = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return LANGUAGES.get(code) or Language(code, Locale.parse(code).get_display_name(code))


def text_direction(code: str) -> str:
    """``rtl`` or ``ltr`` for a language code."""
    known = LANGUAGES.get(code)
    if known:
        return known.direction
    return Locale.parse(code).text_direction == "rtl" and "rtl" or "ltr"


def init_app(app) -> None:
    """Install Flask-Babel and make the language helpers available in templates."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "page_lang": language.code,
            "page_dir": language.direction,
            "LANGUAGES": LANGUAGES,
            "offered_languages": offered_languages,
        }
