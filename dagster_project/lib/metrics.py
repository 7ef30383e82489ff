"""``payroll metrics``: Prometheus metrics computed at scrape time.

Nothing is counted in this process. Each scrape asks the durable state —
Dagster's run and event-log storage, the warehouse (the run audit, the pay
calendar, finalizations, attendance exceptions, the ingest quarantine) and
the backup folder — so a restarted server loses nothing and every replica
answers the same. One query per family (aggregated in SQL), so a scrape
stays fast however many runs or rows there are.

A source that cannot be read (its table not built yet, the database down,
no backup folder) leaves its families out of that scrape and sets
``payroll_metrics_source_up{source}`` to 0; the other sources still answer.

Labels carry tenant ids, Dagster job names (``dagster_job``: ``job`` is the
label Prometheus gives every target), run statuses, reason codes, file kinds,
check and model names only: never a person, a staff id or an amount. A
tenant id read from a row that may be hostile (a refused input row) is kept
only when it is a loaded tenant, else ``_unknown`` (which no tenant id can be).
"""

from __future__ import annotations

import logging
import math
import re
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.extensions
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from dagster_project.core.periods import TENANT_ID_PATTERN
from dagster_project.core.tags import TENANT_TAG
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)

DEFAULT_PORT = 9108
# run durations from a one-period run (seconds) to a year's cascade (an hour)
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)
FINISHED_STATUSES = ("SUCCESS", "FAILURE", "CANCELED")
IN_PROGRESS_STATUSES = ("QUEUED", "NOT_STARTED", "MANAGED", "STARTING", "STARTED", "CANCELING")
# a pay date this many days ahead (or less) with its period not finalized
DUE_SOON_DAYS = 2
STATEMENT_TIMEOUT_MS = 10_000
# not a tenant id (those start with a letter or digit): a value that was no tenant
UNKNOWN_TENANT = "_unknown"

_TENANT = re.compile(TENANT_ID_PATTERN)
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./:-]{0,199}$")

# every family a scrape can expose (the alert rules and the dashboard use only these)
METRIC_NAMES = (
    "payroll_runs_total",
    "payroll_runs_in_progress",
    "payroll_run_duration_seconds",
    "payroll_last_successful_run_timestamp_seconds",
    "payroll_failed_checks_total",
    "payroll_check_evaluations_total",
    "payroll_dbt_model_duration_seconds",
    "payroll_daemon_heartbeat_age_seconds",
    "payroll_closed_periods_not_computed",
    "payroll_oldest_closed_period_not_computed_age_seconds",
    "payroll_periods_past_pay_date_not_finalized",
    "payroll_periods_due_within_2_days_not_finalized",
    "payroll_attendance_exceptions",
    "payroll_quarantined_rows",
    "payroll_newest_backup_age_seconds",
    "payroll_newest_verified_backup_age_seconds",
    "payroll_metrics_source_up",
    "payroll_metrics_source_duration_seconds",
)
SOURCES = (
    "run_storage",
    "checks",
    "dbt_models",
    "daemons",
    "pay_calendar",
    "attendance_exceptions",
    "quarantine",
    "backups",
)


def _tenants_of_tag(value: str | None) -> list[str]:
    """The tenant ids of a run's ``payroll/tenant`` tag (``a,b`` for a run of
    several); no tag: ``""``; anything else is not echoed."""
    if not value:
        return [""]
    parts = value.split(",")
    return parts if all(_TENANT.fullmatch(p) for p in parts) else [UNKNOWN_TENANT]


def _code(value: str | None, fallback: str = "other") -> str:
    return value if value and _CODE.fullmatch(value) else fallback


def _name(value: str | None) -> str:
    return value if value and _NAME.fullmatch(value) else "other"


# --------------------------------------------------------------------------- Dagster


def run_storage_families(instance) -> list[Metric]:
    """Runs by job, tenant and status; run durations; the last success per
    tenant — two aggregate queries on Dagster's run storage."""
    import sqlalchemy as db
    from dagster._core.storage.runs.schema import RunsTable, RunTagsTable

    runs, tags = RunsTable.c, RunTagsTable.c
    by_status = (
        db.select(
            runs.pipeline_name,
            tags.value,
            runs.status,
            db.func.count(),
            db.func.max(runs.end_time),
        )
        .select_from(
            RunsTable.outerjoin(
                RunTagsTable, db.and_(tags.run_id == runs.run_id, tags.key == TENANT_TAG)
            )
        )
        .group_by(runs.pipeline_name, tags.value, runs.status)
    )
    duration = runs.end_time - runs.start_time
    histogram = (
        db.select(
            runs.pipeline_name,
            *(db.func.count().filter(duration <= bound) for bound in DURATION_BUCKETS),
            db.func.count(),
            db.func.coalesce(db.func.sum(duration), 0.0),
        )
        .where(
            runs.status.in_(FINISHED_STATUSES),
            runs.start_time.is_not(None),
            runs.end_time.is_not(None),
        )
        .group_by(runs.pipeline_name)
    )
    with instance.run_storage.connect() as conn:
        status_rows = conn.execute(by_status).fetchall()
        histogram_rows = conn.execute(histogram).fetchall()

    finished: dict[tuple[str, str, str], int] = defaultdict(int)
    in_progress: dict[tuple[str, str, str], int] = defaultdict(int)
    last_success: dict[str, float] = {}
    pairs: set[tuple[str, str]] = set()
    for job, tag, status, count, last_end in status_rows:
        job = _name(job)
        for tenant in _tenants_of_tag(tag):
            pairs.add((job, tenant))
            if status in FINISHED_STATUSES:
                finished[(job, tenant, status)] += count
            elif status in IN_PROGRESS_STATUSES:
                in_progress[(job, tenant, status)] += count
            if status == "SUCCESS" and tenant not in ("", UNKNOWN_TENANT) and last_end:
                last_success[tenant] = max(last_success.get(tenant, 0.0), float(last_end))

    total = CounterMetricFamily(
        "payroll_runs",
        "Finished Dagster runs by job, tenant (empty: a run of no tenant) and status, "
        "from Dagster's run storage.",
        labels=["dagster_job", "tenant", "status"],
    )
    # every status of every (job, tenant) seen, 0 included: a first failure is
    # an increase from 0, which increase() sees
    for job, tenant in sorted(pairs):
        for status in FINISHED_STATUSES:
            total.add_metric([job, tenant, status], finished.get((job, tenant, status), 0))
    running = GaugeMetricFamily(
        "payroll_runs_in_progress",
        "Dagster runs queued or running, by job, tenant and status.",
        labels=["dagster_job", "tenant", "status"],
    )
    for (job, tenant, status), count in sorted(in_progress.items()):
        running.add_metric([job, tenant, status], count)
    durations = HistogramMetricFamily(
        "payroll_run_duration_seconds",
        "Wall time of finished Dagster runs (start to end in run storage), by job.",
        labels=["dagster_job"],
    )
    for row in histogram_rows:
        job, cumulative, count, seconds = _name(row[0]), row[1:-2], row[-2], row[-1]
        buckets = [(_bound(b), n) for b, n in zip(DURATION_BUCKETS, cumulative, strict=True)]
        durations.add_metric([job], [*buckets, ("+Inf", count)], float(seconds))
    success = GaugeMetricFamily(
        "payroll_last_successful_run_timestamp_seconds",
        "End time (Unix seconds) of the tenant's latest successful run.",
        labels=["tenant"],
    )
    for tenant, at in sorted(last_success.items()):
        success.add_metric([tenant], at)
    return [total, running, durations, success]


def _bound(bound: float) -> str:
    return f"{bound:.1f}"


def check_families(instance) -> list[Metric]:
    """Asset check evaluations recorded by Dagster, failed and all, per check."""
    import sqlalchemy as db
    from dagster._core.definitions.events import AssetKey
    from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable

    checks = AssetCheckExecutionsTable.c
    query = db.select(
        checks.asset_key,
        checks.check_name,
        db.func.count().filter(checks.execution_status == "FAILED"),
        db.func.count().filter(checks.execution_status.in_(("FAILED", "SUCCEEDED"))),
    ).group_by(checks.asset_key, checks.check_name)
    with instance.event_log_storage.index_connection() as conn:
        rows = conn.execute(query).fetchall()
    failed = CounterMetricFamily(
        "payroll_failed_checks",
        "Asset check evaluations that failed, per check (asset:check), from Dagster's event log.",
        labels=["check"],
    )
    evaluated = CounterMetricFamily(
        "payroll_check_evaluations",
        "Asset check evaluations (passed or failed), per check.",
        labels=["check"],
    )
    for asset_key, check_name, failures, evaluations in sorted(rows, key=lambda r: r[:2]):
        key = AssetKey.from_db_string(asset_key)
        label = _name(f"{key.to_user_string() if key else 'other'}:{check_name}")
        failed.add_metric([label], failures)
        evaluated.add_metric([label], evaluations)
    return [failed, evaluated]


def dbt_model_families(instance) -> list[Metric]:
    """How long each dbt model took in its latest materialization (dbt's own
    timing, which dagster-dbt records as ``Execution Duration``)."""
    seconds: dict[str, float] = {}
    for record in instance.get_asset_records():
        entry = record.asset_entry.last_materialization
        event = entry.dagster_event if entry else None
        if event is None or event.step_materialization_data is None:
            continue
        metadata = event.step_materialization_data.materialization.metadata
        unique_id = getattr(metadata.get("unique_id"), "value", None)
        duration = getattr(metadata.get("Execution Duration"), "value", None)
        if not isinstance(unique_id, str) or not unique_id.startswith("model."):
            continue
        if isinstance(duration, int | float):
            model = _name(unique_id.rsplit(".", 1)[-1])
            seconds[model] = max(seconds.get(model, 0.0), float(duration))
    family = GaugeMetricFamily(
        "payroll_dbt_model_duration_seconds",
        "Seconds dbt took to build the model in its latest materialization.",
        labels=["model"],
    )
    for model, value in sorted(seconds.items()):
        family.add_metric([model], value)
    return [family]


def daemon_families(instance, now: float) -> list[Metric]:
    """Age of each required daemon's latest heartbeat; +Inf when it never beat."""
    heartbeats = instance.get_daemon_heartbeats()
    family = GaugeMetricFamily(
        "payroll_daemon_heartbeat_age_seconds",
        "Seconds since the daemon's latest heartbeat in run storage (+Inf: none ever).",
        labels=["daemon"],
    )
    for daemon in sorted({*instance.get_required_daemon_types(), *heartbeats}):
        beat = heartbeats.get(daemon)
        age = max(0.0, now - beat.timestamp) if beat is not None else math.inf
        family.add_metric([_name(daemon)], age)
    return [family]


# --------------------------------------------------------------------------- warehouse

_PERIODS = f"""
    with computed as (
        select distinct tenant_id, period_start
        from marts.payroll_runs
        where status = 'SUCCESS'
    ),
    periods as (
        select
            p.tenant_id,
            p.closes_at,
            p.pay_date,
            c.period_start is not null as is_computed,
            f.period_start is not null as is_finalized
        from marts.dim_pay_periods as p
        left join computed as c using (tenant_id, period_start)
        left join control.pay_period_finalizations as f using (tenant_id, period_start)
    )
    select
        tenant_id,
        count(*) filter (where closes_at <= now() and not is_computed and not is_finalized),
        coalesce(extract(epoch from now() - min(closes_at) filter (
            where closes_at <= now() and not is_computed and not is_finalized
        )), 0),
        count(*) filter (where pay_date < current_date and not is_finalized),
        count(*) filter (
            where pay_date >= current_date and pay_date <= current_date + {DUE_SOON_DAYS}
                and not is_finalized
        )
    from periods
    group by tenant_id
    order by tenant_id
"""

_EXCEPTIONS = """
    select coalesce(t.tenant_id, %(unknown)s), e.reason_code, count(*)
    from marts.fct_attendance_exceptions as e
    left join raw.tenants as t on t.tenant_id = e.tenant_id
    group by 1, 2
    order by 1, 2
"""

# the refused row's reason is free text naming the field; the label is a code
_QUARANTINE = """
    select
        coalesce(t.tenant_id, %(unknown)s),
        r.file_kind,
        case
            when r.field = 'row' then 'malformed_row'
            when r.reason ~ ': required$' then 'missing_value'
            else 'malformed_value'
        end,
        count(*)
    from raw.rejected_rows as r
    left join raw.tenants as t on t.tenant_id = r.tenant_id
    group by 1, 2, 3
    order by 1, 2, 3
"""


def pay_calendar_families(cur: psycopg2.extensions.cursor) -> list[Metric]:
    cur.execute(_PERIODS)
    rows = cur.fetchall()
    families = [
        GaugeMetricFamily(
            "payroll_closed_periods_not_computed",
            "Pay periods closed (their close instant passed) with no successful run "
            "and not finalized.",
            labels=["tenant"],
        ),
        GaugeMetricFamily(
            "payroll_oldest_closed_period_not_computed_age_seconds",
            "Seconds since the oldest closed, not computed period closed (0: none).",
            labels=["tenant"],
        ),
        GaugeMetricFamily(
            "payroll_periods_past_pay_date_not_finalized",
            "Pay periods whose pay date (UTC) has passed and that are not finalized.",
            labels=["tenant"],
        ),
        GaugeMetricFamily(
            "payroll_periods_due_within_2_days_not_finalized",
            f"Pay periods whose pay date is today or within {DUE_SOON_DAYS} days (UTC) "
            "and that are not finalized.",
            labels=["tenant"],
        ),
    ]
    for tenant, *values in rows:
        for family, value in zip(families, values, strict=True):
            family.add_metric([tenant], float(value))
    return families


def exception_families(cur: psycopg2.extensions.cursor) -> list[Metric]:
    cur.execute(_EXCEPTIONS, {"unknown": UNKNOWN_TENANT})
    family = GaugeMetricFamily(
        "payroll_attendance_exceptions",
        "Attendance rows not used (marts.fct_attendance_exceptions), by tenant and reason code.",
        labels=["tenant", "reason"],
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for tenant, reason, count in cur.fetchall():
        counts[(tenant, _code(reason))] += count
    for labels, count in sorted(counts.items()):
        family.add_metric(list(labels), count)
    return [family]


def quarantine_families(cur: psycopg2.extensions.cursor) -> list[Metric]:
    cur.execute(_QUARANTINE, {"unknown": UNKNOWN_TENANT})
    family = GaugeMetricFamily(
        "payroll_quarantined_rows",
        "Input rows refused at ingest (raw.rejected_rows), by tenant, file kind and reason.",
        labels=["tenant", "file", "reason"],
    )
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for tenant, kind, reason, count in cur.fetchall():
        counts[(tenant, _code(kind), reason)] += count
    for labels, count in sorted(counts.items()):
        family.add_metric(list(labels), count)
    return [family]


# --------------------------------------------------------------------------- backups


@dataclass(frozen=True)
class BackupAges:
    newest: float | None
    newest_verified: float | None


def backup_ages(folder: Path, now: float) -> BackupAges:
    """Ages of the newest backup and of the newest one ``payroll restore
    --verify`` proved, from the folder names (the time each was taken) and
    the verification each records beside its manifest."""
    from dagster_project.lib.backup_folder import list_backups

    backups = list_backups(folder)
    newest = now - backups[0].taken_at.timestamp() if backups else None
    for backup in backups:
        if backup.verified is True:
            return BackupAges(newest, now - backup.taken_at.timestamp())
    return BackupAges(newest, None)


def backup_families(folder: Path, now: float) -> list[Metric]:
    ages = backup_ages(folder, now)
    newest = GaugeMetricFamily(
        "payroll_newest_backup_age_seconds",
        "Seconds since the newest backup was taken (+Inf: none yet).",
    )
    newest.add_metric([], math.inf if ages.newest is None else ages.newest)
    verified = GaugeMetricFamily(
        "payroll_newest_verified_backup_age_seconds",
        "Seconds since the newest backup that `payroll restore --verify` proved was taken "
        "(+Inf: none verified yet).",
    )
    verified.add_metric([], math.inf if ages.newest_verified is None else ages.newest_verified)
    return [newest, verified]


# --------------------------------------------------------------------------- collector


class PayrollCollector(Collector):
    """Queries every source on each collect (a scrape); nothing is cached
    but the connections to Dagster's storage."""

    def __init__(
        self,
        warehouse_url: str,
        instance: Callable[[], object],
        backups_dir: Path,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._warehouse_url = warehouse_url
        self._instance_factory = instance
        self._instance = None
        self._instance_lock = threading.Lock()
        self._backups_dir = backups_dir
        self._clock = clock
        # only for logging a source going down once, not at every scrape
        self._was_up: dict[str, float] = {}

    def describe(self) -> Iterable[Metric]:
        return []  # registering must not query anything

    def _dagster(self):
        with self._instance_lock:
            if self._instance is None:
                self._instance = self._instance_factory()
            return self._instance

    def collect(self) -> Iterator[Metric]:
        now = self._clock()
        up: dict[str, float] = {}
        took: dict[str, float] = {}
        families: list[Metric] = []

        def read(source: str, produce: Callable[[], list[Metric]]) -> None:
            started = time.monotonic()
            try:
                families.extend(produce())
                up[source] = 1
            except Exception as error:  # one source down never fails the scrape
                up[source] = 0
                # the class and SQLSTATE only: a message may quote a value
                code = getattr(error, "pgcode", None) or ""
                _log.log(
                    logging.WARNING if self._was_up.get(source, 1) else logging.DEBUG,
                    "metrics_source_failed",
                    source=source,
                    error_class=type(error).__name__,
                    sqlstate=code or None,
                )
            took[source] = time.monotonic() - started

        def dagster(produce: Callable) -> Callable[[], list[Metric]]:
            return lambda: produce(self._dagster())

        read("run_storage", dagster(run_storage_families))
        read("checks", dagster(check_families))
        read("dbt_models", dagster(dbt_model_families))
        read("daemons", dagster(lambda instance: daemon_families(instance, now)))

        conn = None
        try:
            conn = psycopg2.connect(
                self._warehouse_url,
                connect_timeout=5,
                application_name="payroll-metrics",
                options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c timezone=UTC",
            )
            conn.set_session(readonly=True, autocommit=True)
        except psycopg2.Error as error:
            _log.log(
                logging.WARNING if self._was_up.get("pay_calendar", 1) else logging.DEBUG,
                "metrics_warehouse_unreachable",
                error_class=type(error).__name__,
            )
            conn = None
        for source, produce in (
            ("pay_calendar", pay_calendar_families),
            ("attendance_exceptions", exception_families),
            ("quarantine", quarantine_families),
        ):
            if conn is None:
                up[source] = 0
                continue

            def on_warehouse(produce=produce) -> list[Metric]:
                with conn.cursor() as cur:
                    return produce(cur)

            read(source, on_warehouse)
        if conn is not None:
            conn.close()

        read("backups", lambda: backup_families(self._backups_dir, now))
        self._was_up.update(up)

        yield from families
        source_up = GaugeMetricFamily(
            "payroll_metrics_source_up",
            "1 when the source answered this scrape, 0 when it could not be read.",
            labels=["source"],
        )
        source_seconds = GaugeMetricFamily(
            "payroll_metrics_source_duration_seconds",
            "Seconds this scrape spent reading the source.",
            labels=["source"],
        )
        for source in SOURCES:
            source_up.add_metric([source], up.get(source, 0))
            source_seconds.add_metric([source], took.get(source, 0.0))
        yield source_up
        yield source_seconds


def registry_for(collector: PayrollCollector) -> CollectorRegistry:
    """A registry of the payroll metrics only (no process or platform
    collectors: every name starts with ``payroll_``)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def serve(collector: PayrollCollector, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve ``/metrics`` until SIGTERM or Ctrl-C."""
    from prometheus_client import start_http_server

    server, thread = start_http_server(port, addr=host, registry=registry_for(collector))
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ready(f"http://{host}:{server.server_port}/metrics")
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
