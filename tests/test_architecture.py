"""The house's import rules (the ``[importlinter]`` contracts in setup.cfg) hold, cover every
room the app registers, and do catch a broken rule."""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / "setup.cfg", encoding="utf-8")
    return config


def lint(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the ``app`` package under ``root`` with the project's contracts."""
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--no-logo", str(PROJECT_ROOT / "setup.cfg")],
                          cwd=root, capture_output=True, text=True, env={"PYTHONPATH": str(root)})


def test_the_import_contracts_are_kept():
    result = lint(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_blueprint_is_a_room_of_its_own_in_the_layers_contract():
    """A blueprint added later joins the layer of rooms that may not import each other."""
    layers = [line.strip() for line in contracts()["importlinter:contract:layers"]["layers"].strip().splitlines()]
    rooms = next(layer for layer in layers if "respond" in layer)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    packages = {blueprint.import_name.split(".")[1] for blueprint in app.blueprints.values()}
    assert packages == {name.strip() for name in rooms.split("|")}


def test_the_command_line_contract_names_every_views_module():
    forbidden = set(contracts()["importlinter:contract:cli"]["forbidden_modules"].split())
    for path in (PROJECT_ROOT / "app").glob("*/*views.py"):
        module = f"app.{path.parent.name}.{path.stem}"
        assert module in forbidden or path.stem == "views", module


#: A line planted in a copy of the app, and the contract (its id in setup.cfg) that must break.
VIOLATIONS = {
    "a room imports another room": ("respond/views.py", "from app.analyse import filters", "layers"),
    "a shared service imports a room": ("results/queries.py", "from app.public import views", "layers"),
    "a model imports a room": ("models/areas.py", "from app.manage import queries", "layers"),
    "the domain imports Flask": ("domain/texts.py", "import flask", "domain"),
    "the domain imports the database": ("domain/texts.py", "from app.db import db", "domain"),
    "the command line imports a view": ("cli/users.py", "from app.manage import builder_views", "cli"),
    "two modules import each other": ("labels.py", "from app import templating", "acyclic"),
}


@pytest.mark.parametrize("planted", VIOLATIONS, ids=list(VIOLATIONS))
def test_a_planted_violation_breaks_its_contract(tmp_path, planted):
    path, line, contract = VIOLATIONS[planted]
    shutil.copytree(PROJECT_ROOT / "app", tmp_path / "app",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "data"))
    with (tmp_path / "app" / path).open("a", encoding="utf-8") as module:
        module.write(f"\n{line}  # planted\n")
    result = lint(tmp_path)
    name = " ".join(contracts()[f"importlinter:contract:{contract}"]["name"].split())
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{name} BROKEN" in " ".join(result.stdout.split()), result.stdout
