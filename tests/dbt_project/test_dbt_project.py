"""The dbt project on a real warehouse: every model, data test and unit test."""

import os
import subprocess
import sys
from pathlib import Path

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


def test_full_build_runs_every_model_test_and_unit_test(database_url, tmp_path):
    result = dbt(database_url, tmp_path, "build")
    assert result.returncode == 0, result.stdout[-4000:]
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line][-1]
    assert "ERROR=0" in summary
    listed = dbt(database_url, tmp_path, "ls", "--resource-type", "unit_test", "--quiet")
    unit_tests = [line for line in listed.stdout.splitlines() if line.strip()]
    assert len(unit_tests) >= 7, listed.stdout


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
