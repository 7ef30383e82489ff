"""The pay calendar follows the clock: when a tenant's local date moves into
a new period (or data, code or tenants changed), the calendar is rebuilt and
the new period registered, so the period-close schedule and the UI see every
period through today whether or not anyone punched in."""

import dagster as dg
import psycopg2.errors

from dagster_project.defs.periods.jobs import pay_calendar_job
from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.launch import calendar_is_up_to_date
from dagster_project.lib.pay_calendar import fingerprint

CALENDAR_SENSOR = "pay_calendar_sensor"


@dg.sensor(
    name=CALENDAR_SENSOR,
    job=pay_calendar_job,
    minimum_interval_seconds=900,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 15 minutes: rebuilds the pay calendar when its inputs changed since it "
    "was published (a tenant's new local day, new data, tenants or reference code).",
)
def pay_calendar_sensor(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult:
    url = warehouse.url()
    try:
        if calendar_is_up_to_date(url, context.instance, None):
            return dg.SensorResult(skip_reason=dg.SkipReason("the pay calendar is current"))
        with warehouse.transaction() as conn:
            inputs = fingerprint(conn, None)
    except psycopg2.errors.UndefinedTable:
        return dg.SensorResult(skip_reason=dg.SkipReason("no tenant loaded yet"))
    # one run per state of the inputs: a failed build is not retried in a loop
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=f"calendar|{inputs}")])


def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[pay_calendar_sensor])
