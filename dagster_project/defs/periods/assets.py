"""Registers every pay period of ``marts.dim_pay_periods`` as a partition."""

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
    keys = [period.partition_key for period in pay_periods_in_warehouse(warehouse)]
    known = set(context.instance.get_dynamic_partitions(PAY_PERIODS.name))
    new_keys = [key for key in keys if key not in known]
    if new_keys:
        context.instance.add_dynamic_partitions(PAY_PERIODS.name, new_keys)
    context.log.info(f"pay_periods_registered total={len(keys)} new={len(new_keys)}")
    return dg.MaterializeResult(
        metadata={"pay_periods": len(keys), "new_pay_periods": len(new_keys)}
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[pay_period_partitions])
