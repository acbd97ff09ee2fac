"""Interface catalogs: complete, no fuzzy entries, placeholders as in the source, template current."""
import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.i18n import LANGUAGES, UI_LANGUAGES

CATALOG_LANGUAGES = [code for code in UI_LANGUAGES if code != "en"]  # English is the source
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(language):
    folder = LANGUAGES[language].catalog_folder
    with open(PROJECT_ROOT / "translations" / folder / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_is_complete_without_fuzzy_entries(language):
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_source(language):
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            if message.pluralizable:  # a plural form may write the count in words ("one answer")
                assert found <= expected and expected - {"num", "count"} <= found, (message.id, text)
            else:
                assert found == expected, (message.id, text)


def test_the_catalog_template_is_current(tmp_path):
    """A string added to the code without `flask translate extract` fails here."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_ngettext:1,2", "--omit-header", "--sort-by-file",
                    "-o", str(tmp_path / "new.pot"), "."], cwd=PROJECT_ROOT, check=True)
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("#:")]  # noqa: E731
    current = (PROJECT_ROOT / "translations" / "messages.pot").read_text(encoding="utf-8")
    assert strip((tmp_path / "new.pot").read_text(encoding="utf-8")) == strip(current)


def test_every_language_of_the_product_ships_an_interface_catalog():
    """Thirteen languages besides English, the source; Easy German among them."""
    assert len(CATALOG_LANGUAGES) == 13 and "de-x-ls" in CATALOG_LANGUAGES
    for code in CATALOG_LANGUAGES:
        assert len(catalog(code)) > 600, code
