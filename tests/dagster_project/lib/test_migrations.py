from pathlib import Path

import pytest

from dagster_project.lib.database import connect
from dagster_project.lib.migrations import (
    MigrationError,
    apply_migrations,
    available_migrations,
    pending_migrations,
)


def _tables(url: str) -> set[str]:
    with connect(url) as conn, conn.cursor() as cur:
        cur.execute("select table_name from information_schema.tables where table_schema = 'raw'")
        return {row[0] for row in cur.fetchall()}


def test_migrations_create_every_landing_table_and_record_versions(database_url):
    assert _tables(database_url) >= {
        "tenants",
        "locations",
        "staff",
        "pay_rates",
        "attendance",
        "adjustments",
        "deductions",
        "ytd_opening",
        "rejected_rows",
        "ingested_files",
        "schema_migrations",
    }
    conn = connect(database_url)
    assert pending_migrations(conn) == []
    with conn.cursor() as cur:
        cur.execute("select count(*) from raw.schema_migrations")
        assert cur.fetchone()[0] == len(available_migrations())
    conn.close()


def test_migrations_apply_nothing_the_second_time(database_url):
    conn = connect(database_url)
    assert apply_migrations(conn) == []
    conn.close()


def test_migrations_create_the_indexes_the_models_need(database_url):
    with connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            "select indexdef from pg_indexes where schemaname = 'raw' and tablename = 'attendance'"
        )
        definitions = " ".join(row[0] for row in cur.fetchall())
    assert "(tenant_id, staff_id, clock_in)" in definitions
    assert "(tenant_id, event_id)" in definitions


def test_migrations_refuse_an_edited_migration(database_url, tmp_path: Path):
    from dagster_project.lib.migrations import SQL_DIR

    (tmp_path / "bootstrap").mkdir()
    (tmp_path / "migrations").mkdir()
    for path in (SQL_DIR / "bootstrap").glob("*.sql"):
        (tmp_path / "bootstrap" / path.name).write_text(path.read_text())
    for path in (SQL_DIR / "migrations").glob("*.sql"):
        (tmp_path / "migrations" / path.name).write_text(path.read_text())
    first = sorted((tmp_path / "migrations").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited")
    conn = connect(database_url)
    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(conn, tmp_path)
    conn.close()
