"""dbt models as Dagster assets: the pay calendar, then one run per pay period."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from dagster_project.defs.dbt.args import (
    CALENDAR_SELECT,
    PERIOD_EXCLUDE,
    PERIOD_SELECT,
    calendar_build_args,
    period_build_args,
)
from dagster_project.defs.dbt.project import dbt_cli_resource, payroll_dbt_project
from dagster_project.defs.periods.partitions import PAY_PERIODS, parse_partition_key
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.dbt_translator import PayrollDbtTranslator
from dagster_project.lib.finalize import is_finalized
from dagster_project.lib.instance import WAREHOUSE_POOL
from dagster_project.lib.publish import stage_calendar, stage_period
from dagster_project.lib.transient import (
    MAX_RETRIES,
    SECONDS_BETWEEN_RETRIES,
    is_transient_database_error,
)


@dbt_assets(
    manifest=payroll_dbt_project.manifest_path,
    project=payroll_dbt_project,
    select=CALENDAR_SELECT,
    name="pay_calendar_models",
    dagster_dbt_translator=PayrollDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def pay_calendar_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    warehouse.export_dbt_env()
    yield from dbt.cli(calendar_build_args(), context=context).stream()
    # write done: copy the calendar into this run's audit schema
    stage_calendar(warehouse.url(), context.run_id)


@dbt_assets(
    manifest=payroll_dbt_project.manifest_path,
    project=payroll_dbt_project,
    select=PERIOD_SELECT,
    exclude=PERIOD_EXCLUDE,
    name="pay_period_models",
    partitions_def=PAY_PERIODS,
    # one run per period: each gets its own checks, audit row and writer lock,
    # and the runs queue in partition order (deploy/dagster.yaml, README)
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=1),
    dagster_dbt_translator=PayrollDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def pay_period_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    period = parse_partition_key(context.partition_key)
    if is_finalized(warehouse.url(), period):
        raise dg.Failure(
            description=f"{period.tenant_id} {period.period_start} is finalized: "
            "its published rows never change"
        )
    context.log.info(
        f"pay_period_build tenant={period.tenant_id} period_start={period.period_start}"
    )
    warehouse.export_dbt_env()
    try:
        with warehouse.exclusive_writer():
            invocation = dbt.cli(period_build_args(period, context.run_id), context=context)
            yield from invocation.stream()
            # write done: copy exactly what this run built into its audit
            # schema, still under the lock, for the checks and the publish
            staged = stage_period(
                warehouse.url(), context.run_id, period, _runs_in_progress(context.instance)
            )
        context.log.info(
            "pay_period_staged " + " ".join(f"{mart}={rows}" for mart, rows in staged.items())
        )
    except DagsterDbtCliRuntimeError as error:
        # a lost connection is retried (each model replaces its period, so a
        # rerun is clean); a failed test or bad data fails the run at once
        if is_transient_database_error(str(error)):
            raise dg.RetryRequested(
                max_retries=MAX_RETRIES, seconds_to_wait=SECONDS_BETWEEN_RETRIES
            ) from error
        raise


def _runs_in_progress(instance: dg.DagsterInstance) -> list[str]:
    """Runs whose audit schema may still be needed (the others' are dropped)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=list(IN_PROGRESS_RUN_STATUSES)))
    return [run.run_id for run in runs]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[pay_calendar_models, pay_period_models],
        resources={"dbt": dbt_cli_resource()},
    )
