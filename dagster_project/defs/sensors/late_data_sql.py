"""Which computed pay periods received attendance after they were computed.

A period counts as computed at the start of its latest successful run
(``marts.payroll_runs``). A row is late for a closed, computed period when it
was loaded (or its superseded version was replaced by a correction) after
that start and it touches the period.

Which periods a row touches is read from the published calendar, never
worked out here: a punch touches the periods whose attendance window
(``marts.dim_pay_periods.attendance_from`` .. ``attendance_to``, the clock-ins
every model, check and audit of the period reads) holds its clock-in — the
window reaches back over the period's first workweek, whose overtime the
period pays, so the pay-calendar and workweek rules stay in dbt alone. A
bonus, which has a work date and no clock-in, touches the periods whose
window holds that date's midnight UTC. The window is wider than the days
the row is paid on (up to eight days before the period, two after): a
neighbouring period may be recomputed without its figures changing, which
costs a run, never a wrong figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg2.extensions

from dagster_project.core.periods import PayPeriodKey

# A delivery or a newly recorded run since the last evaluation: only then can
# the answer change, so the heavy query below runs only then.
WATERMARKS = """
    select
        (select max(ingested_at) from raw.ingested_files),
        (select max(recorded_at) from marts.payroll_runs)
"""

LATE_PERIODS = """
    with

    latest_success as (
        select tenant_id, period_start, max(started_at) as computed_at
        from marts.payroll_runs
        where status = 'SUCCESS' and started_at is not null
        group by tenant_id, period_start
    ),

    computed_periods as (
        select
            p.tenant_id,
            p.period_start,
            p.attendance_from,
            p.attendance_to,
            s.computed_at,
            f.tenant_id is not null as is_finalized
        from marts.dim_pay_periods as p
        inner join latest_success as s
            on s.tenant_id = p.tenant_id and s.period_start = p.period_start
        left join control.pay_period_finalizations as f
            on f.tenant_id = p.tenant_id and f.period_start = p.period_start
        where p.is_closed
    ),

    oldest as (
        select min(computed_at) as computed_at from computed_periods
    ),

    -- every change since the oldest computation, at the instant that places
    -- it in attendance windows
    changes as (
        select a.tenant_id, a.clock_in as placed_at, a.loaded_at as changed_at
        from raw.attendance as a, oldest
        where a.loaded_at > oldest.computed_at

        union all

        -- the version a correction replaced: its old clock-in loses hours
        select s.tenant_id, s.clock_in, s.superseded_at
        from raw.attendance_superseded as s, oldest
        where s.reason = 'replaced_by_correction' and s.superseded_at > oldest.computed_at

        union all

        select a.tenant_id, a.work_date::timestamp at time zone 'UTC', a.loaded_at
        from raw.adjustments as a, oldest
        where a.loaded_at > oldest.computed_at
    )

    select
        p.tenant_id,
        p.period_start,
        p.is_finalized,
        count(*) as late_rows,
        max(c.changed_at) as newest_change
    from computed_periods as p
    inner join changes as c
        on c.tenant_id = p.tenant_id
        and c.placed_at >= p.attendance_from
        and c.placed_at < p.attendance_to
        and c.changed_at > p.computed_at
    group by p.tenant_id, p.period_start, p.is_finalized
    order by p.tenant_id, p.period_start
"""

# Open periods of the tenant after a date, with their pay date and when they
# were last computed (null: never).
OPEN_PERIODS_AFTER = """
    select p.period_start, p.pay_date, max(r.started_at) as computed_at
    from marts.dim_pay_periods as p
    left join marts.payroll_runs as r
        on r.tenant_id = p.tenant_id
        and r.period_start = p.period_start
        and r.status = 'SUCCESS'
    where p.tenant_id = %(tenant)s
        and p.period_start > %(after)s
        and not exists (
            select 1 from control.pay_period_finalizations as f
            where f.tenant_id = p.tenant_id and f.period_start = p.period_start
        )
    group by p.period_start, p.pay_date
    order by p.period_start
"""

PAY_DATE = """
    select pay_date from marts.dim_pay_periods where tenant_id = %s and period_start = %s
"""


@dataclass(frozen=True)
class LatePeriod:
    key: PayPeriodKey
    is_finalized: bool
    late_rows: int
    newest_change: dt.datetime


@dataclass(frozen=True)
class OpenPeriod:
    key: PayPeriodKey
    pay_date: dt.date
    computed_at: dt.datetime | None


def watermarks(conn: psycopg2.extensions.connection) -> tuple[str, str]:
    with conn.cursor() as cur:
        cur.execute(WATERMARKS)
        files, runs = cur.fetchone()
    return (files.isoformat() if files else "", runs.isoformat() if runs else "")


def late_periods(conn: psycopg2.extensions.connection) -> list[LatePeriod]:
    with conn.cursor() as cur:
        cur.execute(LATE_PERIODS)
        rows = cur.fetchall()
    return [
        LatePeriod(PayPeriodKey(tenant_id, start), finalized, rows_late, newest)
        for tenant_id, start, finalized, rows_late, newest in rows
    ]


def open_periods_after(
    conn: psycopg2.extensions.connection, tenant_id: str, after: dt.date
) -> list[OpenPeriod]:
    with conn.cursor() as cur:
        cur.execute(OPEN_PERIODS_AFTER, {"tenant": tenant_id, "after": after})
        rows = cur.fetchall()
    return [OpenPeriod(PayPeriodKey(tenant_id, start), pay, at) for start, pay, at in rows]


def pay_date(conn: psycopg2.extensions.connection, key: PayPeriodKey) -> dt.date | None:
    with conn.cursor() as cur:
        cur.execute(PAY_DATE, (key.tenant_id, key.period_start))
        row = cur.fetchone()
    return row[0] if row else None
