"""``marts.payroll_runs``: what each pay-period run did, read from Dagster's
own run storage (status, times, check results) and from the marts it
published (rows in, quarantined, staff paid, totals)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from dagster_project.core.names import PAY_PERIOD_PARTITIONS
from dagster_project.core.periods import PayPeriodKey, parse_partition_key
from dagster_project.lib.database import transaction
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)

_FIGURES = """
    with period as (
        select attendance_from, attendance_to
        from marts.dim_pay_periods
        where tenant_id = %(tenant)s and period_start = %(period)s
    ),
    -- the attendance a run of the period classifies
    attendance_in_period as (
        select a.tenant_id, a.event_id, a.file_sha256
        from raw.attendance as a, period
        where a.tenant_id = %(tenant)s
            and a.clock_in >= period.attendance_from
            and a.clock_in < period.attendance_to
    ),
    -- the tenant's attendance rows refused at ingest that belong to the same
    -- window: by their clock-in when that value was valid (another field was
    -- bad; raw.rejected_rows.clock_in). A row whose clock-in itself could not
    -- be read has no date: it counts with the periods its delivered file
    -- brought attendance for (the file's current rows in the window), so it
    -- is counted where its delivery is, not in every later run of the tenant.
    -- A file of nothing but unreadable rows dates none: those rows are in no
    -- period's count (they are still listed in fct_attendance_exceptions).
    refused_in_period as (
        select r.file_sha256, r.source_row
        from raw.rejected_rows as r, period
        where r.tenant_id = %(tenant)s
            and r.file_kind = 'attendance'
            and (
                (r.clock_in >= period.attendance_from and r.clock_in < period.attendance_to)
                or (
                    r.clock_in is null
                    and r.file_sha256 in (select file_sha256 from attendance_in_period)
                )
            )
    )
    select
        (select count(*) from attendance_in_period)
            + (select count(*) from refused_in_period),
        (
            select count(*) from marts.fct_attendance_exceptions as e
            inner join attendance_in_period as a using (tenant_id, event_id)
            -- refused rows are counted once, above, by file and row: their
            -- event id may be that of a loaded event
            where e.reason_code <> 'malformed_value'
        ) + (select count(*) from refused_in_period),
        count(f.staff_id),
        sum(f.gross_pay),
        sum(f.net_pay)
    from marts.fct_payroll as f
    -- what this run published, never an earlier run's rows
    where f.tenant_id = %(tenant)s and f.period_start = %(period)s
        and f.run_id = %(run_id)s
"""

_UPSERT = """
    insert into marts.payroll_runs (
        run_id, tenant_id, period_start, status, started_at, ended_at, rows_in,
        rows_quarantined, staff_paid, total_gross_pay, total_net_pay, check_results
    ) values (
        %(run_id)s, %(tenant)s, %(period)s, %(status)s, %(started)s, %(ended)s, %(rows_in)s,
        %(quarantined)s, %(staff)s, %(gross)s, %(net)s, %(checks)s
    )
    on conflict (run_id, tenant_id, period_start) do update set
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


def pay_periods_of_run(
    tags: Mapping[str, str], registered: Sequence[str] | None = None
) -> list[PayPeriodKey]:
    """The pay periods a run targeted, in order: its partition (launched as
    the job or a "Materialize" click), or its partition range (a backfill, a
    range run) resolved against the ``registered`` partition keys."""
    partition = tags.get("dagster/partition")
    if partition is not None:
        keys = [partition]
    else:
        start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
        end = tags.get(ASSET_PARTITION_RANGE_END_TAG)
        if start is None or end is None:
            return []
        if start == end:
            keys = [start]
        elif registered is None or start not in registered or end not in registered:
            return []
        else:
            keys = list(registered[registered.index(start) : registered.index(end) + 1])
    periods = []
    for key in keys:
        try:
            periods.append(parse_partition_key(key))
        except ValueError:
            return []
    return sorted(periods)


def record_pay_period_run(instance: dg.DagsterInstance, warehouse_url: str, run_id: str) -> None:
    """Copy one pay-period run into ``marts.payroll_runs``, one row per
    period it computed (finalized periods of its range are skipped)."""
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        return
    tags = record.dagster_run.tags
    registered = (
        instance.get_dynamic_partitions(PAY_PERIOD_PARTITIONS)
        if "dagster/partition" not in tags
        else None
    )
    periods = pay_periods_of_run(tags, registered)
    if not periods:
        return
    checks = json.dumps(_check_results(instance, run_id), sort_keys=True)
    status = record.dagster_run.status.value
    with transaction(warehouse_url) as conn, conn.cursor() as cur:
        finalized = _finalized_before(cur, periods, record.start_time)
        cur.execute("select to_regclass('marts.fct_payroll') is not null")
        has_payroll = cur.fetchone()[0]
        for period in periods:
            if period in finalized:
                continue
            params = {"tenant": period.tenant_id, "period": period.period_start}
            figures = (0, 0, 0, None, None)
            if has_payroll:
                cur.execute(_FIGURES, {**params, "run_id": run_id})
                figures = cur.fetchone()
            rows_in, quarantined, staff, gross, net = figures
            if status == "SUCCESS":
                # a period with no one to pay: paid nothing, not unknown
                gross, net = gross or 0, net or 0
            elif not staff:
                staff = None  # the run published nothing: no totals of its own
            cur.execute(
                _UPSERT,
                {
                    **params,
                    "run_id": run_id,
                    "status": status,
                    "started": _timestamp(record.start_time),
                    "ended": _timestamp(record.end_time),
                    "rows_in": rows_in,
                    "quarantined": quarantined,
                    "staff": staff,
                    "gross": gross,
                    "net": net,
                    "checks": checks,
                },
            )
    _log.info(
        "payroll_run_recorded",
        run_id=run_id,
        periods=len(periods) - len(finalized),
        first=periods[0].partition_key,
        last=periods[-1].partition_key,
        status=record.dagster_run.status.value,
    )


def _finalized_before(cur, periods: Sequence[PayPeriodKey], started: float | None) -> set:
    """Periods of the range already finalized when the run started (it
    skipped them)."""
    cur.execute(
        "select tenant_id, period_start from control.pay_period_finalizations "
        "where finalized_at < coalesce(%s, now()) and (tenant_id, period_start) in "
        "(select * from unnest(%s::text[], %s::date[]))",
        (
            _timestamp(started),
            [p.tenant_id for p in periods],
            [p.period_start for p in periods],
        ),
    )
    return {PayPeriodKey(tenant_id, start) for tenant_id, start in cur.fetchall()}
