"""Pay periods as Dagster partitions.

Tenants have different pay calendars, so a static calendar partition cannot
show an operator only real periods. Each period is a dynamic partition keyed
``<tenant_id>|<period start>``, added when ``marts.dim_pay_periods`` (built
from the tenants' calendars and the data received) reaches a new period.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from dagster._core.storage.tags import PARTITION_NAME_TAG

from dagster_project.core.names import PAY_PERIOD_PARTITIONS
from dagster_project.core.periods import PayPeriodKey
from dagster_project.core.tags import range_tags

PAY_PERIODS = dg.DynamicPartitionsDefinition(name=PAY_PERIOD_PARTITIONS)


def run_request(
    periods: Sequence[PayPeriodKey], run_key: str, tags: dict[str, str]
) -> dg.RunRequest:
    """A schedule's or sensor's request to compute ``periods`` (one tenant's,
    contiguous) in one run: a partition, or a partition range."""
    all_tags = {**range_tags(periods), **tags}
    if len(periods) == 1:
        all_tags.pop(PARTITION_NAME_TAG)
        return dg.RunRequest(run_key=run_key, partition_key=periods[0].partition_key, tags=all_tags)
    return dg.RunRequest(run_key=run_key, tags=all_tags)
