"""Every finished pay-period run — succeeded, failed or canceled — lands in
``marts.payroll_runs``: launched as
the job, by a "Materialize" click, a schedule or a backfill (all jobs of the
code location are watched; runs without a pay-period partition are skipped)."""

import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.run_audit import record_pay_period_run


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="record_successful_pay_period_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def record_successful_pay_period_runs(
    context: dg.RunStatusSensorContext, warehouse: WarehouseResource
) -> None:
    record_pay_period_run(context.instance, warehouse.url(), context.dagster_run.run_id)


@dg.run_failure_sensor(
    name="record_failed_pay_period_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def record_failed_pay_period_runs(
    context: dg.RunFailureSensorContext, warehouse: WarehouseResource
) -> None:
    record_pay_period_run(context.instance, warehouse.url(), context.dagster_run.run_id)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.CANCELED,
    name="record_canceled_pay_period_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def record_canceled_pay_period_runs(
    context: dg.RunStatusSensorContext, warehouse: WarehouseResource
) -> None:
    record_pay_period_run(context.instance, warehouse.url(), context.dagster_run.run_id)


def defs() -> dg.Definitions:
    return dg.Definitions(
        sensors=[
            record_successful_pay_period_runs,
            record_failed_pay_period_runs,
            record_canceled_pay_period_runs,
        ]
    )
