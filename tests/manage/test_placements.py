"""QR codes and posters of placements."""
import shutil
import subprocess

import pytest

from app import accounts
from app.db import db


@pytest.fixture
def coordinator(login):
    return login("coordinator")


def test_qr_code_png_decodes_to_the_placements_short_url(coordinator, placement, tmp_path, app):
    app.config["PUBLIC_BASE_URL"] = "https://beteiligung.example.org"
    png = coordinator.get(f"/manage/placements/{placement.id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    path = tmp_path / "qr.png"
    path.write_bytes(png.data)
    assert shutil.which("zbarimg"), "zbar-tools is installed by `make test`"
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == f"https://beteiligung.example.org/{placement.token}"


def test_qr_code_svg_is_a_standalone_svg(coordinator, placement):
    svg = coordinator.get(f"/manage/placements/{placement.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).lstrip().startswith(("<svg", "<?xml"))


def test_poster_has_title_qr_typed_url_and_a_call_in_every_language(coordinator, placement):
    html = coordinator.get(f"/manage/placements/{placement.id}/poster").get_data(as_text=True)
    version = placement.survey.current_version
    assert version.title["de"] in html
    assert "<svg" in html
    assert f"{placement.token[:5]}-{placement.token[5:]}" in html
    for language in ("de", "en", "tr", "ar"):
        assert f'lang="{language}"' in html
    assert '<li lang="ar" dir="rtl">' in html
    assert "Ihre Meinung zählt" in html or "Ihre Meinung" in html


def test_workspace_pages_need_a_login(client, placement):
    for url in ["/manage/", f"/manage/placements/{placement.id}/qr.png", f"/manage/placements/{placement.id}/poster"]:
        page = client.get(url)
        assert page.status_code == 302 and "/login" in page.location


def test_login_refuses_a_wrong_password_and_an_open_redirect(client, app):
    accounts.create_user("koord@example.org", "a-long-password", "coordinator")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"email": "koord@example.org", "password": "wrong"}).status_code == 401
    page = client.post("/login?next=//evil.example/x", data={"email": "koord@example.org", "password": "a-long-password"})
    assert page.status_code == 302 and page.location == "/manage/"


def test_a_coordinator_opens_and_closes_a_consultation(coordinator, placement):
    from tests.conftest import hidden_fields
    consultation = placement.survey.consultation
    fields = hidden_fields(coordinator.get("/manage/").get_data(as_text=True))
    refused = coordinator.post(f"/manage/consultations/{consultation.id}/status", data={"status": "closed"})
    assert refused.status_code == 400  # no CSRF token
    assert coordinator.get(f"/{placement.token}").status_code == 200
    coordinator.post(f"/manage/consultations/{consultation.id}/status",
                     data={"status": "closed", "csrf_token": fields["csrf_token"]})
    assert coordinator.get(f"/{placement.token}").status_code == 410


def test_poster_flyers_and_paper_forms_download_as_pdf(coordinator, placement):
    for url in [f"/manage/placements/{placement.id}/poster.pdf", f"/manage/placements/{placement.id}/flyers.pdf",
                f"/manage/surveys/{placement.survey.code}/paper-ar.pdf"]:
        page = coordinator.get(url)
        assert page.status_code == 200 and page.mimetype == "application/pdf" and page.data.startswith(b"%PDF"), url
    assert coordinator.get(f"/manage/surveys/{placement.survey.code}/paper-xx.pdf").status_code == 404
