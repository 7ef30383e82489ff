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


def test_vars_are_checked_before_they_reach_sql(database_url, tmp_path):
    result = dbt(
        database_url,
        tmp_path,
        "compile",
        "--select",
        "fct_payroll",
        "--vars",
        '{"tenant_id": "x\'; drop table raw.staff; --", "period_start": "2026-03-01"}',
    )
    assert result.returncode != 0
    assert "invalid var tenant_id" in result.stdout
