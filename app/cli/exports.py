"""``flask export CODE --format …``: a survey's results as files, the same as the downloads."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from app.cli.common import fail
from app.models import Survey
from app.results.exports import write_format


@click.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["csv", "csv-de", "xlsx", "json", "geojson", "datapackage", "sav"]),
              default="csv", show_default=True,
              help="csv: comma, decimal point; csv-de: semicolon, decimal comma, BOM (German Excel); xlsx; "
                   "json; geojson (with --boundaries); datapackage (Frictionless); sav (SPSS).")
@click.option("--boundaries", type=click.Path(exists=True, dir_okay=False),
              help="GeoJSON FeatureCollection of the quarters (for --format geojson).")
@click.option("--output-dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: exports/).")
def export_command(code, fmt, boundaries, output_dir):
    """Export a survey's results into exports/ (the same data as the downloads)."""
    survey = Survey.by_code(code) or fail(f"no survey {code!r}")
    shapes = None
    if fmt == "geojson":
        if not boundaries:
            fail("--format geojson needs --boundaries FILE")
        shapes = json.loads(Path(boundaries).read_text(encoding="utf-8"))
    for path in write_format(survey, fmt, output_dir or current_app.config["EXPORT_DIR"], shapes):
        click.echo(path)
