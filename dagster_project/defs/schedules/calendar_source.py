"""Tenants' pay calendars as the warehouse holds them (``raw.tenants`` and the
time zones of ``raw.locations``)."""

from __future__ import annotations

import datetime as dt

import psycopg2.extensions

from dagster_project.core.periods import PayPeriodKey
from dagster_project.defs.schedules.pay_calendar import CalendarError, PayCalendar, Period

_CALENDARS = """
    select
        t.tenant_id,
        t.pay_frequency,
        t.period_anchor,
        coalesce(
            array_agg(distinct l.timezone) filter (where l.timezone is not null),
            '{}'::text[]
        )
    from raw.tenants as t
    left join raw.locations as l on l.tenant_id = t.tenant_id
    group by t.tenant_id, t.pay_frequency, t.period_anchor
    order by t.tenant_id
"""

_FINALIZED = """
    select tenant_id, period_start
    from control.pay_period_finalizations
    where tenant_id = any(%s)
"""


def load_calendars(
    conn: psycopg2.extensions.connection,
) -> tuple[list[PayCalendar], list[str]]:
    """Every tenant's calendar, and one message per tenant whose calendar is
    unusable (no location yet, unknown time zone): the others still run."""
    with conn.cursor() as cur:
        cur.execute(_CALENDARS)
        rows: list[tuple[str, str, dt.date | None, list[str]]] = cur.fetchall()
    calendars, problems = [], []
    for tenant_id, frequency, anchor, timezones in rows:
        try:
            calendars.append(PayCalendar(tenant_id, frequency, anchor, tuple(sorted(timezones))))
        except CalendarError as exc:
            problems.append(str(exc))
    return calendars, problems


def finalized_periods(
    conn: psycopg2.extensions.connection, tenant_ids: list[str]
) -> set[PayPeriodKey]:
    if not tenant_ids:
        return set()
    with conn.cursor() as cur:
        cur.execute(_FINALIZED, (tenant_ids,))
        return {PayPeriodKey(tenant_id, start) for tenant_id, start in cur.fetchall()}


def period_key(period: Period) -> PayPeriodKey:
    return PayPeriodKey(period.tenant_id, period.start)
