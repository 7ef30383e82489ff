"""Registers every pay period of ``marts.dim_pay_periods`` as a partition."""

import datetime as dt

import dagster as dg

from dagster_project.defs.periods.partitions import PAY_PERIODS, PayPeriodKey
from dagster_project.defs.resources import WarehouseResource

DIM_PAY_PERIODS = dg.AssetKey(["marts", "dim_pay_periods"])


def pay_periods_in_warehouse(warehouse: WarehouseResource) -> list[PayPeriodKey]:
    with warehouse.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "select tenant_id, period_start from marts.dim_pay_periods "
            "order by tenant_id, period_start"
        )
        rows = cur.fetchall()
    return [PayPeriodKey(tenant_id, period_start) for tenant_id, period_start in rows]


def keys_to_register(periods: list[PayPeriodKey], registered: list[str]) -> list[str]:
    """Keys to (re-)add so that each tenant's partitions stay in period order
    (backfills run in that order, and year-to-date taxes depend on it): the
    new periods, plus the registered later periods of a tenant that received
    an earlier one (history loaded late)."""
    known = set(registered)
    new = [period for period in periods if period.partition_key not in known]
    earliest_new: dict[str, dt.date] = {}
    for period in new:
        earliest_new.setdefault(period.tenant_id, period.period_start)
    return [
        period.partition_key
        for period in sorted(periods)
        if period.partition_key not in known
        or (
            period.tenant_id in earliest_new
            and period.period_start > earliest_new[period.tenant_id]
        )
    ]


@dg.asset(
    key=["dagster", "pay_period_partitions"],
    deps=[DIM_PAY_PERIODS],
    group_name="periods",
    owners=["team:payroll"],
    description="One Dagster partition per tenant pay period, so the UI shows only real periods.",
)
def pay_period_partitions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    periods = pay_periods_in_warehouse(warehouse)
    keys = [period.partition_key for period in periods]
    registered = context.instance.get_dynamic_partitions(PAY_PERIODS.name)
    to_add = keys_to_register(periods, registered)
    # keys re-added keep their history (events are keyed by the key string)
    for key in set(to_add) & set(registered):
        context.instance.delete_dynamic_partition(PAY_PERIODS.name, key)
    if to_add:
        context.instance.add_dynamic_partitions(PAY_PERIODS.name, to_add)
    new_keys = [key for key in to_add if key not in registered]
    context.log.info(f"pay_periods_registered total={len(keys)} new={len(new_keys)}")
    return dg.MaterializeResult(
        metadata={"pay_periods": len(keys), "new_pay_periods": len(new_keys)}
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[pay_period_partitions])
