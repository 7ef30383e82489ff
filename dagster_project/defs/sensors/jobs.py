"""The job the landing-folder sensor launches."""

import dagster as dg

from dagster_project.core.tags import WAREHOUSE_WRITER_TAG
from dagster_project.defs.ingest.assets import raw_landing_files
from dagster_project.defs.periods.jobs import pay_calendar_job

LANDING_INGEST_JOB = "landing_ingest_job"

# A delivery is loaded, then the pay calendar is rebuilt and new periods are
# registered, so the period-close schedule finds the partitions the data needs.
# The calendar rebuild replaces staging views a pay-period run reads: it is a
# warehouse writer like the other jobs.
landing_ingest_job = dg.define_asset_job(
    LANDING_INGEST_JOB,
    selection=dg.AssetSelection.assets(raw_landing_files) | pay_calendar_job.selection,
    tags={WAREHOUSE_WRITER_TAG: "true"},
    description="Loads every CSV of PAYROLL_LANDING_DIR into raw tables, then refreshes the pay "
    "calendar and registers new pay-period partitions.",
)


def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[landing_ingest_job])
