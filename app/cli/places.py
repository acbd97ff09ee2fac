"""``flask places add``: meeting places."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli.common import fail
from app.db import db
from app.manage import operations
from app.models import Quarter
from app.models.places import PLACE_KINDS

places_cli = AppGroup("places", help="Meeting places.")


@places_cli.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(PLACE_KINDS), required=True)
@click.option("--quarter", "quarter_code", required=True, help="Official quarter code, e.g. 126.")
@click.option("--address", default="")
def add_place_command(name, kind, quarter_code, address):
    """Add a meeting place; prints its id."""
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == quarter_code)) or fail(
        f"no quarter {quarter_code}")
    place = operations.create_meeting_place(name, kind, quarter, address)
    db.session.commit()
    click.echo(place.id)
