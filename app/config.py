"""Configuration: documented defaults, then ``instance/config.py``, then the environment.

Every setting can be given as an environment variable of the same name; typed parsers turn
the text into the right type. ``create_app(test_config)`` applies ``test_config`` last.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

#: The project's top-level folder (holds ``translations/``, ``surveys/``, ``exports/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Defaults for every setting; each one is documented where it is used."""

    #: SQLAlchemy URL; empty means an SQLite file in the instance folder.
    DATABASE_URL = ""
    #: Smallest count that is ever shown in results and exports (k-anonymity); below it a
    #: figure reads "not shown", and no mean or share is given for fewer answers.
    K_ANONYMITY = 5
    #: The cell key method (docs/privacy-method.md): no published count differs from the true
    #: one by more than this …
    PERTURBATION_MAX_DEVIATION = 3
    #: … with this variance for counts well above the threshold …
    PERTURBATION_VARIANCE = 1.0
    #: … and no published count lies between 1 and this minus 1 (3: 1 and 2 never appear).
    PERTURBATION_THRESHOLD = 3
    #: Figures change in daily releases (``app.results.releases``); a release takes in a quarter's
    #: new answers only when at least this many wait there. 0: the same as ``K_ANONYMITY``.
    RELEASE_MINIMUM = 0
    #: Default and fallback language of the interface.
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    #: Where ``flask export`` writes its files.
    EXPORT_DIR = str(PROJECT_ROOT / "exports")
    #: Folder of survey template files loaded by ``flask demo load``.
    SURVEY_DIR = str(PROJECT_ROOT / "surveys")
    #: Base URL printed on posters and encoded in QR codes; empty means the request's host.
    PUBLIC_BASE_URL = ""
    #: Largest request body accepted (bytes); a survey answer is a few kilobytes.
    MAX_CONTENT_LENGTH = 256 * 1024
    #: Cookies: never readable by scripts, never sent on cross-site posts.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    #: Strict-Transport-Security on every answer over TLS (0: none); see docs/deployment.md.
    HSTS_SECONDS = 31_536_000
    #: A member of staff is logged out this many hours after logging in.
    STAFF_SESSION_HOURS = 12
    #: CSRF tokens have no time limit: residents may take as long as they need.
    WTF_CSRF_TIME_LIMIT = None
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    #: Responses of a survey are deleted this many days after its consultation stopped taking
    #: answers (``flask retention purge``, e.g. daily from cron): two years by default, time
    #: enough for the needs analysis that uses them.
    RETENTION_DAYS = 730
    #: Number of reverse proxies in front of the app whose ``X-Forwarded-For``/``-Proto`` headers
    #: are trusted (0: none; 1 behind one nginx). Without it, every request behind a proxy
    #: seems to come from the proxy, and the log-in throttle would lock everybody out at once.
    PROXY_COUNT = 0
    #: Where the log-in throttle keeps its counts: memory for one host; with several app hosts a
    #: shared store, e.g. ``redis://redis.internal:6379`` (see docs/deployment.md).
    RATELIMIT_STORAGE_URI = "memory://"
    #: Unfinished answers saved to continue later are deleted after this many days …
    DRAFT_DAYS = 30
    #: … and one client (address) may save them this often (a family sharing a phone never
    #: needs more; a script storing drafts by the thousand gets 429).
    DRAFT_SAVES_PER_CLIENT = "10 per minute;60 per hour"
    #: Where residents report a barrier (an e-mail address), named in the accessibility statement.
    ACCESSIBILITY_CONTACT = ""
    #: Kiosk tablets: back to a fresh start after this long without input (needs JavaScript) …
    KIOSK_IDLE_SECONDS = 120
    #: … and this long after the thank-you page appears (works without JavaScript).
    KIOSK_THANKS_SECONDS = 15


_PARSERS = {
    bool: lambda text: text.strip().lower() in {"1", "true", "yes", "on"},
    int: int,
    float: float,
    str: str,
}


def from_env(config: dict, environ=os.environ) -> None:
    """Override every known setting that is present in the environment, parsed to its type."""
    for name in dir(Defaults):
        if name.isupper() and name in environ:
            default = getattr(Defaults, name)
            parse = _PARSERS.get(type(default), str)
            config[name] = parse(environ[name])
    if "SECRET_KEY" in environ:
        config["SECRET_KEY"] = environ["SECRET_KEY"]


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_uri(config: dict, instance_path: str) -> str:
    """The SQLAlchemy URL: ``DATABASE_URL`` or an SQLite file under ``instance/``."""
    url = config.get("DATABASE_URL") or ""
    if not url:
        path = Path(instance_path) / "quartiersstimme.sqlite"
        if not path.exists():  # readable by its owner alone (SQLite gives its journal the same mode)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return "sqlite:///" + str(path)
    if url.startswith("postgres://"):  # the form some hosting platforms hand out
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
