"""``flask areas load``: districts and quarters of a city."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli.common import fail
from app.config import PROJECT_ROOT
from app.db import db
from app.manage import operations

areas_cli = AppGroup("areas", help="Districts and quarters of a city.")


@areas_cli.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--city", "city_name", default="Stuttgart", show_default=True, help="Name of the city.")
@click.option("--code", "city_code", default=None, help="Machine name of the city (default: from the name).")
@click.option("--source", default="", help="Where the list comes from (kept with the data).")
def load_areas_command(csv_file, city_name, city_code, source):
    """Load districts and quarters from CSV (district_code, district_name, quarter_code,
    quarter_name). Without a file, Stuttgart's official list shipped with the product."""
    if csv_file is None:
        csv_file = PROJECT_ROOT / "app" / "data" / "stuttgart_quarters.csv"
        source = source or "Landeshauptstadt Stuttgart, Statistisches Amt, Kleinräumige Gliederung"
    code = city_code or city_name.lower().replace(" ", "-")
    try:
        result = operations.load_areas(code, city_name, Path(csv_file).read_text(encoding="utf-8"), source)
    except operations.OperationError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{result.city.name}: {result.districts} districts, {result.quarters} quarters")
