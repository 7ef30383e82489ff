"""Every finished pay-period run, launched from the UI or the CLI, lands in
``marts.payroll_runs``."""

import dagster as dg

from dagster_project.defs.periods.jobs import pay_period_job
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.run_audit import record_pay_period_run


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[pay_period_job],
    name="record_successful_pay_period_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def record_successful_pay_period_runs(
    context: dg.RunStatusSensorContext, warehouse: WarehouseResource
) -> None:
    record_pay_period_run(context.instance, warehouse.url(), context.dagster_run.run_id)


@dg.run_failure_sensor(
    monitored_jobs=[pay_period_job],
    name="record_failed_pay_period_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def record_failed_pay_period_runs(
    context: dg.RunFailureSensorContext, warehouse: WarehouseResource
) -> None:
    record_pay_period_run(context.instance, warehouse.url(), context.dagster_run.run_id)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        sensors=[record_successful_pay_period_runs, record_failed_pay_period_runs]
    )
