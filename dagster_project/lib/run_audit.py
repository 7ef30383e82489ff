"""``marts.payroll_runs``: what each pay-period run did, read from Dagster's
own run storage (status, times, check results) and from the marts it
published (rows in, quarantined, staff paid, totals)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping

import dagster as dg

from dagster_project.defs.periods.partitions import PayPeriodKey, parse_partition_key
from dagster_project.lib.database import transaction

_log = logging.getLogger(__name__)

_FIGURES = """
    with period as (
        select period_start, period_end
        from marts.dim_pay_periods
        where tenant_id = %(tenant)s and period_start = %(period)s
    ),
    attendance_in_period as (
        select a.tenant_id, a.event_id
        from raw.attendance as a, period
        where a.tenant_id = %(tenant)s
            and a.clock_in >= period.period_start - interval '1 day'
            and a.clock_in < period.period_end + interval '2 days'
    )
    select
        (select count(*) from attendance_in_period),
        (
            select count(*) from marts.fct_attendance_exceptions as e
            inner join attendance_in_period as a using (tenant_id, event_id)
        ),
        count(f.staff_id),
        coalesce(sum(f.gross_pay), 0),
        coalesce(sum(f.net_pay), 0)
    from marts.fct_payroll as f
    where f.tenant_id = %(tenant)s and f.period_start = %(period)s
"""

_UPSERT = """
    insert into marts.payroll_runs (
        run_id, tenant_id, period_start, status, started_at, ended_at, rows_in,
        rows_quarantined, staff_paid, total_gross_pay, total_net_pay, check_results
    ) values (
        %(run_id)s, %(tenant)s, %(period)s, %(status)s, %(started)s, %(ended)s, %(rows_in)s,
        %(quarantined)s, %(staff)s, %(gross)s, %(net)s, %(checks)s
    )
    on conflict (run_id) do update set
        status = excluded.status,
        started_at = excluded.started_at,
        ended_at = excluded.ended_at,
        rows_in = excluded.rows_in,
        rows_quarantined = excluded.rows_quarantined,
        staff_paid = excluded.staff_paid,
        total_gross_pay = excluded.total_gross_pay,
        total_net_pay = excluded.total_net_pay,
        check_results = excluded.check_results,
        recorded_at = now()
"""


def _timestamp(seconds: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds else None


def _check_results(instance: dg.DagsterInstance, run_id: str) -> dict[str, bool]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    results: dict[str, bool] = {}
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        key = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        results[key] = bool(evaluation.passed)
    return results


def pay_period_of_run(tags: Mapping[str, str]) -> PayPeriodKey | None:
    """The pay period a run computed: its partition, launched as the job, a
    "Materialize" click or one run of a backfill (a one-partition range)."""
    partition = tags.get("dagster/partition")
    if partition is None:
        start = tags.get("dagster/asset_partition_range_start")
        if start is None or start != tags.get("dagster/asset_partition_range_end"):
            return None
        partition = start
    try:
        return parse_partition_key(partition)
    except ValueError:
        return None


def record_pay_period_run(instance: dg.DagsterInstance, warehouse_url: str, run_id: str) -> None:
    """Copy one pay-period run into ``marts.payroll_runs`` (idempotent)."""
    record = instance.get_run_record_by_id(run_id)
    period = pay_period_of_run(record.dagster_run.tags) if record else None
    if record is None or period is None:
        return
    params = {"tenant": period.tenant_id, "period": period.period_start}
    with transaction(warehouse_url) as conn, conn.cursor() as cur:
        figures = (0, 0, 0, 0, 0)
        cur.execute("select to_regclass('marts.fct_payroll') is not null")
        if cur.fetchone()[0]:
            cur.execute(_FIGURES, params)
            figures = cur.fetchone()
        rows_in, quarantined, staff, gross, net = figures
        cur.execute(
            _UPSERT,
            {
                **params,
                "run_id": run_id,
                "status": record.dagster_run.status.value,
                "started": _timestamp(record.start_time),
                "ended": _timestamp(record.end_time),
                "rows_in": rows_in,
                "quarantined": quarantined,
                "staff": staff,
                "gross": gross,
                "net": net,
                "checks": json.dumps(_check_results(instance, run_id), sort_keys=True),
            },
        )
    _log.info(
        "payroll_run_recorded run_id=%s tenant=%s period_start=%s status=%s",
        run_id,
        period.tenant_id,
        period.period_start,
        record.dagster_run.status.value,
    )
