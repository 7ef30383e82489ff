"""Every finished pay-period run — succeeded, failed or canceled — lands in
``marts.payroll_runs``: launched as the job, by a "Materialize" click, a
schedule or a backfill (all jobs of the code location are watched; runs
without a pay-period partition are skipped)."""

import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.run_audit import record_pay_period_run

# each terminal status, and the word its sensor is named by
TERMINAL_STATUSES = {
    dg.DagsterRunStatus.SUCCESS: "successful",
    dg.DagsterRunStatus.FAILURE: "failed",
    dg.DagsterRunStatus.CANCELED: "canceled",
}


def _run_recorder(status: dg.DagsterRunStatus, word: str) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        run_status=status,
        name=f"record_{word}_pay_period_runs",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def record_runs(context: dg.RunStatusSensorContext, warehouse: WarehouseResource) -> None:
        record_pay_period_run(context.instance, warehouse.url(), context.dagster_run.run_id)

    return record_runs


RUN_RECORDERS = {status: _run_recorder(status, word) for status, word in TERMINAL_STATUSES.items()}


def defs() -> dg.Definitions:
    return dg.Definitions(sensors=list(RUN_RECORDERS.values()))
