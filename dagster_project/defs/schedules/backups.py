"""Backups by themselves: the backup job on ``PAYROLL_BACKUP_CRON`` (hourly:
the 1 h RPO) and the verify job on ``PAYROLL_BACKUP_VERIFY_CRON`` (daily), both
in UTC. Their crons are fixed when the definitions are built, so they come
from the settings as arguments rather than from a resource."""

from __future__ import annotations

import dagster as dg

from dagster_project.core.tags import TRIGGER_TAG
from dagster_project.defs.backups.jobs import backup_job, backup_verify_job
from dagster_project.settings import Settings

BACKUP_SCHEDULE = "backup_schedule"
VERIFY_SCHEDULE = "backup_verify_schedule"


def _tick_request(context: dg.ScheduleEvaluationContext, trigger: str) -> dg.RunRequest:
    """One run per tick; the run key makes a tick evaluated twice launch once."""
    tick = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"{trigger}:{tick:%Y-%m-%dT%H:%M%z}", tags={TRIGGER_TAG: trigger})


def _tick_schedule(
    name: str, cron: str, job: dg.JobDefinition, trigger: str, description: str
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone="UTC",
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def tick(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return _tick_request(context, trigger)

    return tick


def backup_schedules(backup_cron: str, verify_cron: str) -> list[dg.ScheduleDefinition]:
    return [
        _tick_schedule(
            BACKUP_SCHEDULE,
            backup_cron,
            backup_job,
            "backup",
            f"Backs up the warehouse and Dagster's storage at '{backup_cron}' (UTC, "
            "PAYROLL_BACKUP_CRON), prunes to the retention and restores the new backup.",
        ),
        _tick_schedule(
            VERIFY_SCHEDULE,
            verify_cron,
            backup_verify_job,
            "backup-verify",
            f"Restores the newest backup into a scratch database at '{verify_cron}' "
            "(UTC, PAYROLL_BACKUP_VERIFY_CRON); the run fails when a table differs.",
        ),
    ]


def defs(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        schedules=backup_schedules(settings.backup_cron, settings.backup_verify_cron)
    )
