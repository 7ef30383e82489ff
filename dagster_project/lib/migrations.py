"""Versioned, idempotent setup of the landing schema from ``sql/``.

``sql/bootstrap`` runs every time (each statement is idempotent);
``sql/migrations/NNNN_*.sql`` run once each, in order, recorded in
``raw.schema_migrations`` with a checksum so an edited migration is caught.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg2.extensions

from dagster_project.core.locks import MIGRATIONS_LOCK
from dagster_project.lib.roles import apply_roles

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def available_migrations(sql_dir: Path = SQL_DIR) -> list[Migration]:
    migrations = []
    for path in sorted((sql_dir / "migrations").glob("*.sql")):
        version, _, name = path.stem.partition("_")
        migrations.append(Migration(int(version), name, path.read_text()))
    return migrations


def apply_migrations(conn: psycopg2.extensions.connection, sql_dir: Path = SQL_DIR) -> list[int]:
    """Bring the schema up to date; returns the versions applied now."""
    applied_now: list[int] = []
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(%s)", (MIGRATIONS_LOCK,))
            for path in sorted((sql_dir / "bootstrap").glob("*.sql"), key=_bootstrap_order):
                cur.execute(path.read_text())
            cur.execute("select version, checksum from raw.schema_migrations")
            done = dict(cur.fetchall())
            for migration in available_migrations(sql_dir):
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version}_{migration.name} changed after "
                            "it was applied; add a new migration instead of editing it"
                        )
                    continue
                cur.execute(migration.sql)
                cur.execute(
                    "insert into raw.schema_migrations (version, name, checksum) "
                    "values (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
                applied_now.append(migration.version)
            apply_roles(conn)  # roles and grants follow the schema (sql/roles/)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return applied_now


def pending_migrations(conn: psycopg2.extensions.connection, sql_dir: Path = SQL_DIR) -> list[int]:
    with conn.cursor() as cur:
        cur.execute("select to_regclass('raw.schema_migrations') is not null")
        if not cur.fetchone()[0]:
            return [m.version for m in available_migrations(sql_dir)]
        cur.execute("select version from raw.schema_migrations")
        done = {row[0] for row in cur.fetchall()}
    conn.rollback()
    return [m.version for m in available_migrations(sql_dir) if m.version not in done]


def _bootstrap_order(path: Path) -> tuple[int, str]:
    # the schema must exist before the table inside it
    return (0 if path.stem.startswith("create_schema") else 1, path.stem)
