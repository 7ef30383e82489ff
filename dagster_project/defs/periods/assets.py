"""Registers every pay period of ``marts.dim_pay_periods`` as a partition."""

import dagster as dg

from dagster_project.core.names import OWNER
from dagster_project.core.periods import PayPeriodKey
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import WarehouseResource

DIM_PAY_PERIODS = dg.AssetKey(["marts", "dim_pay_periods"])


def pay_periods_in_warehouse(warehouse: WarehouseResource) -> list[PayPeriodKey]:
    with warehouse.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "select tenant_id, period_start from marts.dim_pay_periods "
            "order by tenant_id, period_start"
        )
        rows = cur.fetchall()
    return [PayPeriodKey(tenant_id, period_start) for tenant_id, period_start in rows]


def keys_to_register(
    periods: list[PayPeriodKey], registered: list[str]
) -> tuple[list[str], list[str]]:
    """(keys to delete, keys to add) so that each tenant's partitions are one
    contiguous block in period order: a partition range (a backfill, a range
    run) of a tenant then holds exactly its periods from first to last, in
    year-to-date order. A tenant that gets a new period — or an earlier one
    (history loaded late) — has its whole block re-registered at the end."""
    by_tenant: dict[str, list[str]] = {}
    for period in sorted(periods):
        by_tenant.setdefault(period.tenant_id, []).append(period.partition_key)
    order = list(registered)
    to_delete: list[str] = []
    to_add: list[str] = []
    for tenant_id, keys in by_tenant.items():
        indexes = [i for i, key in enumerate(order) if _tenant_of(key) == tenant_id]
        mine = [order[i] for i in indexes]
        contiguous = not indexes or indexes[-1] - indexes[0] + 1 == len(indexes)
        if mine == keys and contiguous:
            continue
        at_end = not indexes or indexes[-1] == len(order) - 1
        if contiguous and at_end and keys[: len(mine)] == mine:
            new = keys[len(mine) :]  # the usual case: the next period
        else:
            to_delete.extend(mine)
            order = [key for key in order if _tenant_of(key) != tenant_id]
            new = keys
        to_add.extend(new)
        order.extend(new)
    return to_delete, to_add


def _tenant_of(partition_key: str) -> str:
    return partition_key.rpartition("|")[0]


@dg.asset(
    key=["dagster", "pay_period_partitions"],
    deps=[DIM_PAY_PERIODS],
    group_name="periods",
    owners=[OWNER],
    description="One Dagster partition per tenant pay period, so the UI shows only real periods.",
)
def pay_period_partitions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    periods = pay_periods_in_warehouse(warehouse)
    keys = [period.partition_key for period in periods]
    registered = context.instance.get_dynamic_partitions(PAY_PERIODS.name)
    to_delete, to_add = keys_to_register(periods, registered)
    # keys re-added keep their history (events are keyed by the key string)
    for key in to_delete:
        context.instance.delete_dynamic_partition(PAY_PERIODS.name, key)
    if to_add:
        context.instance.add_dynamic_partitions(PAY_PERIODS.name, to_add)
    new_keys = [key for key in to_add if key not in set(registered)]
    context.log.info(f"pay_periods_registered total={len(keys)} new={len(new_keys)}")
    return dg.MaterializeResult(
        metadata={"pay_periods": len(keys), "new_pay_periods": len(new_keys)}
    )


def defs() -> dg.Definitions:
    return dg.Definitions(assets=[pay_period_partitions])
