"""Quartiersstimme: participation and needs surveys for city quarters."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.config import PROJECT_ROOT, Defaults, database_uri, from_env, instance_secret_key


def check_perturbation_settings(config) -> None:
    """Refuse to start with perturbation settings that cannot protect residents (a clear
    message at start-up, never a failing results page later)."""
    from app.domain.cellkey import PerturbationParameters
    parameters = PerturbationParameters(max_deviation=config["PERTURBATION_MAX_DEVIATION"],
                                        variance=float(config["PERTURBATION_VARIANCE"]),
                                        threshold=config["PERTURBATION_THRESHOLD"])
    problems = parameters.problems()
    if config["K_ANONYMITY"] < parameters.threshold:
        problems.append("K_ANONYMITY must be at least PERTURBATION_THRESHOLD")
    if config.get("RELEASE_MINIMUM") and config["RELEASE_MINIMUM"] < config["K_ANONYMITY"]:
        problems.append("RELEASE_MINIMUM must be 0 (the same as K_ANONYMITY) or at least K_ANONYMITY")
    if problems:
        raise RuntimeError("Perturbation settings refused: " + "; ".join(problems))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config → database → i18n → security → blueprints → CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Defaults)
    app.config["MIGRATIONS_DIR"] = str(PROJECT_ROOT / "migrations")
    app.config.from_pyfile("config.py", silent=True)
    from_env(app.config)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    check_perturbation_settings(app.config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config, app.instance_path)

    app.jinja_env.add_extension("jinja2.ext.do")
    from app.routing import TokenConverter
    app.url_map.converters["token"] = TokenConverter

    from app import db, i18n, security, templating
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    from app import models  # noqa: F401  (every table known to Alembic)
    from app.admin.views import bp as admin_bp
    from app.analyse import compare_views, crosstab_views, map_views, profile_views  # noqa: F401  (routes on the analyse blueprint)
    from app.analyse import text_views  # noqa: F401  (routes on the analyse blueprint)
    from app.analyse.views import bp as analyse_bp
    from app.main.views import bp as main_bp
    from app.manage import builder_views, monitor_views  # noqa: F401  (routes on the manage blueprint)
    from app.manage.views import bp as manage_bp
    from app.respond.views import bp as respond_bp
    app.register_blueprint(main_bp)
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(analyse_bp, url_prefix="/results")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    from app.public.views import bp as public_bp
    app.register_blueprint(public_bp, url_prefix="/r")
    from app.api.views import bp as api_bp
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(respond_bp)

    from app.results import releases
    app.jinja_env.globals["latest_release"] = releases.latest  # "figures as of …" on every page with figures

    from app import cli
    cli.init_app(app)
    return app
