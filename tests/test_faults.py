"""Faults survived: a pay-period run killed mid-way (SIGKILL, the process and
its dbt child) and then re-run leaves exactly the marts a clean run leaves."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg2

FIXTURES = Path(__file__).parent / "fixtures" / "e2e"
PAYROLL = str(Path(sys.executable).with_name("payroll"))


def _payroll(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PAYROLL, *args], env=env, capture_output=True, text=True, timeout=600)


def _marts(url: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select staff_id, period_start, hours_worked, gross_pay, net_pay "
            "from marts.fct_payroll where tenant_id = 'acme' order by staff_id"
        )
        rows = cur.fetchall()
    conn.close()
    return rows


def _kill_when_dbt_builds(process: subprocess.Popen, url: str, timeout: float = 120) -> bool:
    """SIGKILL the run (dbt runs inside it) once its build has begun: the
    run's periods are selected in the warehouse only for its dbt build."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = psycopg2.connect(url)
            try:
                with conn.cursor() as cur:
                    cur.execute("select count(*) from control.pay_period_build")
                    building = cur.fetchone()[0] > 0
            finally:
                conn.close()
        except psycopg2.Error:
            building = False
        if building:
            time.sleep(1.5)  # let it get into the models
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.1)
    return False


def test_a_run_killed_mid_way_then_rerun_gives_identical_marts(make_database, tmp_path):
    url = make_database("killed_run")
    env = {
        **os.environ,
        "PAYROLL_DATABASE_URL": url,
        "PAYROLL_HOME": str(tmp_path / "home"),
    }
    assert _payroll(env, "ingest", str(FIXTURES)).returncode == 0

    first = subprocess.Popen(
        [PAYROLL, "run", "--period", "2026-03-01", "--tenant", "acme"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert _kill_when_dbt_builds(first, url), "the run never reached dbt"
    assert first.returncode == -signal.SIGKILL

    rerun = _payroll(env, "run", "--period", "2026-03-01", "--tenant", "acme")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    after_kill = _marts(url)
    assert [row[0] for row in after_kill] == ["S1", "S2", "S3"]  # no duplicates
    assert [row[3] for row in after_kill] == [
        Decimal("588.00"),
        Decimal("637.00"),
        Decimal("728.00"),
    ]

    clean = _payroll(env, "run", "--period", "2026-03-01", "--tenant", "acme")
    assert clean.returncode == 0
    assert _marts(url) == after_kill
