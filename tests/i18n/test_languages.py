"""Each language on a page: its own catalog, its own name, its direction, numbers and dates."""
import re
from datetime import date

import pytest
from flask_babel import format_date, format_decimal, gettext

from app.i18n import LANGUAGES, force_language, language_code

PRIVACY_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def heading(client, code):
    page = client.get(f"/privacy?lang={code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return re.search(r"<html[^>]*>", html).group(0), PRIVACY_HEADING.search(html).group(1).strip()


def test_every_language_speaks_its_own_catalog_on_the_privacy_page(client):
    headings = {}
    for code, language in LANGUAGES.items():
        tag, text = heading(client, code)
        assert f'lang="{code}"' in tag and f'dir="{language.direction}"' in tag, code
        headings[code] = text
    # Fourteen languages, fourteen different headings: no catalog falls back to another one.
    assert len(set(headings.values())) == len(LANGUAGES), headings
    assert headings["en"] == "Privacy in plain words"


def test_easy_german_has_its_own_texts_but_german_numbers_and_dates(app):
    with app.test_request_context("/?lang=de-x-ls"):
        with force_language("de-x-ls"):
            easy = gettext("Privacy")
            assert language_code() == "de-x-ls"
            assert format_decimal(1234.5) == "1.234,5"
            assert format_date(date(2026, 3, 1), "long") == "1. März 2026"
        with force_language("de"):
            german = gettext("Privacy")
            assert language_code() == "de"
    assert easy != german and easy and german


def test_a_browser_asking_for_german_gets_german_not_easy_german(client):
    page = client.get("/privacy", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de"' in page.get_data(as_text=True)


@pytest.mark.parametrize("code, number, month", [
    ("de", "1.234,5", "März"), ("en", "1,234.5", "March"), ("tr", "1.234,5", "Mart"),
    ("ar", "1,234.5", "مارس"), ("fa", "1,234.5", "مارس"), ("uk", "1 234,5", "березня"),
    ("ru", "1 234,5", "марта"), ("pl", "1 234,5", "marca"), ("ro", "1.234,5", "martie"),
    ("hr", "1.234,5", "ožujka"), ("sr", "1.234,5", "mart"), ("el", "1.234,5", "Μαρτίου"),
    ("it", "1.234,5", "marzo"),
])
def test_numbers_and_dates_follow_each_language(app, code, number, month):
    with app.test_request_context("/"):
        with force_language(code):
            assert format_decimal(1234.5).replace("\u00a0", " ").replace("\u202f", " ") == number
            assert month in format_date(date(2026, 3, 1), "long")
