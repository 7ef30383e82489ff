"""The trivial floor really runs: ``python -m bench.trivial.run`` in a fresh
process, against a test database, builds its one model through dagster-dbt
in one Dagster run recorded in the project's instance (PAYROLL_HOME's
dagster_home, storage in the warehouse database, as ``payroll run``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from bench.trivial import project
from bench.trivial.run import JOB
from dagster_project.lib.database import dbt_env
from dagster_project.lib.instance import DAGSTER_YAML

REPO = Path(__file__).resolve().parents[2]


def _query(url: str, sql: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def trivial_run(make_database, tmp_path_factory):
    url = make_database("bench_trivial")
    home = tmp_path_factory.mktemp("trivial_home")
    target = tmp_path_factory.mktemp("trivial_target")
    manifest = project.parse(dbt_env(url))
    (target / project.PARTIAL_PARSE.name).write_bytes(project.PARTIAL_PARSE.read_bytes())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PAYROLL_", "DAGSTER_", "DBT_"))
    }
    env.update(
        PAYROLL_DATABASE_URL=url,
        PAYROLL_HOME=str(home),
        DBT_TARGET_PATH=str(target),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.trivial.run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return url, home, target, manifest, done


def test_the_run_succeeds_and_builds_the_one_model(trivial_run):
    url, _, _, manifest, done = trivial_run
    assert manifest.exists()
    assert done.returncode == 0, done.stdout + done.stderr
    assert " ok" in done.stdout
    assert _query(url, f"select x from {project.SCHEMA}.{project.MODEL}") == [(1,)]


def test_the_run_is_recorded_in_the_payroll_instance(trivial_run):
    url, home, _, _, done = trivial_run
    dagster_home = home / "dagster_home"
    assert (dagster_home / "dagster.yaml").read_bytes() == DAGSTER_YAML.read_bytes()
    runs = _query(url, "select run_id, status, pipeline_name from runs")
    assert len(runs) == 1
    run_id, status, job = runs[0]
    assert (status, job) == ("SUCCESS", JOB)
    assert run_id in done.stdout


def test_dbt_reused_the_partial_parse(trivial_run):
    _, _, target, _, _ = trivial_run
    (log,) = target.glob("*/dbt.log")
    text = log.read_text()
    assert "Unable to do partial parsing" not in text
    assert "Nothing changed, skipping partial parsing." in text


def test_no_warning_on_the_terminal(trivial_run):
    *_, done = trivial_run
    assert done.stderr == ""
