"""Every terminal status of a pay-period run reaches ``marts.payroll_runs``
through the run-status sensors: a canceled run too, with no totals of its own."""

import dagster as dg
import psycopg2

from dagster_project.defs.periods.sensors import RUN_RECORDERS
from dagster_project.defs.resources import WarehouseResource

PARTITION = "acme|2026-03-01"


@dg.op
def compute() -> None:
    pass


@dg.job
def pay_job() -> None:
    compute()


def _audited(url: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select tenant_id, period_start::text, status, staff_paid, total_gross_pay, "
                "total_net_pay from marts.payroll_runs"
            )
            return cur.fetchall()
    finally:
        conn.close()


def test_a_sensor_records_each_terminal_status():
    assert {sensor.name for sensor in RUN_RECORDERS.values()} == {
        "record_successful_pay_period_runs",
        "record_failed_pay_period_runs",
        "record_canceled_pay_period_runs",
    }


def test_a_canceled_run_is_recorded_with_no_totals(database_url):
    with dg.instance_for_test() as instance:
        run = instance.create_run_for_job(pay_job, tags={"dagster/partition": PARTITION})
        instance.report_run_canceled(run, "operator stopped it")
        canceled = instance.get_run_by_id(run.run_id)
        assert canceled.status == dg.DagsterRunStatus.CANCELED
        [event] = [
            record.event_log_entry.dagster_event
            for record in instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.RUN_CANCELED
            ).records
        ]
        context = dg.build_run_status_sensor_context(
            sensor_name="record_canceled_pay_period_runs",
            dagster_event=event,
            dagster_instance=instance,
            dagster_run=canceled,
        )
        RUN_RECORDERS[dg.DagsterRunStatus.CANCELED](
            context, warehouse=WarehouseResource(database_url=database_url)
        )
    assert _audited(database_url) == [("acme", "2026-03-01", "CANCELED", None, None, None)]
