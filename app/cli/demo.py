"""``flask demo load``: the demo data of ``make run``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_demo_command():
    """Load the demo (Stuttgart, two surveys, meeting places, a coordinator, sample answers) once."""
    from app.demo import load_demo
    info = load_demo()
    click.echo(info)
