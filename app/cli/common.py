"""What several command groups share: failing with a message, and finding the city."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.db import db
from app.models import City


def fail(message: str):
    """Stop the command with ``message`` (exit status 1)."""
    raise click.ClickException(message)


def find_city(code: str | None) -> City:
    """The city with ``code``, or the first one loaded; fails when there is none."""
    cities = db.session.scalars(select(City).order_by(City.id)).all()
    if code:
        cities = [c for c in cities if c.code == code]
    if not cities:
        fail("no city loaded: run 'flask areas load' first")
    return cities[0]
