"""Residents' free text is shown as text everywhere: staff pages, the public page, every export,
the PDFs. Residents type script and markup payloads through the real form; every page and file
that could show them is read back."""
import csv
import io
import json
import re
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.db import db
from app.manage import operations
from app.models import Answer, Quarter
from tests.conftest import hidden_fields
from tests.test_access import PUBLIC, concrete_urls

SCRIPT = "<script>alert('qs')</script>"
IMAGE = '"><img src=x onerror=alert(2)>'
TEMPLATE = "{{ 7*7 }}"
FORMULA = '=HYPERLINK("http://evil.example","Klick")'

#: What an unescaped payload would leave in HTML.
RAW = ("<script>alert", "<img src=x", "onerror=alert(2)>")


@pytest.fixture
def payloads(app, placement, all_on_one_page):
    """Six residents of Nordbahnhof (126) who typed payloads into every free-text place of the
    needs survey: the two text questions and the fields beside three "other" options."""
    texts = [SCRIPT, IMAGE, TEMPLATE, FORMULA, SCRIPT + IMAGE, f"{TEMPLATE} {SCRIPT}"]
    for text in texts:
        phone = app.test_client()  # each resident on their own phone
        fields = hidden_fields(phone.get(f"/{placement.token}").get_data(as_text=True))
        page = phone.post(f"/{placement.token}", data={**fields,
            "q_home_quarter": "126", "q_living_satisfaction": "3",
            "q_change_wishes": text, "q_other_need": text,
            "q_meeting_places": "other", "q_meeting_places-other": text,
            "q_easier_to_take_part": "other", "q_easier_to_take_part-other": text,
            "q_housing_problems": "other", "q_housing_problems-other": text})
        assert page.status_code == 302, page.get_data(as_text=True)[:400]
    stored = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.text.in_(texts)))
    assert stored == 6 * 5  # every payload arrived in every free-text place, unchanged
    return texts


def test_no_staff_or_public_page_shows_a_payload_as_markup(app, login, placement, payloads):
    client = login("admin")
    code = placement.survey.code
    extra = [f"/results/{code}/texts/{q}" for q in ("change_wishes", "other_need", "meeting_places",
                                                     "easier_to_take_part", "housing_problems")]
    extra += [f"/results/{code}/texts", f"/results/{code}/categories", f"/manage/surveys/{code}",
              f"/r/{placement.survey.consultation.code}", f"/r/{placement.survey.consultation.code}/126"]
    urls = [url for endpoint, url, method in concrete_urls(app, placement)
            if method == "GET" and endpoint not in PUBLIC | {"respond.answer_survey"}] + extra
    html_pages, escaped_seen = 0, 0
    for url in urls:
        page = client.get(url)
        if page.mimetype != "text/html":
            continue
        html_pages += 1
        body = page.get_data(as_text=True)
        for raw in RAW:
            assert raw not in body, (url, raw)
        assert "49" not in re.findall(r"answer-text[^>]*>([^<]*)", body), url  # never rendered as a template
        escaped_seen += "&lt;script&gt;alert(" in body
    assert html_pages >= 30
    # The lists do show the texts — as text: five text places on their pages, and the overview.
    assert escaped_seen >= 5


def test_every_export_carries_the_payload_as_inert_text(login, placement, payloads):
    client = login("planner")
    code = placement.survey.code
    # CSV: the literal text; a formula is defused with a leading apostrophe.
    for dialect, delimiter in (("csv", ","), ("csv-de", ";")):
        page = client.get(f"/results/{code}/responses.csv?dialect={dialect}")
        assert page.mimetype == "text/csv" and page.headers["Content-Disposition"].startswith("attachment")
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        rows = list(csv.DictReader(io.StringIO(page.get_data(as_text=True).lstrip("\ufeff")), delimiter=delimiter))
        wishes = sorted(row["change_wishes"] for row in rows)
        assert wishes == sorted(["'" + FORMULA if text == FORMULA else text for text in payloads]), dialect
        assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row.values() if cell)
    # XLSX: every cell is a string, never a formula.
    book = load_workbook(io.BytesIO(client.get(f"/results/{code}/export.xlsx").data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert SCRIPT in values and IMAGE in values and TEMPLATE in values
    # JSON: the text round-trips exactly; the file is served as JSON, not as a page.
    page = client.get(f"/results/{code}/export.json")
    assert page.mimetype == "application/json"
    assert page.headers["Content-Disposition"].startswith("attachment")
    assert SCRIPT in json.dumps(json.loads(page.data), ensure_ascii=False)
    # Data package: the CSV inside is defused like the download.
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/results/{code}/export.zip").data))
    inside = "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".csv"))
    assert SCRIPT in inside and "'" + FORMULA.replace('"', '""') in inside


def pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_pdfs_print_markup_as_text_and_carry_no_resident_answers(app, login, stuttgart, placement, payloads,
                                                                     tmp_path):
    """No printed file carries residents' answers; text a coordinator typed with markup in it (a
    meeting place's name) is printed literally, as text, not interpreted by the PDF renderer."""
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == "126"))
    place = operations.create_meeting_place("Café <b>Eck</b> <script>x()</script>", "community_centre", quarter)
    marked = operations.place_survey(placement.survey, place)
    db.session.commit()
    client = login("coordinator")
    code = placement.survey.code
    files = {f"{kind}.pdf": client.get(f"/manage/placements/{marked.id}/{kind}.pdf") for kind in ("poster", "flyers")}
    files["paper-de.pdf"] = client.get(f"/manage/surveys/{code}/paper-de.pdf")
    for name, page in files.items():
        assert page.mimetype == "application/pdf", name
        text = pdf_text(page.data, tmp_path, name)
        assert "alert('qs')" not in text and "onerror" not in text, name
        if name != "paper-de.pdf":
            assert "Café <b>Eck</b> <script>x()</script>" in " ".join(text.split()), name
