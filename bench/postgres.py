"""A throw-away PostgreSQL server for the benchmarks.

``throwaway_postgres()`` starts a fresh cluster in a temporary folder (``initdb`` as the
``postgres`` user, ``fsync=off``, a free port on 127.0.0.1), yields its SQLAlchemy URL, and stops
and removes it on exit. With ``BENCH_POSTGRES_URL`` in the environment it yields that URL instead
and starts nothing: the benchmarks then drop and create tables in that database.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where Debian's ``postgresql`` package puts the server programs (one folder per version).
PG_ROOT = Path("/usr/lib/postgresql")
DATABASE = "bench"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server programs on this machine."""


def server_binaries() -> Path:
    """The ``bin`` folder of the newest installed PostgreSQL server."""
    found = sorted((p for p in PG_ROOT.glob("*/bin") if (p / "initdb").exists()),
                   key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if not found:
        raise PostgresMissing(f"no PostgreSQL server under {PG_ROOT}: install the Debian package "
                              "(`apt-get install -y postgresql`, which `make bench` does) or set "
                              "BENCH_POSTGRES_URL to a database that may be emptied")
    return found[-1]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command: str | Path, check: bool = True) -> None:
    """Run a server program as the ``postgres`` user (the server refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *map(str, command)], check=check, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yield ``postgresql+psycopg://postgres@127.0.0.1:PORT/bench`` of a fresh server, or
    ``BENCH_POSTGRES_URL`` if it is set."""
    if os.environ.get("BENCH_POSTGRES_URL"):
        yield os.environ["BENCH_POSTGRES_URL"]
        return
    bin_dir = server_binaries()
    data = Path(tempfile.mkdtemp(prefix="bench-pg."))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    started = False
    try:
        _as_postgres(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                     "--locale=C.UTF-8", "--no-sync")
        _as_postgres(bin_dir / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-o",
                     f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        started = True
        _as_postgres(bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DATABASE)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            _as_postgres(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(data, ignore_errors=True)
