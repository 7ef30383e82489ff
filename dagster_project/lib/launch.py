"""Launching pay-period runs through the Dagster instance.

Runs execute in this process but are recorded in the instance's Postgres run
storage with their partition (or partition range), exactly as a run
launched from the UI. Many periods of a tenant are one run. The caller hands
in the code location's ``Definitions`` the jobs are resolved from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project.core.names import CALENDAR_JOB, PAY_PERIOD_JOB, PAY_PERIOD_PARTITIONS
from dagster_project.core.periods import PayPeriodKey, parse_partition_key
from dagster_project.core.tags import range_tags
from dagster_project.lib.database import transaction, warehouse_url
from dagster_project.lib.logs import also_to_file, configured_level, get_logger, stdout_to_log
from dagster_project.lib.pay_calendar import calendar_is_current
from dagster_project.lib.run_audit import record_pay_period_run
from dagster_project.settings import get_settings

_log = get_logger(__name__)


def _run_config() -> dict:
    """Dagster's lines at INFO (DEBUG when asked for): the run log keeps them,
    the terminal shows the operator's level (WARNING by default)."""
    level = "DEBUG" if configured_level() == "DEBUG" else "INFO"
    return {"loggers": {"console": {"config": {"log_level": level}}}}


@dataclass(frozen=True)
class RunOutcome:
    periods: tuple[PayPeriodKey, ...]
    run_id: str
    success: bool
    failed_checks: tuple[str, ...]
    failed_steps: tuple[str, ...]


def run_log_path() -> Path:
    return get_settings().home_dir / "logs" / "runs.log"


@contextlib.contextmanager
def _to_run_log(path: Path | None = None) -> Iterator[None]:
    """The run's lines at INFO — dbt's progress relayed, Dagster's events, our
    modules' — are appended to ``path`` (default ``PAYROLL_HOME/logs/runs.log``)
    as JSON; the terminal shows the operator's level. Anything a library
    prints goes there too, never over the pay register."""
    path = path or run_log_path()
    with also_to_file(path), stdout_to_log(__name__):
        yield


def _outcome(periods: Sequence[PayPeriodKey], result: dg.ExecuteInProcessResult) -> RunOutcome:
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
    return RunOutcome(tuple(periods), result.run_id, result.success, failed_checks, failed_steps)


def calendar_is_up_to_date(url: str, instance: dg.DagsterInstance, as_of: str | None) -> bool:
    """The published calendar was built from today's inputs and every one of
    its periods is a registered partition: no calendar run is needed."""
    with transaction(url) as conn:
        if not calendar_is_current(conn, as_of):
            return False
    registered = set(instance.get_dynamic_partitions(PAY_PERIOD_PARTITIONS))
    return all(
        period.partition_key in registered
        for period in _periods(url, "select tenant_id, period_start from marts.dim_pay_periods", {})
    )


def refresh_calendar(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    as_of: str | None = None,
    *,
    log_path: Path | None = None,
) -> RunOutcome:
    """Seeds, staging views, ``dim_pay_periods`` as of ``as_of`` (None: now);
    registers new period partitions."""
    job = definitions.resolve_job_def(CALENDAR_JOB)
    run_config = {
        **_run_config(),
        "ops": {"pay_calendar_models": {"config": {"as_of": as_of}}},
    }
    with _to_run_log(log_path):
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config
        )
    return _outcome((), result)


def run_periods(
    definitions: dg.Definitions, instance: dg.DagsterInstance, periods: Sequence[PayPeriodKey]
) -> RunOutcome:
    """ONE run computing ``periods`` — a contiguous range of one tenant's
    registered partitions (``plan_runs``) — in one dbt build."""
    job = definitions.resolve_job_def(PAY_PERIOD_JOB)
    with _to_run_log():
        result = job.execute_in_process(
            instance=instance,
            tags=range_tags(periods),
            raise_on_error=False,
            run_config=_run_config(),
        )
    outcome = _outcome(periods, result)
    # no daemon watches in-process runs: record this one like the sensor would
    record_pay_period_run(instance, warehouse_url(), outcome.run_id)
    _log.info(
        "pay_period_run",
        periods=len(periods),
        first=periods[0].partition_key,
        last=periods[-1].partition_key,
        run_id=outcome.run_id,
        success=outcome.success,
    )
    return outcome


def plan_runs(
    url: str, instance: dg.DagsterInstance, requested: Sequence[PayPeriodKey]
) -> list[list[PayPeriodKey]]:
    """One run per tenant: the tenant's registered periods from its first
    requested one through its last requested one or the last later computed
    period of the same year, whichever is later (their year-to-date figures
    depend on the earlier ones), so a cascade is part of the same run."""
    registered = registered_periods(instance)
    plans = []
    for tenant_id in sorted({p.tenant_id for p in requested}):
        wanted = sorted(p for p in requested if p.tenant_id == tenant_id)
        first = wanted[0]
        later = later_computed_periods(url, first)
        last = max([wanted[-1], *later])
        plans.append(
            [
                p
                for p in registered
                if p.tenant_id == tenant_id
                and first.period_start <= p.period_start
                and p.period_start <= last.period_start
            ]
        )
    return [plan for plan in plans if plan]


def registered_periods(instance: dg.DagsterInstance) -> list[PayPeriodKey]:
    keys = instance.get_dynamic_partitions(PAY_PERIOD_PARTITIONS)
    return sorted(parse_partition_key(key) for key in keys)


def closed_unpaid_periods(url: str, tenant_id: str | None) -> list[PayPeriodKey]:
    """Closed periods never computed yet (no pay register, no successful
    run: a period with no one to pay is done once computed), oldest first."""
    closed = """
        select p.tenant_id, p.period_start
        from marts.dim_pay_periods as p
        where p.is_closed
          and (%(tenant)s::text is null or p.tenant_id = %(tenant)s)
          and not exists (
              select 1 from marts.payroll_runs as r
              where r.tenant_id = p.tenant_id and r.period_start = p.period_start
                  and r.status = 'SUCCESS'
          )
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
    if not _payroll_exists(url):
        return []
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
