"""``payroll metrics``: every family computed from durable state at scrape
time, checked against what each source holds — real Dagster runs in a
Postgres run storage, real tables in a real warehouse, real backup folders —
through the text a scrape returns."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from dagster._core.storage.dagster_run import DagsterRunStatus
from dagster._daemon.types import DaemonHeartbeat
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.lib.backup import VerifyReport, record_verification
from dagster_project.lib.instance import prepare_dagster_home
from dagster_project.lib.metrics import (
    DURATION_BUCKETS,
    METRIC_NAMES,
    SOURCES,
    PayrollCollector,
    registry_for,
)
from dagster_project.settings import Settings, get_settings

NOW = 1_800_000_000.0  # the collector's clock in these tests (2027-01-15)
SECRET_NAME = "Jane Q. Doe"


@dg.op
def compute_pay(context) -> None:
    if context.run.tags.get("test/fail") == "yes":
        raise dg.Failure(description="refused")


@dg.job
def pay_job() -> None:
    compute_pay()


@dg.asset(check_specs=[dg.AssetCheckSpec("totals_add_up", asset="pay_stub")])
def pay_stub(context) -> dg.MaterializeResult:
    """Materialized with the metadata dagster-dbt gives a dbt model."""
    failing = context.run.tags.get("test/fail") == "yes"
    return dg.MaterializeResult(
        metadata={"unique_id": "model.payroll.pay_stub", "Execution Duration": 1.25},
        check_results=[dg.AssetCheckResult(check_name="totals_add_up", passed=not failing)],
    )


def scrape(collector: PayrollCollector) -> dict[str, dict[tuple, float]]:
    """What a scrape returns, parsed back: sample name → labels → value."""
    text = generate_latest(registry_for(collector)).decode()
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            found.setdefault(sample.name, {})[labels] = sample.value
    return found


def labels(**values: str) -> tuple:
    return tuple(sorted(values.items()))


@pytest.fixture(scope="module")
def warehouse(make_database) -> str:
    return make_database("metrics_collector")


@pytest.fixture(scope="module")
def instance(warehouse, tmp_path_factory) -> Iterator[dg.DagsterInstance]:
    """The project's instance on the test database (Postgres run storage)."""
    patch = pytest.MonkeyPatch()
    # restored afterwards: prepare_dagster_home exports both
    patch.setenv("DAGSTER_HOME", os.environ.get("DAGSTER_HOME", ""))
    patch.setenv("PAYROLL_DAGSTER_STORAGE_URL", "")
    home = tmp_path_factory.mktemp("metrics_home")
    prepare_dagster_home(Settings(_env_file=None, database_url=warehouse, home=home))
    found = dg.DagsterInstance.get()
    yield found
    found.dispose()
    patch.undo()


@pytest.fixture(scope="module")
def runs(instance) -> dict[str, list]:
    """Real runs: successes and failures of two tenants, a run of two
    tenants, one of none, a hostile tag, a queued run, an asset run whose
    check fails and one whose check passes."""

    def execute(tags: dict[str, str]) -> str:
        return pay_job.execute_in_process(instance=instance, tags=tags, raise_on_error=False).run_id

    acme, brew, fail = {"payroll/tenant": "acme"}, {"payroll/tenant": "brew"}, {"test/fail": "yes"}
    execute(acme)
    execute(acme)
    execute({**acme, **fail})
    execute({**brew, **fail})
    execute({"payroll/tenant": "acme,brew"})
    execute({})
    execute({"payroll/tenant": SECRET_NAME})
    for _ in range(2):  # running (as the run storage sees it)
        instance.add_run(
            dg.DagsterRun(
                job_name="pay_job",
                run_id=str(uuid.uuid4()),
                tags=brew,
                status=DagsterRunStatus.STARTED,
            )
        )
    for tags in (acme, {**acme, **fail}):
        dg.materialize([pay_stub], instance=instance, tags=tags, raise_on_error=False)
    instance.add_daemon_heartbeat(DaemonHeartbeat(NOW - 42.5, "SENSOR", "daemon-1", None))
    return {"records": list(instance.get_run_records())}


@pytest.fixture(scope="module")
def warehouse_state(warehouse) -> str:
    """The warehouse tables the collector reads, with rows whose answer is
    known: tenants, a pay calendar, run audit, finalizations, exceptions,
    quarantined rows (one from a hostile row naming a person)."""
    conn = psycopg2.connect(warehouse)
    with conn, conn.cursor() as cur:
        cur.execute(
            """
            insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor,
                source_file, source_row)
            values ('acme', 'Acme', 'weekly', '2026-01-04', 'tenants.csv', 2),
                   ('brew', 'Brew', 'weekly', '2026-01-04', 'tenants.csv', 3);

            create table marts.dim_pay_periods (
                tenant_id text, period_start date, period_end date, pay_date date,
                closes_at timestamptz, is_closed boolean
            );
            insert into marts.dim_pay_periods values
                -- closed 30 h ago, never run: overdue, and its pay date is past
                ('acme', '2026-01-04', '2026-01-10', current_date - 1,
                    now() - interval '30 hours', true),
                -- closed 2 h ago, its only run failed: not computed; paid in 2 days
                ('acme', '2026-01-11', '2026-01-17', current_date + 2,
                    now() - interval '2 hours', true),
                -- computed, pay date today, not finalized
                ('acme', '2026-01-18', '2026-01-24', current_date,
                    now() - interval '50 hours', true),
                -- still open, paid in 3 days: neither overdue nor due soon
                ('acme', '2026-01-25', '2026-01-31', current_date + 3,
                    now() + interval '1 hour', false),
                -- finalized, long past its pay date: nothing to do
                ('brew', '2026-01-04', '2026-01-10', current_date - 30,
                    now() - interval '900 hours', true),
                -- computed, pay date tomorrow, not finalized
                ('brew', '2026-01-11', '2026-01-17', current_date + 1,
                    now() - interval '20 hours', true);

            insert into marts.payroll_runs (run_id, tenant_id, period_start, status)
            values ('r1', 'acme', '2026-01-11', 'FAILURE'),
                   ('r2', 'acme', '2026-01-18', 'FAILURE'),
                   ('r3', 'acme', '2026-01-18', 'SUCCESS'),
                   ('r4', 'brew', '2026-01-04', 'SUCCESS'),
                   ('r5', 'brew', '2026-01-11', 'SUCCESS');
            insert into control.pay_period_finalizations (tenant_id, period_start, run_id)
            values ('brew', '2026-01-04', 'r4');

            create table marts.fct_attendance_exceptions (
                tenant_id text, event_id text, staff_id text, reason_code text, detail text
            );
            insert into marts.fct_attendance_exceptions values
                ('acme', 'E1', 'S1', 'open_shift', 'clock_out: empty'),
                ('acme', 'E2', 'S1', 'open_shift', 'clock_out: empty'),
                ('acme', 'E3', 'S2', 'missing_rate', 'no rate'),
                ('brew', 'E4', 'S9', 'unknown_staff', 'S9'),
                (%(name)s, 'E5', %(name)s, 'malformed_value', 'tenant_id: not a valid id');
            """,
            {"name": SECRET_NAME},
        )
        rejected = [
            ("attendance", "acme", "clock_in", "clock_in: required"),
            ("attendance", "acme", "clock_out", "clock_out: not an ISO 8601 timestamp"),
            ("attendance", "acme", "break_minutes", "break_minutes: not a whole number"),
            ("staff", "brew", "row", "row: 3 fields, header has 14"),
            ("attendance", SECRET_NAME, "tenant_id", "tenant_id: not a valid tenant id"),
        ]
        for row, (kind, tenant, field, reason) in enumerate(rejected, start=2):
            cur.execute(
                "insert into raw.rejected_rows (file_sha256, source_row, source_file, "
                "file_kind, tenant_id, staff_id, field, reason) "
                "values ('f00', %s, 'x.csv', %s, %s, %s, %s, %s)",
                (row, kind, tenant, SECRET_NAME, field, reason),
            )
    conn.close()
    return warehouse


def _backup_folder(root: Path, taken: dt.datetime, verified: bool | None) -> Path:
    folder = root / f"payroll-{taken:%Y%m%dT%H%M%SZ}"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"format": 1}))
    if verified is not None:
        report = VerifyReport(path=folder, taken_at=taken.isoformat(), tables_compared=3)
        if not verified:
            report.tables_compared = 0
        record_verification(report)
    return folder


@pytest.fixture(scope="module")
def backups(tmp_path_factory) -> Path:
    """Newest first: unverified, failed its verify, verified (2 h old), older verified."""
    root = tmp_path_factory.mktemp("backups")
    now = dt.datetime.fromtimestamp(NOW, dt.UTC)
    _backup_folder(root, now - dt.timedelta(minutes=10), None)
    _backup_folder(root, now - dt.timedelta(minutes=70), False)
    _backup_folder(root, now - dt.timedelta(hours=2), True)
    _backup_folder(root, now - dt.timedelta(hours=5), True)
    (root / ".payroll-20270115T000000Z.partial").mkdir()  # a backup still being written
    return root


@pytest.fixture(scope="module")
def scraped(instance, runs, warehouse_state, backups) -> dict[str, dict[tuple, float]]:
    return scrape(PayrollCollector(warehouse_state, lambda: instance, backups, clock=lambda: NOW))


def test_runs_total_counts_finished_runs_by_job_tenant_and_status(scraped):
    runs = scraped["payroll_runs_total"]
    job = "pay_job"
    assert (
        runs[labels(dagster_job=job, tenant="acme", status="SUCCESS")] == 3
    )  # 2 + the acme,brew run
    assert runs[labels(dagster_job=job, tenant="acme", status="FAILURE")] == 1
    assert runs[labels(dagster_job=job, tenant="acme", status="CANCELED")] == 0
    assert runs[labels(dagster_job=job, tenant="brew", status="SUCCESS")] == 1
    assert runs[labels(dagster_job=job, tenant="brew", status="FAILURE")] == 1
    assert runs[labels(dagster_job=job, tenant="", status="SUCCESS")] == 1
    assert runs[labels(dagster_job=job, tenant="_unknown", status="SUCCESS")] == 1
    assert runs[labels(dagster_job="__ephemeral_asset_job__", tenant="acme", status="SUCCESS")] == 2
    assert scraped["payroll_runs_in_progress"] == {
        labels(dagster_job=job, tenant="brew", status="STARTED"): 2.0
    }


def test_run_durations_are_a_histogram_of_run_storage_times(scraped, runs):
    finished = [
        r
        for r in runs["records"]
        if r.dagster_run.job_name == "pay_job" and r.start_time and r.end_time
    ]
    seconds = [r.end_time - r.start_time for r in finished]
    buckets = scraped["payroll_run_duration_seconds_bucket"]
    for bound in DURATION_BUCKETS:
        expected = sum(1 for s in seconds if s <= bound)
        assert buckets[labels(dagster_job="pay_job", le=f"{bound:.1f}")] == expected, bound
    assert buckets[labels(dagster_job="pay_job", le="+Inf")] == len(finished) == 7
    assert scraped["payroll_run_duration_seconds_count"][labels(dagster_job="pay_job")] == 7
    total = scraped["payroll_run_duration_seconds_sum"][labels(dagster_job="pay_job")]
    assert total == pytest.approx(sum(seconds), abs=1e-6)


def test_last_successful_run_is_the_end_of_the_tenants_newest_success(scraped, runs):
    def newest(tenant: str) -> float:
        return max(
            r.end_time
            for r in runs["records"]
            if r.dagster_run.status == DagsterRunStatus.SUCCESS
            and tenant in r.dagster_run.tags.get("payroll/tenant", "").split(",")
        )

    last = scraped["payroll_last_successful_run_timestamp_seconds"]
    assert set(last) == {labels(tenant="acme"), labels(tenant="brew")}
    assert last[labels(tenant="acme")] == pytest.approx(newest("acme"))
    assert last[labels(tenant="brew")] == pytest.approx(newest("brew"))


def test_failed_checks_come_from_dagsters_check_evaluations(scraped):
    check = labels(check="pay_stub:totals_add_up")
    assert scraped["payroll_failed_checks_total"] == {check: 1.0}
    assert scraped["payroll_check_evaluations_total"] == {check: 2.0}


def test_dbt_model_duration_is_that_of_the_latest_materialization(scraped):
    assert scraped["payroll_dbt_model_duration_seconds"] == {labels(model="pay_stub"): 1.25}


def test_daemon_heartbeat_age_per_required_daemon(scraped, instance):
    ages = scraped["payroll_daemon_heartbeat_age_seconds"]
    assert ages[labels(daemon="SENSOR")] == 42.5
    required = set(instance.get_required_daemon_types())
    assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"} <= required
    assert set(ages) == {labels(daemon=d) for d in required}
    # never beat: infinitely old, so the alert fires
    assert all(math.isinf(v) for k, v in ages.items() if k != labels(daemon="SENSOR"))


def test_pay_period_gauges(scraped):
    def by_tenant(name: str) -> dict[str, float]:
        return {dict(k)["tenant"]: v for k, v in scraped[name].items()}

    assert by_tenant("payroll_closed_periods_not_computed") == {"acme": 2, "brew": 0}
    oldest = by_tenant("payroll_oldest_closed_period_not_computed_age_seconds")
    assert oldest["acme"] == pytest.approx(30 * 3600, abs=120)
    assert oldest["brew"] == 0
    assert by_tenant("payroll_periods_past_pay_date_not_finalized") == {"acme": 1, "brew": 0}
    assert by_tenant("payroll_periods_due_within_2_days_not_finalized") == {"acme": 2, "brew": 1}


def test_exceptions_and_quarantine_by_reason_code(scraped):
    assert scraped["payroll_attendance_exceptions"] == {
        labels(tenant="acme", reason="open_shift"): 2,
        labels(tenant="acme", reason="missing_rate"): 1,
        labels(tenant="brew", reason="unknown_staff"): 1,
        labels(tenant="_unknown", reason="malformed_value"): 1,
    }
    assert scraped["payroll_quarantined_rows"] == {
        labels(tenant="acme", file="attendance", reason="missing_value"): 1,
        labels(tenant="acme", file="attendance", reason="malformed_value"): 2,
        labels(tenant="brew", file="staff", reason="malformed_row"): 1,
        labels(tenant="_unknown", file="attendance", reason="malformed_value"): 1,
    }


def test_backup_ages_newest_and_newest_verified(scraped):
    assert scraped["payroll_newest_backup_age_seconds"] == {(): 600}
    assert scraped["payroll_newest_verified_backup_age_seconds"] == {(): 7200}


def test_every_family_is_exposed_and_every_source_up(scraped):
    exposed = {
        name.removesuffix("_bucket").removesuffix("_count").removesuffix("_sum") for name in scraped
    }
    assert exposed == set(METRIC_NAMES)
    assert all(name.startswith("payroll_") for name in exposed)
    assert scraped["payroll_metrics_source_up"] == {labels(source=s): 1 for s in SOURCES}


def test_no_person_in_any_label(instance, runs, warehouse_state, backups):
    text = generate_latest(
        registry_for(PayrollCollector(warehouse_state, lambda: instance, backups))
    ).decode()
    assert "Jane" not in text and "S9" not in text and "S1" not in text


def test_a_missing_source_leaves_the_others_answering(instance, runs, make_database, tmp_path):
    bare = make_database("metrics_bare")  # migrated, but no pay calendar or marts built
    found = scrape(
        PayrollCollector(bare, lambda: instance, tmp_path / "no-backups", clock=lambda: NOW)
    )
    up = {dict(k)["source"]: v for k, v in found["payroll_metrics_source_up"].items()}
    assert up == {
        "run_storage": 1,
        "checks": 1,
        "dbt_models": 1,
        "daemons": 1,
        "pay_calendar": 0,
        "attendance_exceptions": 0,
        "quarantine": 1,
        "backups": 0,
    }
    assert "payroll_closed_periods_not_computed" not in found
    assert "payroll_newest_verified_backup_age_seconds" not in found
    assert (
        found["payroll_runs_total"][labels(dagster_job="pay_job", tenant="brew", status="FAILURE")]
        == 1
    )


def test_an_unreachable_database_fails_only_its_sources(instance, runs, tmp_path):
    def no_dagster():
        raise psycopg2.OperationalError("could not connect")

    closed = "postgresql://postgres@127.0.0.1:9/none?connect_timeout=2"
    found = scrape(PayrollCollector(closed, no_dagster, tmp_path, clock=lambda: NOW))
    up = {dict(k)["source"]: v for k, v in found["payroll_metrics_source_up"].items()}
    assert up == {source: (1 if source == "backups" else 0) for source in SOURCES}
    # an empty backup folder: readable, nothing verified yet
    assert math.isinf(found["payroll_newest_verified_backup_age_seconds"][()])


def test_restore_verify_records_the_verdict_the_metric_reads(make_database, tmp_path):
    url = make_database("metrics_backup")
    home = tmp_path / "home"
    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(app, ["backup", "--out", str(tmp_path / "backups")])
        assert made.exit_code == 0, made.output
        (folder,) = (tmp_path / "backups").iterdir()
        collector = PayrollCollector(url, lambda: None, tmp_path / "backups")
        before = scrape(collector)
        assert math.isinf(before["payroll_newest_verified_backup_age_seconds"][()])
        assert before["payroll_newest_backup_age_seconds"][()] < 120
        verified = runner.invoke(app, ["restore", "--verify", str(folder)])
        assert verified.exit_code == 0, verified.output
    finally:
        patch.undo()
        get_settings.cache_clear()
    verdict = json.loads((folder / "verification.json").read_text())
    assert verdict["ok"] is True and verdict["mismatches"] == 0
    after = scrape(collector)
    assert 0 <= after["payroll_newest_verified_backup_age_seconds"][()] < 120
