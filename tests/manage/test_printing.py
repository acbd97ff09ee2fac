"""Print-ready PDFs: the poster, the flyer sheet and the paper questionnaire, read back with
poppler (pdftotext, pdftoppm) and zbar (zbarimg) as a person and a phone would read them."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from flask_babel import gettext
from PIL import Image

from app.i18n import force_language
from app.manage import printing
from app.manage.views import placement_url
from app.models.places import display_token
from app.models.surveys import scope_quarters, version_definition
from tests.conftest import app_with_tables, seed_survey_at_place

CALL = ("Your opinion counts. Scan the code with your phone camera and answer in a few minutes, "
        "without your name.")
#: Bidi controls that pdftotext puts around right-to-left runs.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Points of an A4 page's width.
A4_WIDTH_PT = 595
#: The module shares PDFs rendered once (the ``printed`` fixture): its tests run on one worker.
pytestmark = pytest.mark.xdist_group("printing")


@pytest.fixture(autouse=True)
def poppler_and_zbar():
    for tool in ("pdftotext", "pdftoppm", "zbarimg"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils zbar-tools"


@pytest.fixture
def url(app, placement):
    """The placement's URL on a realistic public host."""
    app.config["PUBLIC_BASE_URL"] = "https://beteiligung.example.org"
    with app.test_request_context():
        return placement_url(placement)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The PDFs most tests read, rendered once for the module from a placement of its own (the
    tests only read them): posters and flyer sheets in the default languages and in ``FOUR``,
    the German and the Arabic paper form; with what the tests compare them to."""
    folder = tmp_path_factory.mktemp("printed")
    with app_with_tables(PUBLIC_BASE_URL="https://beteiligung.example.org") as app:
        placement = seed_survey_at_place()
        with app.test_request_context():
            url = placement_url(placement)
        survey = placement.survey
        quarters = scope_quarters(survey)
        return SimpleNamespace(
            url=url, token=placement.token, title=dict(survey.current_version.title),
            definition=version_definition(survey.current_version),
            poster=write(printing.poster_pdf(placement, url), folder, "poster.pdf"),
            poster_four=write(printing.poster_pdf(placement, url, FOUR), folder, "poster-four.pdf"),
            flyers=write(printing.flyers_pdf(placement, url), folder, "flyers.pdf"),
            flyers_four=write(printing.flyers_pdf(placement, url, FOUR), folder, "flyers-four.pdf"),
            form_de=write(printing.paper_form_pdf(survey.current_version, "de", quarters), folder, "form-de.pdf"),
            form_ar=write(printing.paper_form_pdf(survey.current_version, "ar", quarters), folder, "form-ar.pdf"))


def write(pdf: bytes, tmp_path, name="out.pdf"):
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def pdf_text(path, *args) -> str:
    """The text of a PDF in reading order, whitespace and bidi controls flattened."""
    text = subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(BIDI_CONTROLS.sub("", text).split())


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_png(path, tmp_path, page=1, dpi=150):
    """Page ``page`` as a PNG at ``dpi``."""
    stem = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(path), str(stem)], check=True)
    return stem.with_suffix(".png")


def decoded_codes(png) -> list[str]:
    """What a phone reads from the QR codes in ``png``: one entry per code."""
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    return result.stdout.split()


def words(path, page=1) -> list[tuple[str, float, float, float, float]]:
    """The words of a page with their boxes (points): ``(text, x_min, y_min, x_max, y_max)``."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    root = ElementTree.fromstring(xml)
    return [(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in root.iter("{http://www.w3.org/1999/xhtml}word")]


def arabic_words(text: str, times: int = 1) -> Counter:
    """The Arabic words of ``text`` (letters only), each counted ``times``: pdftotext may move
    punctuation and vowel marks and change the order of words at the breaks of right-to-left
    lines, but it keeps the words."""
    found = Counter(re.findall("[\u0621-\u064a]+", text))
    return Counter({word: count * times for word, count in found.items()})


def has_arabic(text: str, sentence: str, times: int = 1) -> bool:
    """Whether every Arabic word of ``sentence`` is in ``text`` (``times`` over)."""
    wanted = arabic_words(sentence, times)
    return bool(wanted) and wanted <= arabic_words(text)


def calls(language: str) -> tuple[str, str]:
    with force_language(language):
        return gettext(CALL), gettext("No camera? Type this address:")


# --- poster ------------------------------------------------------------------------------------

FOUR = ["de", "en", "tr", "ar"]


def test_poster_types_the_short_url_and_calls_in_every_language(app, printed):
    path = printed.poster_four
    text = pdf_text(path)
    assert page_count(path) == 1
    short = printed.url.rsplit("/", 1)[0] + "/" + display_token(printed.token)
    assert short == "https://beteiligung.example.org/" + printed.token[:5] + "-" + printed.token[5:]
    assert short in text
    assert printed.title["de"] in text
    for language in ("de", "en", "tr"):
        call, typed = calls(language)
        assert call != CALL or language == "en"
        assert " ".join(call.split()) in text, language
        assert typed in text, language
    assert has_arabic(text, calls("ar")[0])
    assert has_arabic(text, printed.title["ar"])
    assert "Stadtteilhaus" in text and "Nordbahnhof" in text


def test_poster_qr_code_decodes_to_the_placement_url(printed, tmp_path):
    assert decoded_codes(page_png(printed.poster, tmp_path)) == [printed.url]


def test_poster_qr_code_is_at_least_nine_centimetres_wide(printed, tmp_path):
    path = printed.poster
    dpi = 150
    image = Image.open(page_png(path, tmp_path, dpi=dpi)).convert("L")
    # The code stands between the call under the title and the "No camera?" line.
    boxes = words(path)
    lead_bottom = max(w[4] for w in boxes if w[0] == "Namen.")
    typed_top = min(w[2] for w in boxes if w[0] == "Kamera?")
    scale = dpi / 72
    band = image.crop((0, int(lead_bottom * scale) + 2, image.width, int(typed_top * scale) - 2))
    dark = band.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert dark is not None
    width_cm = (dark[2] - dark[0]) / dpi * 2.54
    assert width_cm >= 8.9, width_cm  # 9 cm of modules, less a pixel of rounding
    assert width_cm < 13


def test_poster_without_a_translation_keeps_the_title_and_skips_the_call(app, placement, url, tmp_path):
    survey = placement.survey
    survey.languages = [*survey.languages, "fa"]
    version = survey.current_version
    version.title = {**version.title, "fa": "محله شما چه نیاز دارد"}
    path = write(printing.poster_pdf(placement, url), tmp_path)
    text = pdf_text(path)
    assert "نیاز" in text
    assert text.count(" ".join(CALL.split())) == 1  # English once, not as Farsi's stand-in


def test_the_coordinator_picks_the_printed_languages_default_first_and_at_most_the_limit(placement):
    survey = placement.survey
    assert len(survey.languages) == 14
    assert printing.print_languages(survey, ["ar", "tr"], 6) == ["de", "tr", "ar"]
    assert printing.print_languages(survey, [], 4) == survey.languages[:4]
    assert printing.print_languages(survey, survey.languages, 6) == survey.languages[:6]
    assert printing.print_languages(survey, ["xx"], 4) == survey.languages[:4]


@pytest.mark.parametrize("kind, languages", [
    ("poster", ["de", "de-x-ls", "ru", "ro", "el", "fa"]),  # the longest calls, six of them
    ("flyers", ["de", "de-x-ls", "ro", "el"]),
])
def test_the_longest_languages_at_the_limit_still_fit_one_page(app, placement, url, tmp_path, kind, languages):
    render = printing.poster_pdf if kind == "poster" else printing.flyers_pdf
    path = write(render(placement, url, languages), tmp_path)
    assert page_count(path) == 1
    text = " ".join(pdf_text(path).split())
    for language in ("de-x-ls", "ro", "el"):
        assert " ".join(calls(language)[0].split())[:40] in text, language


# --- flyers ------------------------------------------------------------------------------------

def test_flyer_sheet_has_four_flyers_each_with_a_readable_code(app, printed, tmp_path):
    path = printed.flyers_four
    assert page_count(path) == 1
    assert decoded_codes(page_png(path, tmp_path)) == [printed.url] * 4
    text = pdf_text(path)
    short = printed.url.rsplit("/", 1)[0] + "/" + display_token(printed.token)
    assert text.count(short) == 4
    assert text.count(printed.title["de"]) == 4
    for language in ("de", "en", "tr"):
        assert text.count(" ".join(calls(language)[0].split())) == 4, language
    assert has_arabic(text, calls("ar")[0], times=4)


def test_each_flyer_sits_in_its_own_quarter_of_the_sheet(printed):
    titles = [w for w in words(printed.flyers) if w[0] == "Quartier?"]
    assert len(titles) == 4
    quadrants = {(w[1] > A4_WIDTH_PT / 2, w[2] > 842 / 2) for w in titles}
    assert len(quadrants) == 4


# --- paper form --------------------------------------------------------------------------------

def test_paper_form_shows_every_question_code_and_its_german_texts(printed):
    path = printed.form_de
    pages = page_count(path)
    assert pages >= 1
    text = pdf_text(path)
    definition = printed.definition
    for question in definition.questions:
        assert f"[{question.code}]" in text
    # The codes float beside the labels: take them out before reading the labels.
    labels_text = " ".join(re.sub(r"\[[a-z0-9_]+\]", " ", text).split())
    all_words = set(labels_text.split())
    for number, question in enumerate(definition.questions, start=1):
        assert f"{number}. {question.label['de']}" in labels_text, question.code
        for option in question.options:
            # An option wrapped in a column may come out in two pieces: its start, then the rest.
            label = option.label["de"].split()
            assert "☐ " + " ".join(label[:3]) in labels_text, (question.code, option.code)
            assert set(label) <= all_words, (question.code, option.code)
    top_needs = definition.question("top_needs")
    assert f"Wählen Sie höchstens {top_needs.settings['max_picks']} Antworten." in text
    assert "Sie können mehrere Antworten wählen." in text
    assert "Bitte wählen Sie nur eine Antwort." in text
    assert re.search(r"☐ ?1 ☐ ?2 ☐ ?3 ☐ ?4 ☐ ?5", text)
    assert "Gar nicht gern" in text and "Sehr gern" in text
    assert "☐ Ja ☐ Nein" in text
    assert "Pflichtfrage" in text
    assert "Sie antworten anonym." in text


def test_paper_form_lists_the_quarters_by_district_and_the_fixed_answers(printed):
    path = printed.form_de
    text = pdf_text(path)
    assert "Nord ☐ Am Bismarckturm" in text
    assert "☐ Nordbahnhof" in text
    assert "Bad Cannstatt ☐ Altenburg" in text
    assert len(re.findall(r"☐ Zuffenhausen-", text)) >= 5
    assert "☐ Woanders" in text and "☐ Das möchte ich nicht sagen" in text


def test_paper_form_numbers_its_pages(printed):
    path = printed.form_de
    pages = page_count(path)
    for page in range(1, pages + 1):
        footer = pdf_text(path, "-f", str(page), "-l", str(page))
        assert re.search(rf"(?<!\d){page} ?/ ?{pages}(?!\d)", footer), page


def test_arabic_paper_form_reads_right_to_left(app, printed):
    path = printed.form_ar
    assert page_count(path) >= 1
    text = pdf_text(path)
    definition = printed.definition
    assert has_arabic(text, definition.question("meeting_places").label["ar"])
    # A glyph carries one meaning in a PDF's text layer, so pdftotext misreads a few Arabic
    # words whose letters share a glyph with another word: most words, not all, come back.
    wanted = sum((arabic_words(q.label["ar"]) for q in definition.questions), Counter())
    found = wanted & arabic_words(text)
    assert sum(found.values()) >= 0.85 * sum(wanted.values())
    with force_language("ar"):
        one_answer = gettext("Please choose only one answer.")
    assert " ".join(one_answer.split()[2:5]) in text  # three words without punctuation
    assert "مكان آخر" in text  # "Somewhere else"
    # The question's code sits at the end of the line: on the left in Arabic, on the right in German.
    code = "[home_quarter]"
    arabic = next(w for w in words(path) if w[0] == code)
    german = next(w for w in words(printed.form_de) if w[0] == code)
    assert arabic[3] < A4_WIDTH_PT / 2 < german[1]
