"""The alert rules, the example Prometheus configuration and the Grafana
dashboard, checked by Debian's promtool: every rule parses and passes its
unit tests (alerts_test.yml), and every metric they and the dashboard use is
one that ``payroll metrics`` exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from dagster_project.lib.metrics import METRIC_NAMES
from tests.deploy.prometheus_server import PROMETHEUS_DIR, REPO

ALERTS = PROMETHEUS_DIR / "alerts.yml"
ALERTS_TEST = PROMETHEUS_DIR / "alerts_test.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "payroll.json"
# what the README's "Operating it" promises an alert for
REQUIRED_ALERTS = {
    "PayrollRunFailed",
    "PayrollClosedPeriodNotComputed",
    "PayrollPayDateNearPeriodNotFinalized",
    "PayrollDaemonHeartbeatMissing",
    "PayrollVerifiedBackupStale",
    "PayrollAttendanceExceptionsJump",
}


def _promtool(promtool: str, *args: str, cwd: Path = PROMETHEUS_DIR) -> str:
    result = subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def _rules(path: Path = ALERTS) -> list[dict]:
    return [rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every target of every dashboard panel."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [
        (panel["title"], target["expr"])
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]


def _metric_names(expr: str) -> set[str]:
    names = set(re.findall(r"\bpayroll_[a-z0-9_]+", expr))
    return {re.sub(r"_(bucket|sum|count)$", "", name) for name in names}


def test_the_rules_parse(promtool):
    out = _promtool(promtool, "check", "rules", str(ALERTS))
    assert f"SUCCESS: {len(_rules())} rules found" in out


def test_every_rule_passes_its_unit_tests(promtool):
    out = _promtool(promtool, "test", "rules", str(ALERTS_TEST))
    assert "SUCCESS" in out


def test_every_rule_has_a_unit_test_that_sees_it_fire():
    tests = yaml.safe_load(ALERTS_TEST.read_text())["tests"]
    fired = {
        case["alertname"]
        for test in tests
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    names = {rule["alert"] for rule in _rules()}
    assert names >= REQUIRED_ALERTS
    assert fired == names


def test_a_broken_rule_fails_its_unit_tests(promtool, tmp_path):
    """The unit tests can fail: a daemon threshold of 10 minutes instead of
    5 is caught."""
    broken = ALERTS.read_text().replace(
        "payroll_daemon_heartbeat_age_seconds > 300", "payroll_daemon_heartbeat_age_seconds > 600"
    )
    assert broken != ALERTS.read_text()
    (tmp_path / "alerts.yml").write_text(broken)
    shutil.copy(ALERTS_TEST, tmp_path / "alerts_test.yml")
    result = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PayrollDaemonHeartbeatMissing" in result.stdout + result.stderr


def test_the_example_prometheus_config_is_valid(promtool):
    out = _promtool(promtool, "check", "config", "prometheus.yml")
    assert "is valid prometheus config file syntax" in out
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["static_configs"][0]["targets"] == ["payroll-metrics:9108"]


@pytest.mark.parametrize("source", ["alerts", "dashboard"], ids=["alert rules", "dashboard panels"])
def test_only_metrics_the_collector_exposes_are_used(source):
    exprs = (
        [rule["expr"] for rule in _rules()]
        if source == "alerts"
        else [expr for _, expr in dashboard_exprs()]
    )
    used = set().union(*(_metric_names(expr) for expr in exprs))
    assert used, source
    assert used <= set(METRIC_NAMES), used - set(METRIC_NAMES)


def test_the_dashboard_covers_what_an_operator_watches():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "payroll-pipeline"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    used = set().union(*(_metric_names(expr) for _, expr in dashboard_exprs()))
    for metric in (
        "payroll_runs_total",
        "payroll_run_duration_seconds",
        "payroll_closed_periods_not_computed",
        "payroll_periods_past_pay_date_not_finalized",
        "payroll_attendance_exceptions",
        "payroll_newest_verified_backup_age_seconds",
        "payroll_dbt_model_duration_seconds",
    ):
        assert metric in used, metric
