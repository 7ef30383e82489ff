"""The publish of write-audit-publish: the analysts' ``marts``.

Runs only after every blocking check on the run's audited copy passed, and
copies that copy into ``marts`` in one transaction: the period's rows (or a
whole table) are replaced at once, and the tables themselves — with their
grants, row-level security and dependent views — are never dropped.
"""

from collections.abc import Iterator

import dagster as dg

from dagster_project.core.names import OWNER
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.instance import WAREHOUSE_POOL
from dagster_project.lib.publish import (
    BUILD_SCHEMA,
    CALENDAR_MARTS,
    PAY_PERIOD_MARTS,
    PUBLISHED_SCHEMA,
    Mart,
    PublishError,
    publish_calendar,
    publish_periods,
    published_period_summaries,
)


def _published_spec(mart: Mart) -> dg.AssetSpec:
    scope = "the pay period's rows" if mart.period_column else "the whole table"
    return dg.AssetSpec(
        key=[PUBLISHED_SCHEMA, mart.name],
        deps=[dg.AssetKey([BUILD_SCHEMA, mart.name])],
        group_name="reports",
        owners=[OWNER],
        kinds={"postgres"},
        description=(
            f"`marts.{mart.name}` as analysts read it: {scope} replaced in one transaction "
            "from the run's audited copy, once every blocking check passed."
        ),
    )


def _materializations(
    rows: dict[str, int], extra: dict[str, dict[str, object]] | None = None
) -> Iterator[dg.MaterializeResult]:
    for mart, count in rows.items():
        yield dg.MaterializeResult(
            asset_key=[PUBLISHED_SCHEMA, mart],
            metadata={"rows_published": count, **(extra or {}).get(mart, {})},
        )


@dg.multi_asset(
    name="published_pay_period",
    specs=[_published_spec(mart) for mart in PAY_PERIOD_MARTS],
    partitions_def=PAY_PERIODS,
    # like the build it publishes: every period of the run, in one transaction
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
)
def published_pay_period(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    try:
        periods, rows = publish_periods(warehouse.url(), context.run_id)
    except PublishError as error:
        raise dg.Failure(description=str(error)) from None
    summaries = published_period_summaries(warehouse.url(), periods)
    for period, summary in summaries.items():
        context.log.info(
            f"pay_period_published tenant={period.tenant_id} period_start={period.period_start} "
            f"staff_paid={summary.staff_paid} adjustment_lines={summary.adjustment_lines}"
        )
    per_period = {
        f"{period.partition_key} staff / gross / net": (
            f"{summary.staff_paid} / {summary.total_gross_pay} / {summary.total_net_pay}"
        )
        for period, summary in summaries.items()
    }
    yield from _materializations(
        rows,
        {
            "fct_payroll": {
                "periods": len(periods),
                "staff_paid": sum(s.staff_paid for s in summaries.values()),
                "total_gross_pay": float(sum(s.total_gross_pay for s in summaries.values())),
                "total_net_pay": float(sum(s.total_net_pay for s in summaries.values())),
                "adjustment_lines": sum(s.adjustment_lines for s in summaries.values()),
                **per_period,
            },
            "fct_attendance_exceptions": {
                "tenant_exceptions": sum(
                    s.tenant_exceptions
                    for period, s in summaries.items()
                    if period == min(p for p in periods if p.tenant_id == period.tenant_id)
                )
            },
        },
    )


@dg.multi_asset(
    name="published_pay_calendar",
    specs=[_published_spec(mart) for mart in CALENDAR_MARTS],
)
def published_pay_calendar(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    try:
        rows = publish_calendar(warehouse.url(), context.run_id)
    except PublishError as error:
        raise dg.Failure(description=str(error)) from None
    yield from _materializations(rows)


def defs() -> dg.Definitions:
    return dg.Definitions(assets=[published_pay_period, published_pay_calendar])
