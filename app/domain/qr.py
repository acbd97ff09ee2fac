"""QR codes for placements: PNG for print shops and office software, SVG for sharp posters."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_Q

#: Level Q survives a quarter of the code being torn, scratched or covered on a poster.
ERROR_CORRECTION = ERROR_CORRECT_Q
#: The quiet zone around the code, in modules: four is what the standard asks for.
QUIET_ZONE = 4


def _code(url: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=box_size)
    code.add_data(url)
    code.make(fit=True)
    return code


def png(url: str, box_size: int = 12) -> bytes:
    """The QR code of ``url`` as a black-on-white PNG."""
    buffer = io.BytesIO()
    _code(url, box_size).make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def svg(url: str, title: str = "") -> str:
    """The QR code of ``url`` as a standalone SVG, scalable for print, with a white background."""
    image = _code(url, 10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    text = image.to_string(encoding="unicode")
    if title:
        from markupsafe import escape
        text = text.replace(">", f' role="img" aria-label="{escape(title)}">', 1) if text.startswith("<svg") else text
    return text
