"""Languages of the interface and of survey content, and the choice of locale per request.

The locale chain follows SecureDrop: ``?lang=`` → the session → the browser's Accept-Language →
the default. Resident pages narrow the choice to the languages their survey offers
(``offer_languages``), so a resident never sees a page in a language the survey lacks.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, support
from flask import current_app, g, has_app_context, request, session
from flask_babel import Babel, Domain, force_locale, get_locale

babel = Babel()


@dataclass(frozen=True)
class Language:
    """A language: its code, its name in its own script, and its writing direction.

    ``code`` is a BCP 47 tag: the ``?lang=`` value, the key of survey texts and the page's
    ``lang`` attribute. ``locale`` is the Babel locale that formats its numbers and dates (the
    code itself unless given), ``catalog`` the folder under ``translations/`` that holds its
    interface texts (the locale unless given).
    """

    code: str
    own_name: str
    direction: str = "ltr"
    locale: str = ""
    catalog: str = ""

    @property
    def babel_locale(self) -> str:
        return self.locale or self.code

    @property
    def catalog_folder(self) -> str:
        return self.catalog or self.babel_locale


#: Every language the product knows, named in its own script. The interface catalogs shipped in
#: ``translations/`` decide which of them the interface speaks (``ui_languages``).
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in [
        Language("de", "Deutsch"),
        # Easy German (Leichte Sprache): German numbers and dates, its own catalog. "de-x-ls" is
        # German with a private-use subtag, so screen readers and speech synthesis speak German.
        Language("de-x-ls", "Leichte Sprache", locale="de", catalog="easy/de"),
        Language("en", "English"),
        Language("tr", "Türkçe"),
        Language("ar", "العربية", "rtl"),
        Language("fa", "فارسی", "rtl"),
        Language("uk", "Українська"),
        Language("ru", "Русский"),
        Language("pl", "Polski"),
        Language("ro", "Română"),
        Language("hr", "Hrvatski"),
        Language("sr", "Srpski", locale="sr_Latn"),  # in Latin script
        Language("el", "Ελληνικά"),
        Language("it", "Italiano"),
    ]
}

#: Languages with a complete interface catalog in this release (English is the source).
UI_LANGUAGES = tuple(LANGUAGES)


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


def choose_language() -> str:
    """The language code: ``?lang=``, then the session, then Accept-Language, then the default."""
    offered = offered_languages()
    asked = request.args.get("lang", "")
    if asked in offered:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in offered:
        return remembered
    # Easy German is chosen, never guessed: a browser asking for German gets German.
    best = request.accept_languages.best_match([code for code in offered if code != "de-x-ls"])
    if best:
        return best
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return default if default in offered else offered[0]


def select_locale() -> str:
    """Flask-Babel's locale selector: remember the chosen language, return its Babel locale."""
    g.language_code = choose_language()
    return language_for(g.language_code).babel_locale


def language_for(code: str) -> Language:
    """The ``Language`` of a code (one the product does not list gets Babel's own name for it)."""
    return LANGUAGES.get(code) or Language(code, Locale.parse(code).get_display_name(code))


def current_language() -> Language:
    """The ``Language`` of the current request (or of the block inside ``force_language``)."""
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    code = g.get("language_code") if has_app_context() else None
    if code and language_for(code).babel_locale == locale:
        return language_for(code)
    return next((lang for lang in LANGUAGES.values() if lang.code == locale), None) \
        or next((lang for lang in LANGUAGES.values() if lang.babel_locale == locale), None) \
        or language_for(locale)


def language_code() -> str:
    """The code of the current language: the key of survey texts in this request."""
    return current_language().code


@contextmanager
def force_language(code: str):
    """Speak ``code`` inside the block (interface texts, numbers, dates), then return."""
    language = language_for(code)
    previous = g.get("language_code")
    g.language_code = language.code
    try:
        with force_locale(language.babel_locale):
            yield
    finally:
        g.language_code = previous


class LanguageDomain(Domain):
    """Flask-Babel's message domain, with one catalog per *language* rather than per locale:
    Easy German shares German's locale but has its own catalog (``translations/easy/de``)."""

    def __init__(self, directory: str):
        super().__init__()
        self.directory = Path(directory)
        self.loaded: dict[str, support.NullTranslations] = {}

    def get_translations(self):
        if not has_app_context():
            return support.NullTranslations()
        language = current_language()
        if language.code not in self.loaded:
            path = self.directory / language.catalog_folder / "LC_MESSAGES" / "messages.mo"
            try:
                with path.open("rb") as handle:
                    self.loaded[language.code] = support.Translations(handle)
            except OSError:  # English, the source, has no catalog
                self.loaded[language.code] = support.NullTranslations()
        return self.loaded[language.code]


def text_direction(code: str) -> str:
    """``rtl`` or ``ltr`` for a language code."""
    known = LANGUAGES.get(code)
    if known:
        return known.direction
    return Locale.parse(code).text_direction == "rtl" and "rtl" or "ltr"


def init_app(app) -> None:
    """Install Flask-Babel and make the language helpers available in templates."""
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = LanguageDomain(app.config["BABEL_TRANSLATION_DIRECTORIES"])

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "page_lang": language.code,
            "page_dir": language.direction,
            "LANGUAGES": LANGUAGES,
            "offered_languages": offered_languages,
        }
