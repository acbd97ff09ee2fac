"""``flask survey …``: survey files in and out, opening and closing, placing at a meeting place,
deleting every response of a survey."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli.common import fail, find_city
from app.db import db
from app.domain import surveyfile
from app.domain.definition import DefinitionError
from app.maintenance import delete_responses
from app.manage import operations
from app.manage.survey_files import read_survey_file
from app.models import MeetingPlace, Survey
from app.models.surveys import version_definition

survey_cli = AppGroup("survey", help="Survey files: import, export, open, close, place.")


@survey_cli.command("import")
@click.argument("survey_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--city", default=None, help="City code, if more than one is loaded.")
def import_survey_command(survey_file, city):
    """Import a survey file (YAML) or an XLSForm (.xlsx); a changed survey with responses gets a
    new version. XLSForm rows that do not map onto our question types are listed."""
    try:
        defn, skipped = read_survey_file(survey_file, Path(survey_file).read_bytes())
    except DefinitionError as error:
        fail("the survey file has problems:\n  " + "\n  ".join(error.problems))
    for row in skipped:
        click.echo(f"not imported: {row}", err=True)
    version = operations.import_survey(defn, find_city(city))
    db.session.commit()
    click.echo(f"{defn.code}: version {version.number}, {len(defn.questions)} questions")


@survey_cli.command("export")
@click.argument("code")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export_survey_command(code, output):
    """Write a survey as a survey file (YAML)."""
    survey = Survey.by_code(code) or fail(f"no survey {code!r}")
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
    survey = Survey.by_code(code) or fail(f"no survey {code!r}")
    operations.set_status(survey.consultation, status)
    db.session.commit()
    click.echo(f"{survey.consultation.code}: {status}")


@survey_cli.command("place")
@click.argument("code")
@click.argument("place_id", type=int)
def place_command(code, place_id):
    """Place a survey at a meeting place; prints the placement's token."""
    survey = Survey.by_code(code) or fail(f"no survey {code!r}")
    place = db.session.get(MeetingPlace, place_id) or fail(f"no meeting place {place_id}")
    placement = operations.place_survey(survey, place)
    db.session.commit()
    click.echo(placement.token)


@survey_cli.command("delete-responses")
@click.argument("code")
@click.option("--reason", required=True, help="Why (kept in the audit log), e.g. a request by the district council.")
@click.confirmation_option(prompt="Delete every response of this survey for good?")
def delete_responses_command(code, reason):
    """Delete every response of the survey CODE (e.g. on request); audit-logged."""
    survey = Survey.by_code(code)
    if survey is None:
        raise click.ClickException(f"No survey {code!r}.")
    count = delete_responses(survey, reason)
    db.session.commit()
    click.echo(f"{code}: deleted {count} responses.")
