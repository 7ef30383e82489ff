"""The one Dagster entry point of the payroll code location."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs import resources
from dagster_project.defs.checks import checks
from dagster_project.defs.dbt import assets as dbt_assets
from dagster_project.defs.ingest import assets as ingest_assets
from dagster_project.defs.periods import assets as period_assets
from dagster_project.defs.periods import jobs as period_jobs
from dagster_project.defs.periods import sensors as period_sensors
from dagster_project.defs.schedules import schedules as pay_calendar_schedules


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        resources.defs(),
        ingest_assets.defs(),
        dbt_assets.defs(),
        period_assets.defs(),
        period_jobs.defs(),
        period_sensors.defs(),
        checks.defs(),
        pay_calendar_schedules.defs(),
    )
