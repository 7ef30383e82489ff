"""Run tags: what an operator filters runs by (UI, CLI, schedules and sensors
alike), and what the run queue limits runs by."""

from __future__ import annotations

from collections.abc import Sequence

from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from dagster_project.core.periods import PayPeriodKey

TENANT_TAG = "payroll/tenant"
PERIOD_TAG = "payroll/period"
# what launched a run: period-close, landing, late-data
TRIGGER_TAG = "payroll/trigger"
# deploy/dagster.yaml limits runs carrying this tag to one at a time
WAREHOUSE_WRITER_TAG = "payroll/warehouse-writer"


def range_tags(periods: Sequence[PayPeriodKey]) -> dict[str, str]:
    """Run tags of a run of ``periods`` (one tenant's, in partition order):
    its partition, or its partition range, and the tenant and period(s)."""
    first, last = periods[0], periods[-1]
    tags = {
        TENANT_TAG: ",".join(sorted({p.tenant_id for p in periods})),
        PERIOD_TAG: first.period_start.isoformat()
        if first == last
        else f"{first.period_start.isoformat()}..{last.period_start.isoformat()}",
    }
    if first == last:
        return {**tags, PARTITION_NAME_TAG: first.partition_key}
    return {
        **tags,
        ASSET_PARTITION_RANGE_START_TAG: first.partition_key,
        ASSET_PARTITION_RANGE_END_TAG: last.partition_key,
    }
