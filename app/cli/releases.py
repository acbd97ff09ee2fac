"""``flask release-results``: the day's release of every survey's figures (e.g. from cron)."""
from __future__ import annotations

from datetime import date

import click

from app.results.releases import release_all


@click.command("release-results")
def release_command():
    """Release the figures of every survey that has one due today (at most one a day each).

    Figures are also released when they are first asked for on a day; run this from cron so
    that the release happens at a fixed hour, not when someone happens to look."""
    made = release_all(date.today())
    for survey, release in made:
        kind = "final release" if release.final else "release"
        click.echo(f"{survey.code}: {kind} of {release.released_on.isoformat()}")
    if not made:
        click.echo("No survey had a release due.")
