"""``flask user create``: staff accounts."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app import accounts
from app.cli.common import fail
from app.db import db
from app.models.accounts import ROLES

user_cli = AppGroup("user", help="Staff accounts.")


@user_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@click.password_option()
def create_user_command(email, role, name, password):
    """Create a staff account."""
    try:
        accounts.create_user(email, password, role, name)
    except accounts.AccountError as error:
        fail(str(error))
    db.session.commit()
    click.echo(f"{email} ({role}) created")
