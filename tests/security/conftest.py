"""Shared fixtures of the security tests: a warehouse with two tenants run
through the pipeline, login roles that belong to the group roles, and
connections as those logins."""

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest
from psycopg2 import sql
from typer.testing import CliRunner, Result

from dagster_project.cli import app

E2E_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
TENANTS = ("acme", "brew")
PERIOD = "2026-03-01"


@contextlib.contextmanager
def payroll_env(url: str, home: Path) -> Iterator[None]:
    """The CLI's settings point at this warehouse and home while the body runs."""
    from dagster_project.settings import get_settings

    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        yield
    finally:
        patch.undo()
        get_settings.cache_clear()


def invoke(url: str, home: Path, *args: str) -> Result:
    with payroll_env(url, home):
        return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="session")
def e2e_pipeline(make_database, tmp_path_factory) -> tuple[str, Path]:
    """The end-to-end fixtures ingested and both tenants' first period run."""
    url = make_database("security_e2e")
    home = tmp_path_factory.mktemp("security_home")
    ingested = invoke(url, home, "ingest", str(E2E_FIXTURES))
    assert ingested.exit_code == 0, ingested.output
    for tenant in TENANTS:
        ran = invoke(url, home, "run", "--period", PERIOD, "--tenant", tenant)
        assert ran.exit_code == 0, ran.output
    return url, home


@pytest.fixture(scope="session")
def login_role(server_url: str) -> Iterator[Callable[..., str]]:
    """Factory: a LOGIN role member of the given roles; dropped at the end.
    Roles are cluster-wide, so the names are unique to this session."""
    created: list[str] = []

    def _make(*member_of: str) -> str:
        name = f"payroll_test_login_{uuid.uuid4().hex[:10]}"
        admin = psycopg2.connect(server_url)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(sql.SQL("create role {} login").format(sql.Identifier(name)))
            for role in member_of:
                cur.execute(
                    sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(name))
                )
        admin.close()
        created.append(name)
        return name

    yield _make

    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        for name in created:
            cur.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
    admin.close()


def connect_as(url: str, role: str) -> psycopg2.extensions.connection:
    """A connection as ``role`` (the test server trusts local logins)."""
    return psycopg2.connect(psycopg2.extensions.make_dsn(url, user=role))


def fetch(conn: psycopg2.extensions.connection, statement: Any, params: Any = ()) -> list[tuple]:
    """Rows of one statement; a failed statement leaves the connection usable."""
    with conn.cursor() as cur:
        try:
            cur.execute(statement, params)
            rows = cur.fetchall() if cur.description else []
        except psycopg2.Error:
            conn.rollback()
            raise
    conn.rollback()
    return rows


def denied(conn: psycopg2.extensions.connection, statement: Any) -> bool:
    """True when the statement fails for lack of privilege (nothing is kept)."""
    try:
        fetch(conn, statement)
    except psycopg2.errors.InsufficientPrivilege:
        return True
    return False


@pytest.fixture(scope="session")
def superuser(e2e_pipeline) -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(e2e_pipeline[0])
    yield conn
    conn.close()


def child_env(url: str, home: Path, **extra: str) -> dict[str, str]:
    """Environment of a ``payroll`` subprocess on this warehouse and home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
    env.update(PAYROLL_DATABASE_URL=url, PAYROLL_HOME=str(home), **extra)
    env.pop("DAGSTER_HOME", None)
    return env
