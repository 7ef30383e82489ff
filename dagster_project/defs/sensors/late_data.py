"""Late punches and corrections recompute the periods they touch.

An open period that was computed before data for it arrived is recomputed
(and the later computed periods of its year after it, for year-to-date). A
finalized period never changes: its correction becomes an adjustment line of
the tenant's next open period, whose run is requested, and the flag is logged.
"""

import datetime as dt
import json

import dagster as dg
import psycopg2.errors

from dagster_project.core.tags import TRIGGER_TAG
from dagster_project.defs.periods.jobs import pay_period_job
from dagster_project.defs.periods.partitions import PAY_PERIODS, run_request
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.sensors.late_data_plan import plan_recomputes
from dagster_project.defs.sensors.late_data_sql import late_periods, open_periods_after, watermarks
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)

LATE_DATA_SENSOR = "late_attendance_sensor"
REASON_TAG = "payroll/late-reason"
_EARLIEST = dt.date(1, 1, 1)


@dg.sensor(
    name=LATE_DATA_SENSOR,
    job=pay_period_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a delivery or a finished pay run: recomputes closed open periods that "
    "received attendance after they were computed (then the later periods of the same year, "
    "for year-to-date), and for a finalized period requests the tenant's next open period, "
    "where the correction becomes an adjustment line.",
)
def late_attendance_sensor(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    try:
        with warehouse.transaction() as conn:
            marks = list(watermarks(conn))
            if seen.get("watermarks") == marks:
                return dg.SensorResult(
                    skip_reason=dg.SkipReason(
                        "no delivery and no pay run recorded since the last evaluation"
                    )
                )
            late = late_periods(conn)
            tenants = sorted({period.key.tenant_id for period in late})
            open_by_tenant = {
                tenant: open_periods_after(conn, tenant, _EARLIEST) for tenant in tenants
            }
    except psycopg2.errors.UndefinedTable:
        return dg.SensorResult(
            skip_reason=dg.SkipReason("no pay period computed yet (marts not built)")
        )
    cursor = json.dumps({"watermarks": marks})
    plan = plan_recomputes(late, open_by_tenant)
    for flag in plan.flags:
        _log.warning(flag.EVENT, **flag.fields())
        context.log.warning(str(flag))
    registered = set(context.instance.get_dynamic_partitions(PAY_PERIODS.name))
    requests = []
    for tenant_id in sorted({item.key.tenant_id for item in plan.recomputes}):
        items = [item for item in plan.recomputes if item.key.tenant_id == tenant_id]
        keys = [item.key for item in items]
        unregistered = [key for key in keys if key.partition_key not in registered]
        for key in unregistered:
            context.log.warning(
                f"late_data_recompute_unregistered tenant={tenant_id} "
                f"period_start={key.period_start}"
            )
        keys = [key for key in keys if key not in unregistered]
        if not keys:
            continue
        # one run for the tenant: its periods from the first to recompute to
        # the last, year to date in one window
        marker = max(item.marker for item in items)
        run_key = f"late|{keys[0].partition_key}..{keys[-1].partition_key}|{marker.isoformat()}"
        reasons = ",".join(sorted({item.reason for item in items}))
        context.log.info(
            f"late_data_recompute tenant={tenant_id} first={keys[0].period_start} "
            f"last={keys[-1].period_start} periods={len(keys)} reasons={reasons} run_key={run_key}"
        )
        requests.append(
            run_request(keys, run_key, {TRIGGER_TAG: "late-data", REASON_TAG: reasons[:200]})
        )
    if requests:
        return dg.SensorResult(run_requests=requests, cursor=cursor)
    reason = (
        f"{len(late)} period(s) with late data, nothing to recompute"
        if late
        else "no computed period received data after it was computed"
    )
    return dg.SensorResult(skip_reason=dg.SkipReason(reason), cursor=cursor)


def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[late_attendance_sensor])
