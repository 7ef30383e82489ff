"""The pay periods a build computes, handed to dbt through the warehouse.

A run writes its periods into ``control.pay_period_build`` under the
warehouse writer lock, runs one ``dbt build`` (the models read the table
when each node is compiled: ``dbt_project/macros/build_selection.sql``),
stages what was built, and empties the table. Nothing per run reaches dbt
as ``--vars``, so the project is never parsed again for a new period.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg2.extensions
import psycopg2.extras

from dagster_project.core.periods import PayPeriodKey


def select_periods(
    conn: psycopg2.extensions.connection, run_id: str, periods: Iterable[PayPeriodKey]
) -> int:
    """Replace the selection with ``periods`` of run ``run_id``; rows written."""
    rows = sorted({(p.tenant_id, p.period_start, run_id) for p in periods})
    if not rows:
        raise ValueError("a build selects at least one pay period")
    with conn.cursor() as cur:
        cur.execute("delete from control.pay_period_build")
        psycopg2.extras.execute_values(
            cur,
            "insert into control.pay_period_build (tenant_id, period_start, run_id) values %s",
            rows,
        )
        # the models plan their joins on it: keep its estimates exact
        cur.execute("analyze control.pay_period_build")
    return len(rows)


def clear_selection(conn: psycopg2.extensions.connection) -> None:
    with conn.cursor() as cur:
        cur.execute("delete from control.pay_period_build")


def finalized_periods(
    conn: psycopg2.extensions.connection, periods: Iterable[PayPeriodKey]
) -> set[PayPeriodKey]:
    """The finalized ones among ``periods``: a range run skips them."""
    keys = [(p.tenant_id, p.period_start) for p in periods]
    if not keys:
        return set()
    with conn.cursor() as cur:
        psycopg2.extras.execute_values(
            cur,
            "select f.tenant_id, f.period_start from control.pay_period_finalizations as f "
            "inner join (values %s) as k (tenant_id, period_start) "
            "on f.tenant_id = k.tenant_id and f.period_start = k.period_start::date",
            keys,
        )
        return {PayPeriodKey(tenant_id, start) for tenant_id, start in cur.fetchall()}
