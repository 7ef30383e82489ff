"""Launching pay-period runs through the Dagster instance.

Runs execute in this process but are recorded in the instance's Postgres run
storage with their partition, exactly as a run launched from the UI.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project.defs.periods.jobs import CALENDAR_JOB, PAY_PERIOD_JOB
from dagster_project.defs.periods.partitions import (
    PAY_PERIODS,
    PERIOD_TAG,
    TENANT_TAG,
    PayPeriodKey,
)
from dagster_project.lib.database import transaction, warehouse_url
from dagster_project.lib.run_audit import record_pay_period_run
from dagster_project.settings import get_settings

_log = logging.getLogger(__name__)

# The console logger would print every Dagster event; the event log keeps them.
_QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass(frozen=True)
class RunOutcome:
    period: PayPeriodKey | None
    run_id: str
    success: bool
    failed_checks: tuple[str, ...]
    failed_steps: tuple[str, ...]


def run_log_path() -> Path:
    return get_settings().home_dir / "logs" / "runs.log"


@contextlib.contextmanager
def _dbt_output_to_run_log() -> Iterator[None]:
    """dbt's progress lines go to ``PAYROLL_HOME/logs/runs.log`` (and to the
    run's event log), not over the operator's terminal."""
    path = run_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        yield


def _definitions() -> dg.Definitions:
    from dagster_project.definitions import defs

    return defs()


def _outcome(period: PayPeriodKey | None, result: dg.ExecuteInProcessResult) -> RunOutcome:
    # "build/fct_payroll:gx_suite — fct_payroll: 1 of 40 failed over 3 rows: …"
    failed_checks = tuple(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        + (f" — {evaluation.description}" if evaluation.description else "")
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    )
    failed_steps = tuple(
        event.step_key or "?" for event in result.all_events if event.is_step_failure
    )
    return RunOutcome(period, result.run_id, result.success, failed_checks, failed_steps)


def refresh_calendar(instance: dg.DagsterInstance) -> RunOutcome:
    """Seeds, staging views, ``dim_pay_periods``; registers new period partitions."""
    job = _definitions().resolve_job_def(CALENDAR_JOB)
    with _dbt_output_to_run_log():
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=_QUIET_RUN_CONFIG
        )
    return _outcome(None, result)


def run_period(instance: dg.DagsterInstance, period: PayPeriodKey) -> RunOutcome:
    job = _definitions().resolve_job_def(PAY_PERIOD_JOB)
    with _dbt_output_to_run_log():
        result = job.execute_in_process(
            instance=instance,
            partition_key=period.partition_key,
            tags={TENANT_TAG: period.tenant_id, PERIOD_TAG: period.period_start.isoformat()},
            raise_on_error=False,
            run_config=_QUIET_RUN_CONFIG,
        )
    outcome = _outcome(period, result)
    # no daemon watches in-process runs: record this one like the sensor would
    record_pay_period_run(instance, warehouse_url(), outcome.run_id)
    _log.info(
        "pay_period_run tenant=%s period_start=%s run_id=%s success=%s",
        period.tenant_id,
        period.period_start,
        outcome.run_id,
        outcome.success,
    )
    return outcome


def registered_periods(instance: dg.DagsterInstance) -> list[PayPeriodKey]:
    from dagster_project.defs.periods.partitions import parse_partition_key

    keys = instance.get_dynamic_partitions(PAY_PERIODS.name)
    return sorted(parse_partition_key(key) for key in keys)


def closed_unpaid_periods(url: str, tenant_id: str | None) -> list[PayPeriodKey]:
    """Closed periods with no pay register yet, oldest first (year-to-date order)."""
    closed = """
        select p.tenant_id, p.period_start
        from marts.dim_pay_periods as p
        where p.is_closed
          and (%(tenant)s::text is null or p.tenant_id = %(tenant)s)
        order by p.tenant_id, p.period_start
    """
    paid = set(computed_periods(url)) if _payroll_exists(url) else set()
    return [p for p in _periods(url, closed, {"tenant": tenant_id}) if p not in paid]


def _payroll_exists(url: str) -> bool:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('marts.fct_payroll') is not null")
        return bool(cur.fetchone()[0])


def later_computed_periods(url: str, period: PayPeriodKey) -> list[PayPeriodKey]:
    """Open periods of the same tenant and pay-date year computed after
    ``period``: their year-to-date figures depend on it (finalized ones never
    change)."""
    sql = """
        select distinct later.tenant_id, later.period_start
        from marts.dim_pay_periods as this
        inner join marts.fct_payroll as later
            on later.tenant_id = this.tenant_id
            and later.pay_date > this.pay_date
            and extract(year from later.pay_date) = extract(year from this.pay_date)
        where this.tenant_id = %(tenant)s and this.period_start = %(period)s
            and not exists (
                select 1 from control.pay_period_finalizations as f
                where f.tenant_id = later.tenant_id and f.period_start = later.period_start
            )
        order by later.tenant_id, later.period_start
    """
    return _periods(url, sql, {"tenant": period.tenant_id, "period": period.period_start})


def computed_periods(url: str) -> list[PayPeriodKey]:
    if not _payroll_exists(url):
        return []
    sql = (
        "select distinct tenant_id, period_start from marts.fct_payroll "
        "order by tenant_id, period_start"
    )
    return _periods(url, sql, {})


def tenants(url: str) -> list[str]:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("select tenant_id from raw.tenants order by tenant_id")
        return [row[0] for row in cur.fetchall()]


def _periods(url: str, sql: str, params: dict[str, object]) -> list[PayPeriodKey]:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows: list[tuple[str, dt.date]] = cur.fetchall()
    return [PayPeriodKey(tenant_id, period_start) for tenant_id, period_start in rows]
