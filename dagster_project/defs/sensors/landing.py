"""New deliveries in ``PAYROLL_LANDING_DIR`` are ingested without anyone
clicking: one ingest run per batch of new or changed files (by content)."""

import time

import dagster as dg

from dagster_project.core.tags import TRIGGER_TAG
from dagster_project.defs.resources import PayrollSettingsResource
from dagster_project.defs.sensors.jobs import landing_ingest_job
from dagster_project.defs.sensors.landing_scan import LandingCursor, scan_landing

LANDING_SENSOR = "landing_folder_sensor"


@dg.sensor(
    name=LANDING_SENSOR,
    job=landing_ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches PAYROLL_LANDING_DIR: a new or changed CSV (by SHA-256) launches "
    "landing_ingest_job once; a re-dropped identical file is skipped; a file modified in the "
    "last PAYROLL_LANDING_SETTLE_SECONDS waits for the next evaluation.",
)
def landing_folder_sensor(
    context: dg.SensorEvaluationContext, payroll_settings: PayrollSettingsResource
) -> dg.SensorResult:
    folder = payroll_settings.landing_path
    scan = scan_landing(
        folder,
        LandingCursor.from_json(context.cursor),
        now=time.time(),
        settle_seconds=payroll_settings.landing_settle_seconds,
    )
    cursor = scan.cursor.to_json()
    if scan.settling:
        context.log.info(f"landing_files_settling folder={folder} files={','.join(scan.settling)}")
    if not scan.new_files:
        reason = (
            f"no new delivery in {folder}: {scan.unchanged} file(s) already ingested by content"
            + (f", {len(scan.settling)} still being written" if scan.settling else "")
        )
        return dg.SensorResult(skip_reason=dg.SkipReason(reason), cursor=cursor)
    names = ",".join(f.name for f in scan.new_files)
    context.log.info(
        f"landing_files_new folder={folder} count={len(scan.new_files)} files={names} "
        f"run_key={scan.run_key}"
    )
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=scan.run_key,
                tags={TRIGGER_TAG: "landing", "payroll/landing-files": str(len(scan.new_files))},
            )
        ],
        cursor=cursor,
    )


def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_folder_sensor])
