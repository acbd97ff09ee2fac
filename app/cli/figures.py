"""``flask figures load FILE --source "…"``: reference figures per quarter from a CSV file.

Thin, like ``app.cli``: reads the file, calls ``app.manage.figures.load_figures``, commits or
fails with every problem and its line. Messages are in English, the language of the command line.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.audit import record
from app.db import db
from app.i18n import force_language
from app.manage.figures import decode_csv, load_figures
from app.models import City

figures_cli = AppGroup("figures", help="Reference figures per quarter (residents, age groups …).")


@figures_cli.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", default="", help="Where the figures come from (unless the file has a source column).")
@click.option("--city", "city_code", default=None, help="City code, if more than one is loaded.")
def load_figures_command(csv_file, source, city_code):
    """Load figures per quarter: quarter_code, then one column per figure (population,
    age_under_18, age_18_64, age_65_plus, foreign_share …), year or reference_date, source.
    Empty cells are skipped; with any problem nothing is stored."""
    city = None
    if city_code:
        city = db.session.scalar(select(City).where(City.code == city_code))
        if city is None:
            raise click.ClickException(f"no city {city_code!r}")
    text = decode_csv(Path(csv_file).read_bytes())
    with force_language("en"):
        rows, problems = load_figures(text, source, city=city)
        if problems:
            db.session.rollback()
            raise click.ClickException("nothing was loaded:\n  " + "\n  ".join(str(p) for p in problems))
    record("figures.load", "figures", f"{rows} quarters from {Path(csv_file).name}", source=source, quarters=rows)
    db.session.commit()
    click.echo(f"figures loaded for {rows} quarters")
