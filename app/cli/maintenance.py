"""``flask backup|restore|retention purge``: backups, restores and retention (``app.maintenance``)."""
from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import db
from app.maintenance import MaintenanceError, backup, purge_expired, restore

retention_cli = AppGroup("retention", help="Delete answers that are no longer needed.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Write a consistent snapshot of the SQLite database to PATH."""
    try:
        written = backup(path)
    except MaintenanceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {written}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path):
    """Read the snapshot at PATH into the (empty) SQLite database."""
    try:
        restore(path)
    except MaintenanceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {path}.")


@retention_cli.command("purge")
@click.option("--days", type=int, default=None, help="Keep this many days (default: RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def purge_command(days, dry_run):
    """Delete the responses of surveys that stopped taking answers longer ago than the retention
    period, and unfinished answers saved more than DRAFT_DAYS ago."""
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    purged = purge_expired(date.today(), days, dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    verb = "would delete" if dry_run else "deleted"
    for item in purged:
        click.echo(f"{item.survey}: {verb} {item.count} responses (ended {item.ended_on.isoformat()})")
    if not purged:
        click.echo(f"Nothing is older than {days} days.")
    if not dry_run:  # unfinished answers saved to continue later: kept DRAFT_DAYS at most
        from app.respond import drafts
        draft_days = current_app.config["DRAFT_DAYS"]
        click.echo(f"Deleted {drafts.purge(date.today(), draft_days)} unfinished answers saved more than {draft_days} days ago.")
