"""The command line: ``flask areas|survey|places|user|export|figures|boundaries|backup|restore|
retention|demo|translate|release-results …``, one module per command group. Thin: each command parses its
arguments, calls one operation and commits. Messages are in English, the language of the
command line."""
from __future__ import annotations


def init_app(app) -> None:
    """Register every command group."""
    from app.cli import (areas, boundaries, demo, exports, figures, maintenance, places, releases, surveys,
                         translate, users)
    for command in (areas.areas_cli, surveys.survey_cli, places.places_cli, users.user_cli, demo.demo_cli,
                    translate.translate_cli, exports.export_command, figures.figures_cli,
                    boundaries.boundaries_cli, maintenance.backup_command, maintenance.restore_command,
                    maintenance.retention_cli, releases.release_command):
        app.cli.add_command(command)
