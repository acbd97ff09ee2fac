"""``flask boundaries load FILE``: the quarter boundaries the results maps are drawn from."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.analyse.boundaries import save_boundaries
from app.i18n import force_language

boundaries_cli = AppGroup("boundaries", help="Quarter boundaries for the results maps.")


@boundaries_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(file: Path):
    """Replace the stored boundaries with FILE (a GeoJSON FeatureCollection); with any problem
    nothing is stored and every problem is listed (in English, the language of the command line)."""
    with force_language("en"):
        count, problems = save_boundaries(file.read_bytes(), current_app.instance_path)
    if problems:
        raise click.ClickException("nothing was loaded:\n  " + "\n  ".join(problems))
    click.echo(f"Boundaries of {count} features loaded into {current_app.instance_path}.")
