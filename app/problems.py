"""Errors of the read-only API as problem details (RFC 9457), for the API's own errors and for
those the app answers before a request reaches it (an unknown path, a method not allowed)."""
from __future__ import annotations

from flask import current_app, json, request

#: Where the API lives (``create_app`` mounts it there).
API_PREFIX = "/api/"

TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 413: "Content Too Large", 415: "Unsupported Media Type",
          429: "Too Many Requests", 500: "Internal Server Error"}


def wants_problem() -> bool:
    """Whether the current request is one to the API."""
    return request.path.startswith(API_PREFIX)


def problem(detail: str, status: int, headers: dict | None = None):
    """A problem-details response; ``error`` repeats ``detail`` for clients of the first API."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, "error": detail}
    return current_app.response_class(json.dumps(body), status=status, mimetype="application/problem+json",
                                      headers=headers)


def allow_header(error) -> dict:
    """The ``Allow`` header of a 405, kept when the error becomes a page or a problem."""
    return {name: value for name, value in error.get_headers() if name.lower() == "allow"}
