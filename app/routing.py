"""URL converters."""
from werkzeug.routing import BaseConverter


class TokenConverter(BaseConverter):
    """A placement token as a resident may type it: letters and digits, hyphens allowed."""

    regex = r"[A-Za-z0-9][A-Za-z0-9-]{7,15}"
