"""A real Prometheus scraping a real ``payroll metrics``: the end-to-end
fixtures ingested, a pay period that passes (acme) and one that fails its
audit (brew), read back through Prometheus's HTTP API and compared with what
Dagster's run storage says; the alert rules load and evaluate, a run
failure fires its alert, and every dashboard panel's query evaluates."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.lib.metrics import SOURCES
from dagster_project.settings import get_settings
from tests.deploy.prometheus_server import PROMETHEUS_DIR, REPO, Prometheus, stop
from tests.deploy.test_prometheus_rules import dashboard_exprs

E2E_FIXTURES = REPO / "tests" / "fixtures" / "e2e"
PAYROLL = str(Path(sys.executable).with_name("payroll"))
PERIOD = "2026-03-01"
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")
# a trigger that corrupts what the run builds: its audit refuses it
_CORRUPT = """
    create function build.corrupt_overtime() returns trigger language plpgsql as $$
    begin new.overtime_hours := new.hours_worked + 1; return new; end $$;
    create trigger corrupt_overtime before insert on build.fct_payroll
        for each row execute function build.corrupt_overtime();
"""
_REPAIR = (
    "drop trigger corrupt_overtime on build.fct_payroll; drop function build.corrupt_overtime()"
)


@dataclass
class Stack:
    url: str
    prometheus: Prometheus
    metrics_log: Path
    run_counts: dict[str, int]  # finished runs by status, as run storage says
    pay_period_counts: dict[str, int]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _start_metrics(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """``payroll metrics`` on a port the OS picks; its address once it listens."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [PAYROLL, "metrics", "--port", "0", "--backups", str(log.parent / "backups")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def listening() -> str | None:
        found = re.search(r"http://(127\.0\.0\.1:\d+)/metrics", log.read_text())
        if process.poll() is not None:
            raise AssertionError(f"payroll metrics exited: {log.read_text()[-2000:]}")
        return found[1] if found else None

    return process, _wait_for(listening, 60, "payroll metrics to listen")


@pytest.fixture(scope="module")
def stack(make_database, tmp_path_factory, prometheus_binary) -> Iterator[Stack]:
    url = make_database("prometheus_scrape")
    folder = tmp_path_factory.mktemp("prometheus_scrape")
    home = folder / "home"
    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    runner = CliRunner()
    metrics = prometheus = None
    try:
        ingested = runner.invoke(app, ["ingest", str(E2E_FIXTURES)])
        assert ingested.exit_code == 0, ingested.output
        passed = runner.invoke(app, ["run", "--period", PERIOD, "--tenant", "acme"])
        assert passed.exit_code == 0, passed.output

        # scraped from before the failure on: the alert sees it happen
        metrics, address = _start_metrics(env, folder / "metrics.log")
        prometheus = Prometheus(
            prometheus_binary, folder / "prometheus", [address], [PROMETHEUS_DIR / "alerts.yml"]
        )
        prometheus.wait_ready()
        _wait_for(
            lambda: prometheus.vector('payroll_runs_total{tenant="acme",status="SUCCESS"}'),
            30,
            "a first scrape",
        )

        conn = psycopg2.connect(url)
        with conn, conn.cursor() as cur:
            cur.execute(_CORRUPT)
        try:
            failed = runner.invoke(app, ["run", "--period", PERIOD, "--tenant", "brew"])
        finally:
            with conn, conn.cursor() as cur:
                cur.execute(_REPAIR)
            conn.close()
        assert failed.exit_code == 1, failed.output

        from dagster_project.lib.instance import get_instance

        instance = get_instance()
        counts = {
            status: instance.get_runs_count(dg.RunsFilter(statuses=[dg.DagsterRunStatus(status)]))
            for status in FINISHED
        }
        pay_period = {
            status: instance.get_runs_count(
                dg.RunsFilter(job_name="pay_period_job", statuses=[dg.DagsterRunStatus(status)])
            )
            for status in FINISHED
        }
        yield Stack(url, prometheus, folder / "metrics.log", counts, pay_period)
    finally:
        if prometheus is not None:
            prometheus.close()
        if metrics is not None:
            stop(metrics)
        patch.undo()
        get_settings.cache_clear()


def _by_status(stack: Stack, selector: str = "") -> dict[str, int]:
    return {
        metric["status"]: int(value)
        for metric, value in stack.prometheus.vector(
            f"sum by (status) (payroll_runs_total{selector})"
        )
    }


def _scraped_after_the_pipeline(stack: Stack) -> None:
    """Wait until Prometheus holds a scrape that saw brew's failed run."""
    _wait_for(
        lambda: stack.prometheus.vector('payroll_runs_total{tenant="brew",status="FAILURE"} > 0'),
        30,
        "a scrape after the failed run",
    )


def test_runs_total_by_status_is_what_run_storage_says(stack):
    _scraped_after_the_pipeline(stack)
    assert _by_status(stack) == stack.run_counts
    # one calendar run and acme's period passed, brew's failed
    assert stack.run_counts == {"SUCCESS": 2, "FAILURE": 1, "CANCELED": 0}
    assert _by_status(stack, '{dagster_job="pay_period_job"}') == stack.pay_period_counts
    assert stack.pay_period_counts == {"SUCCESS": 1, "FAILURE": 1, "CANCELED": 0}
    by_tenant = {
        (m["tenant"], m["status"]): v
        for m, v in stack.prometheus.vector('payroll_runs_total{dagster_job="pay_period_job"} > 0')
    }
    assert by_tenant == {("acme", "SUCCESS"): 1, ("brew", "FAILURE"): 1}


def test_the_failed_audit_is_counted_against_its_check(stack):
    _scraped_after_the_pipeline(stack)
    failed = stack.prometheus.vector("payroll_failed_checks_total > 0")
    assert {m["check"]: v for m, v in failed} == {"build/fct_payroll:gx_suite": 1}


def test_every_source_but_the_missing_backup_folder_is_up(stack):
    up = {m["source"]: v for m, v in stack.prometheus.vector("payroll_metrics_source_up")}
    assert up == {source: (0.0 if source == "backups" else 1.0) for source in SOURCES}


def test_durations_and_models_are_scraped(stack):
    _scraped_after_the_pipeline(stack)
    counts = {
        m["dagster_job"]: v
        for m, v in stack.prometheus.vector("payroll_run_duration_seconds_count")
    }
    assert counts == {"pay_calendar_job": 1, "pay_period_job": 2}
    models = {
        m["model"]: v for m, v in stack.prometheus.vector("payroll_dbt_model_duration_seconds")
    }
    assert "fct_payroll" in models and models["fct_payroll"] > 0


def test_the_alert_rules_evaluate_and_the_run_failure_fires(stack):
    _scraped_after_the_pipeline(stack)

    def firing() -> set[tuple[str, str]]:
        alerts = stack.prometheus.api("alerts")["data"]["alerts"]
        return {
            (a["labels"]["alertname"], a["labels"].get("tenant", ""))
            for a in alerts
            if a["state"] == "firing"
        }

    now_firing = _wait_for(
        lambda: firing() if ("PayrollRunFailed", "brew") in firing() else None,
        30,
        "PayrollRunFailed for brew",
    )
    assert ("PayrollRunFailed", "acme") not in now_firing
    # no daemon runs in the tests: its heartbeat is missing
    assert ("PayrollDaemonHeartbeatMissing", "") in now_firing
    groups = stack.prometheus.api("rules")["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert len(rules) == 11
    assert all(rule["health"] == "ok" for rule in rules), [
        (rule["name"], rule.get("lastError")) for rule in rules if rule["health"] != "ok"
    ]


@pytest.mark.parametrize(
    ("title", "expr"), dashboard_exprs(), ids=[t for t, _ in dashboard_exprs()]
)
def test_every_dashboard_panel_query_evaluates(stack, title, expr):
    query = expr.replace("$tenant", ".*").replace("$__rate_interval", "1m")
    answer = stack.prometheus.query(query)
    assert answer["status"] == "success", (title, answer.get("error"))
