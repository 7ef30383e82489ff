"""Jobs an operator launches: refresh the pay calendar, compute one period."""

from __future__ import annotations

import dagster as dg

from dagster_project.core.names import CALENDAR_JOB, PAY_PERIOD_JOB
from dagster_project.core.tags import WAREHOUSE_WRITER_TAG
from dagster_project.defs.dbt.assets import pay_calendar_models, pay_period_models
from dagster_project.defs.periods.assets import pay_period_partitions
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.publish.assets import published_pay_calendar, published_pay_period

MAX_RUNTIME_SECONDS = 3600

pay_calendar_job = dg.define_asset_job(
    CALENDAR_JOB,
    selection=dg.AssetSelection.assets(
        pay_calendar_models, published_pay_calendar, pay_period_partitions
    ),
    tags={WAREHOUSE_WRITER_TAG: "true"},
    # steps are sequential anyway: no process start per step
    executor_def=dg.in_process_executor,
    description="Reference seeds, staging views and the pay calendar; registers new periods.",
)


# Write, audit, publish: dbt builds the periods into `build` and copies them
# to the run's audit schema; selecting the assets selects their checks too
# (dbt tests, the blocking Great Expectations suites, conservation), and the
# publish into `marts` runs only once they all passed. One run computes a
# partition or a partition range (a backfill is one run).
pay_period_job = dg.define_asset_job(
    PAY_PERIOD_JOB,
    selection=dg.AssetSelection.assets(pay_period_models, published_pay_period),
    partitions_def=PAY_PERIODS,
    # write, audit, publish run one after the other: one process, not three
    executor_def=dg.in_process_executor,
    # run monitoring (deploy/dagster.yaml) fails a run still going after an hour
    tags={WAREHOUSE_WRITER_TAG: "true", "dagster/max_runtime": str(MAX_RUNTIME_SECONDS)},
    description="Hours, overtime, pay and taxes of a pay period or a range of them, in one "
    "dbt build, validated before it counts.",
)


def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[pay_calendar_job, pay_period_job])
