"""`payroll doctor`: every check on a real warehouse and Dagster instance,
daemon heartbeats and the warehouse pool included, and the table it prints."""

import time

import pytest
from dagster._daemon.types import DaemonHeartbeat

from dagster_project import doctor
from dagster_project.settings import get_settings


@pytest.fixture
def environment(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PAYROLL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PAYROLL_ENVIRONMENT", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def by_name(results):
    return {result.name: result for result in results}


def beat(instance, at: float) -> None:
    for daemon_type in instance.get_required_daemon_types():
        instance.add_daemon_heartbeat(DaemonHeartbeat(at, daemon_type, "doctor-test", []))


def test_a_fresh_development_setup_is_healthy_with_one_warning(environment):
    results = by_name(doctor.run_checks())
    # the manifest warns when a model changed after the last `dbt parse`
    assert results.pop("dbt manifest").status in ("ok", "warn")
    assert {name: r.status for name, r in results.items()} == {
        "config": "ok",
        "database": "ok",
        "migrations": "ok",
        "dagster instance": "ok",
        # the project's own instance gets the pool limit when it is first used
        "warehouse pool": "ok",
        "daemon": "warn",
        "definitions": "ok",
    }
    assert all(result.healthy for result in results.values())
    assert "schema version 00" in results["migrations"].detail
    assert results["warehouse pool"].detail == "payroll_warehouse limit 1"
    assert "dagster-daemon is not running" in results["daemon"].detail
    assert "pay_period_close_schedule" in results["definitions"].detail


def test_the_pool_limit_and_live_daemons_turn_the_warnings_ok(environment):
    instance = doctor._instance()
    instance.event_log_storage.set_concurrency_slots("payroll_warehouse", 1)
    beat(instance, time.time())
    results = by_name(doctor.run_checks())
    assert results["warehouse pool"].status == "ok"
    assert results["warehouse pool"].detail == "payroll_warehouse limit 1"
    assert results["daemon"].status == "ok"
    assert "SCHEDULER" in results["daemon"].detail and "SENSOR" in results["daemon"].detail


def test_a_stale_heartbeat_or_a_wrong_pool_limit_fails(environment):
    instance = doctor._instance()
    now = time.time()
    beat(instance, now - 3600)
    status, detail = doctor.daemon_status(instance, now=now)
    assert status == "fail" and detail.startswith("no recent heartbeat from: ")
    instance.event_log_storage.set_concurrency_slots("payroll_warehouse", 3)
    assert doctor.pool_status(instance) == (
        "fail",
        "payroll_warehouse limit 3: writers would overlap; "
        "`dagster instance concurrency set payroll_warehouse 1`",
    )


def test_warnings_fail_in_production(monkeypatch):
    monkeypatch.setattr(doctor, "_production", lambda: True)

    def not_running() -> str:
        raise doctor.DoctorWarning("dagster-daemon is not running")

    results = doctor.run_checks([("daemon", not_running), ("fine", lambda: "ok")])
    assert [(r.name, r.status, r.healthy) for r in results] == [
        ("daemon", "fail", False),
        ("fine", "ok", True),
    ]


def test_the_table_shows_every_check_and_the_verdict():
    results = [
        doctor.CheckResult("config", True, "environment=development"),
        doctor.CheckResult("daemon", True, "not running", warning=True),
        doctor.CheckResult("database", False, "OperationalError: refused"),
    ]
    assert doctor.render_table(results).splitlines() == [
        "check     status  detail",
        "--------  ------  ------",
        "config    OK      environment=development",
        "daemon    WARN    not running",
        "database  FAIL    OperationalError: refused",
        "",
        "UNHEALTHY: database",
    ]
    assert doctor.render_table(results[:2]).endswith("healthy (warnings: daemon)")
