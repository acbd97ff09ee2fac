"""Command-line interface: ``flask areas|survey|places|export|user|demo|translate …``. Thin:
each command parses its arguments, calls one operation and commits."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli_boundaries import boundaries_cli
from app.cli_figures import figures_cli
from app.config import PROJECT_ROOT
from app.db import db
from app.domain import surveyfile
from app.domain.definition import DefinitionError
from app.manage import operations
from app.models import City, MeetingPlace, Quarter, Survey
from app.models.accounts import ROLES
from app.models.places import PLACE_KINDS
from app.models.surveys import version_definition

areas_cli = AppGroup("areas", help="Districts and quarters of a city.")
survey_cli = AppGroup("survey", help="Survey files: import, export, open, close, place.")
places_cli = AppGroup("places", help="Meeting places.")
user_cli = AppGroup("user", help="Staff accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
translate_cli = AppGroup("translate", help="Interface translations (pybabel).")


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _city(code: str | None) -> City:
    cities = db.session.scalars(select(City).order_by(City.id)).all()
    if code:
        cities = [c for c in cities if c.code == code]
    if not cities:
        _fail("no city loaded: run 'flask areas load' first")
    return cities[0]


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
        _fail(str(error))
    db.session.commit()
    click.echo(f"{result.city.name}: {result.districts} districts, {result.quarters} quarters")


@survey_cli.command("import")
@click.argument("survey_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--city", default=None, help="City code, if more than one is loaded.")
def import_survey_command(survey_file, city):
    """Import a survey file (YAML) or an XLSForm (.xlsx); a changed survey with responses gets a
    new version. XLSForm rows that do not map onto our question types are listed."""
    from app.manage.builder_views import read_survey_file
    try:
        defn, skipped = read_survey_file(survey_file, Path(survey_file).read_bytes())
    except DefinitionError as error:
        _fail("the survey file has problems:\n  " + "\n  ".join(error.problems))
    for row in skipped:
        click.echo(f"not imported: {row}", err=True)
    version = operations.import_survey(defn, _city(city))
    db.session.commit()
    click.echo(f"{defn.code}: version {version.number}, {len(defn.questions)} questions")


@survey_cli.command("export")
@click.argument("code")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_survey_command(code, output):
    """Write a survey as a survey file (YAML)."""
    survey = Survey.by_code(code) or _fail(f"no survey {code!r}")
    text = surveyfile.dump(version_definition(survey.current_version))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@survey_cli.command("list")
def list_surveys_command():
    """List surveys with their status and placements."""
    for survey in db.session.scalars(select(Survey).order_by(Survey.code)):
        click.echo(f"{survey.code}\t{survey.consultation.status}\tv{survey.current_version.number}"
                   f"\t{len(survey.placements)} placements")


@survey_cli.command("status")
@click.argument("code")
@click.argument("status", type=click.Choice(["draft", "open", "closed"]))
def status_command(code, status):
    """Open or close the consultation a survey belongs to."""
    survey = Survey.by_code(code) or _fail(f"no survey {code!r}")
    operations.set_status(survey.consultation, status)
    db.session.commit()
    click.echo(f"{survey.consultation.code}: {status}")


@survey_cli.command("place")
@click.argument("code")
@click.argument("place_id", type=int)
def place_command(code, place_id):
    """Place a survey at a meeting place; prints the placement's token."""
    survey = Survey.by_code(code) or _fail(f"no survey {code!r}")
    place = db.session.get(MeetingPlace, place_id) or _fail(f"no meeting place {place_id}")
    placement = operations.place_survey(survey, place)
    db.session.commit()
    click.echo(placement.token)


@places_cli.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(PLACE_KINDS), required=True)
@click.option("--quarter", "quarter_code", required=True, help="Official quarter code, e.g. 126.")
@click.option("--address", default="")
def add_place_command(name, kind, quarter_code, address):
    """Add a meeting place; prints its id."""
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == quarter_code)) or _fail(
        f"no quarter {quarter_code}")
    place = operations.create_meeting_place(name, kind, quarter, address)
    db.session.commit()
    click.echo(place.id)


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@click.password_option()
def create_user_command(email, role, name, password):
    """Create a staff account."""
    try:
        operations.create_user(email, password, role, name)
    except operations.OperationError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"{email} ({role}) created")


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
    import json

    from app.analyse.exports import write_format
    survey = Survey.by_code(code) or _fail(f"no survey {code!r}")
    shapes = None
    if fmt == "geojson":
        if not boundaries:
            _fail("--format geojson needs --boundaries FILE")
        shapes = json.loads(Path(boundaries).read_text(encoding="utf-8"))
    for path in write_format(survey, fmt, output_dir or current_app.config["EXPORT_DIR"], shapes):
        click.echo(path)


@demo_cli.command("load")
def load_demo_command():
    """Load the demo (Stuttgart, two surveys, meeting places, a coordinator, sample answers) once."""
    from app.demo import load_demo
    info = load_demo()
    click.echo(info)


#: Folders of catalogs, one sub-folder per locale: the languages, and Easy German, which shares
#: German's locale and so lives in a folder of its own.
CATALOG_FOLDERS = ("translations", "translations/easy")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", *args]
    subprocess.run(command, check=True, cwd=PROJECT_ROOT)


@translate_cli.command("extract")
def extract_command():
    """Collect the interface texts into translations/messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_ngettext:1,2",
             "--omit-header", "--sort-by-file", "-o", "translations/messages.pot", ".")


@translate_cli.command("update")
def update_command():
    """Merge the template into every catalog."""
    for folder in CATALOG_FOLDERS:
        _pybabel("update", "-i", "translations/messages.pot", "-d", folder, "--no-fuzzy-matching")


@translate_cli.command("compile")
def compile_command():
    """Compile every catalog (fails on a broken placeholder)."""
    for folder in CATALOG_FOLDERS:
        _pybabel("compile", "-d", folder)


def init_app(app) -> None:
    """Register every command group."""
    for group in (areas_cli, survey_cli, places_cli, user_cli, demo_cli, translate_cli):
        app.cli.add_command(group)
    app.cli.add_command(export_command)
    app.cli.add_command(figures_cli)
    app.cli.add_command(boundaries_cli)
    from app import cli_maintenance
    cli_maintenance.init_app(app)
