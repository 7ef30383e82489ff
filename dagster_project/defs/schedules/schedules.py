"""Pay periods run by themselves: one hourly schedule launches each tenant's
period when it closes (+ ``PAYROLL_SCHEDULE_CLOSE_DELAY_HOURS`` for late
punches), from the published calendar (``marts.dim_pay_periods.closes_at``,
the one definition of "closed") — never from a cron per tenant, since
biweekly periods follow the tenant's anchor date, not the calendar."""

import datetime as dt

import dagster as dg
import psycopg2.errors

from dagster_project.core.names import PAY_PERIOD_JOB
from dagster_project.core.periods import PayPeriodKey
from dagster_project.core.tags import PERIOD_TAG, TENANT_TAG, TRIGGER_TAG
from dagster_project.defs.periods.jobs import pay_period_job
from dagster_project.defs.periods.partitions import PAY_PERIODS, run_request
from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource

SCHEDULE_NAME = "pay_period_close_schedule"
_DUE = """
    select
        p.tenant_id,
        p.period_start,
        exists (
            select 1 from control.pay_period_finalizations as f
            where f.tenant_id = p.tenant_id and f.period_start = p.period_start
        )
    from marts.dim_pay_periods as p
    where p.closes_at + %(delay)s > %(after)s and p.closes_at + %(delay)s <= %(until)s
    order by p.tenant_id, p.period_start
"""
_TENANTS = "select count(distinct tenant_id) from marts.dim_pay_periods"
# Dagster tags every run a schedule launches with these.
_SCHEDULE_NAME_TAG = "dagster/schedule_name"


def _launched_by_this_schedule(instance: dg.DagsterInstance, key: PayPeriodKey) -> bool:
    """A run_key only deduplicates within one tick: across ticks (catch-up after
    downtime) the run storage says whether this period was launched already,
    alone or inside a range."""
    records = instance.get_run_records(
        dg.RunsFilter(
            job_name=PAY_PERIOD_JOB,
            tags={_SCHEDULE_NAME_TAG: SCHEDULE_NAME, TENANT_TAG: key.tenant_id},
        ),
        limit=50,
    )
    for record in records:
        span = record.dagster_run.tags.get(PERIOD_TAG, "")
        first, _, last = span.partition("..")
        if first and first <= key.period_start.isoformat() <= (last or first):
            return True
    return False


def _request(keys: list[PayPeriodKey]) -> dg.RunRequest:
    """One run for a tenant's due periods (a range when catching up)."""
    run_key = keys[0].partition_key
    if len(keys) > 1:
        run_key = f"{run_key}..{keys[-1].partition_key}"
    return run_request(keys, run_key, {TRIGGER_TAG: "period-close"})


def period_close_requests(
    context: dg.ScheduleEvaluationContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> list[dg.RunRequest] | dg.SkipReason:
    tick = context.scheduled_execution_time.astimezone(dt.UTC)
    delay = dt.timedelta(hours=payroll_settings.schedule_close_delay_hours)
    window_start = tick - dt.timedelta(hours=payroll_settings.schedule_catchup_hours)
    try:
        with warehouse.transaction() as conn, conn.cursor() as cur:
            cur.execute(_DUE, {"delay": delay, "after": window_start, "until": tick})
            rows = cur.fetchall()
            cur.execute(_TENANTS)
            (tenant_count,) = cur.fetchone()
    except psycopg2.errors.UndefinedTable:
        return dg.SkipReason("the warehouse has no pay calendar yet: run `payroll ingest` first")
    due = [PayPeriodKey(tenant_id, start) for tenant_id, start, _ in rows]
    finalized = {PayPeriodKey(tenant_id, start) for tenant_id, start, done in rows if done}
    # most hourly ticks find nothing due: only then ask the instance
    registered = set(context.instance.get_dynamic_partitions(PAY_PERIODS.name)) if due else set()
    due_by_tenant: dict[str, list[PayPeriodKey]] = {}
    skipped = []
    for key in due:
        where = f"tenant={key.tenant_id} period_start={key.period_start}"
        if key in finalized:
            skipped.append(f"{key.partition_key} finalized")
        elif key.partition_key not in registered:
            # no calendar built since the period began: a later tick within
            # the catch-up window launches it
            context.log.info(f"pay_period_due_unregistered {where}")
            skipped.append(f"{key.partition_key} not registered yet")
        elif _launched_by_this_schedule(context.instance, key):
            skipped.append(f"{key.partition_key} already launched")
        else:
            context.log.info(f"pay_period_closed_launch {where} tick={tick.isoformat()}")
            due_by_tenant.setdefault(key.tenant_id, []).append(key)
    requests = [_request(keys) for _, keys in sorted(due_by_tenant.items())]
    if requests:
        return requests
    if skipped:
        return dg.SkipReason("due periods not launched: " + "; ".join(skipped))
    return dg.SkipReason(
        f"no pay period of {tenant_count} tenant(s) closed (+{delay}) between "
        f"{window_start.isoformat()} and {tick.isoformat()}"
    )


@dg.schedule(
    name=SCHEDULE_NAME,
    cron_schedule="0 * * * *",
    execution_timezone="UTC",
    job=pay_period_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour: launches each tenant's pay period once it has closed (local "
    "midnight after its last day, at its last location) plus PAYROLL_SCHEDULE_CLOSE_DELAY_HOURS. "
    "run_key = <tenant>|<period start>; periods missed while the daemon was down are "
    "launched on the next tick (PAYROLL_SCHEDULE_CATCHUP_HOURS), a tenant's in one run.",
)
def pay_period_close_schedule(
    context: dg.ScheduleEvaluationContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> list[dg.RunRequest] | dg.SkipReason:
    return period_close_requests(context, warehouse, payroll_settings)


def defs() -> dg.Definitions:
    return dg.Definitions(schedules=[pay_period_close_schedule])
