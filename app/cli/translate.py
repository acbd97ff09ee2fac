"""``flask translate extract|update|compile``: the interface catalogs, through pybabel."""
from __future__ import annotations

import subprocess
import sys

from flask.cli import AppGroup

from app.config import PROJECT_ROOT

translate_cli = AppGroup("translate", help="Interface translations (pybabel).")


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
