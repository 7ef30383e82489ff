"""The one Dagster entry point of the payroll code location."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from dagster_project.defs import loggers, resources
from dagster_project.defs.backups import jobs as backup_jobs
from dagster_project.defs.checks import checks
from dagster_project.defs.dbt import assets as dbt_assets
from dagster_project.defs.ingest import assets as ingest_assets
from dagster_project.defs.periods import assets as period_assets
from dagster_project.defs.periods import calendar_sensor
from dagster_project.defs.periods import jobs as period_jobs
from dagster_project.defs.periods import sensors as period_sensors
from dagster_project.defs.publish import assets as publish_assets
from dagster_project.defs.schedules import backups as backup_schedules
from dagster_project.defs.schedules import schedules as pay_calendar_schedules
from dagster_project.defs.sensors import alerts as alert_sensors
from dagster_project.defs.sensors import jobs as sensor_jobs
from dagster_project.defs.sensors import landing as landing_sensors
from dagster_project.defs.sensors import late_data as late_data_sensors
from dagster_project.lib.logs import configure_logging
from dagster_project.settings import Settings


def build_defs(
    resource_overrides: Mapping[str, Any] | None = None, settings: Settings | None = None
) -> dg.Definitions:
    """The code location. Its resources and the backup crons are built once,
    here, from the settings (``settings``, else the process's);
    ``resource_overrides`` replaces some resources (a test's own warehouse,
    landing folder or schedule delays)."""
    settings = settings or resources.process_settings()
    return dg.Definitions.merge(
        resources.defs(resource_overrides, settings),
        loggers.defs(),
        ingest_assets.defs(),
        dbt_assets.defs(),
        publish_assets.defs(),
        period_assets.defs(),
        period_jobs.defs(),
        period_sensors.defs(),
        calendar_sensor.defs(),
        checks.defs(),
        pay_calendar_schedules.defs(),
        sensor_jobs.defs(),
        landing_sensors.defs(),
        late_data_sensors.defs(),
        alert_sensors.defs(),
        backup_jobs.defs(),
        backup_schedules.defs(settings),
    )


@dg.definitions
def defs() -> dg.Definitions:
    # the code server and the daemon's sensor evaluations log like the CLI
    configure_logging()
    return build_defs()
