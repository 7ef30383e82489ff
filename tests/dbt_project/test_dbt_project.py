"""The dbt project on a real warehouse: every model, data test and unit test."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg2

from dagster_project.lib.database import dbt_env

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))


def dbt(url: str, target: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [
            DBT,
            *args,
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(target),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


E2E_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "e2e"
PAYROLL = str(Path(sys.executable).with_name("payroll"))


def _ingest(url: str, home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYROLL_")}
    env.update(PAYROLL_DATABASE_URL=url, PAYROLL_HOME=str(home))
    loaded = subprocess.run(
        [PAYROLL, "ingest", str(E2E_FIXTURES)], env=env, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def _fetch(url: str, statement: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def test_full_build_runs_every_model_test_and_unit_test(database_url, tmp_path):
    """On the end-to-end fixtures, so the data tests see real rows, and one
    of them goes red when a row breaks its rule."""
    _ingest(database_url, tmp_path / "home")
    result = dbt(database_url, tmp_path, "build")
    assert result.returncode == 0, result.stdout[-4000:]
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line][-1]
    assert "ERROR=0" in summary
    listed = dbt(database_url, tmp_path, "ls", "--resource-type", "unit_test", "--quiet")
    unit_tests = [line for line in listed.stdout.splitlines() if line.strip()]
    assert len(unit_tests) >= 7, listed.stdout
    # every open period of both tenants, to the cent (tests/fixtures/e2e)
    assert _fetch(
        database_url,
        "select tenant_id, count(*), sum(gross_pay) from build.fct_payroll "
        "where period_start = (select min(period_start) from build.fct_payroll as f "
        "where f.tenant_id = fct_payroll.tenant_id) group by 1 order by 1",
    ) == [("acme", 3, Decimal("1953.00")), ("brew", 1, Decimal("1500.00"))]

    _fetch(
        database_url,
        "update build.fct_payroll set staff_id = 'nobody' "
        "where staff_id = (select min(staff_id) from build.fct_payroll)",
    )
    broken = dbt(database_url, tmp_path, "test", "--select", "fct_payroll")
    assert broken.returncode != 0
    assert "relationships_fct_payroll_staff_id" in broken.stdout


def test_a_build_reads_its_periods_from_the_warehouse_as_literals(database_url, tmp_path):
    """No per-run --vars: the periods selected in control.pay_period_build
    are compiled into each model as literals (the parse never changes)."""
    import datetime as dt

    from dagster_project.core.periods import PayPeriodKey
    from dagster_project.lib.build_selection import select_periods
    from dagster_project.lib.database import transaction

    with transaction(database_url) as conn:
        select_periods(
            conn,
            "run-1",
            [
                PayPeriodKey("acme", dt.date(2026, 3, 1)),
                PayPeriodKey("acme", dt.date(2026, 3, 15)),
                PayPeriodKey("brew", dt.date(2026, 3, 2)),
            ],
        )
    assert dbt(database_url, tmp_path, "seed").returncode == 0
    built = dbt(database_url, tmp_path, "run", "--select", "+int_pay_periods_computed")
    assert built.returncode == 0, built.stdout[-4000:]
    result = dbt(
        database_url, tmp_path, "compile", "--select", "rpt_location_labor_cost", "fct_payroll"
    )
    assert result.returncode == 0, result.stdout[-4000:]
    compiled = next(tmp_path.rglob("compiled/**/rpt_location_labor_cost.sql")).read_text()
    flat = " ".join(compiled.split())
    assert (
        "(payroll.tenant_id = 'acme' and payroll.period_start in "
        "('2026-03-01'::date, '2026-03-15'::date))"
    ) in flat
    assert (
        "or (payroll.tenant_id = 'brew' and payroll.period_start in ('2026-03-02'::date))" in flat
    )
    payroll = next(tmp_path.rglob("compiled/**/fct_payroll.sql")).read_text()
    assert "'run-1'::text as run_id" in payroll
