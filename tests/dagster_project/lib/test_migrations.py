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


def test_a_register_published_before_its_sums_gets_them_finalized_rows_too(database_url):
    """0042 on a warehouse whose marts.fct_payroll predates pre_tax_deductions
    and employee_taxes: both added and filled with the sums of each row's
    parts, a finalized period's rows included, and the guard is back on."""
    from decimal import Decimal

    from dagster_project.lib.mart_catalog import published_marts
    from dagster_project.lib.publish import _ensure_finalized_guard

    migration = next(m for m in available_migrations() if m.version == 42)
    fct_payroll = next(mart for mart in published_marts() if mart.name == "fct_payroll")
    with connect(database_url) as conn, conn.cursor() as cur:
        cur.execute(
            "create table marts.fct_payroll (tenant_id text, staff_id text, "
            "period_start date, retirement_401k numeric(16, 2), section_125 numeric(16, 2), "
            "federal_income_tax numeric(16, 2), social_security_tax numeric(16, 2), "
            "medicare_tax numeric(16, 2), state_income_tax numeric(16, 2), "
            "state_disability_tax numeric(16, 2))"
        )
        _ensure_finalized_guard(cur, fct_payroll)
        cur.execute(
            "insert into marts.fct_payroll values "
            "('t', 'a', '2026-03-01', 100.00, 25.50, 72.15, 86.80, 20.30, 3.01, 0.99), "
            "('t', 'b', '2026-03-15', 0, 0, 0, 0, 0, 0, 0)"
        )
        cur.execute(
            "insert into control.pay_period_finalizations (tenant_id, period_start, run_id) "
            "values ('t', '2026-03-01', 'r')"
        )
        cur.execute(migration.sql)
        cur.execute(
            "select staff_id, pre_tax_deductions, employee_taxes from marts.fct_payroll "
            "order by staff_id"
        )
        assert cur.fetchall() == [
            ("a", Decimal("125.50"), Decimal("183.25")),
            ("b", Decimal("0.00"), Decimal("0.00")),
        ]
        with pytest.raises(Exception, match="finalized"):
            cur.execute("update marts.fct_payroll set section_125 = 0 where staff_id = 'a'")
        conn.rollback()
