"""Pay periods as Dagster partitions.

Tenants have different pay calendars, so a static calendar partition cannot
show an operator only real periods. Each period is a dynamic partition keyed
``<tenant_id>|<period start>``, added when ``marts.dim_pay_periods`` (built
from the tenants' calendars and the data received) reaches a new period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import NamedTuple

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

PAY_PERIODS = dg.DynamicPartitionsDefinition(name="pay_periods")
# run tags an operator filters runs by (UI, CLI, schedules and sensors alike)
TENANT_TAG = "payroll/tenant"
PERIOD_TAG = "payroll/period"
_SEPARATOR = "|"
TENANT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PERIOD_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN = 64  # characters of a refused value an error repeats


class PayPeriodKey(NamedTuple):
    tenant_id: str
    period_start: dt.date

    @property
    def partition_key(self) -> str:
        return f"{self.tenant_id}{_SEPARATOR}{self.period_start.isoformat()}"

    def dbt_vars(self) -> dict[str, str]:
        return {"tenant_id": self.tenant_id, "period_start": self.period_start.isoformat()}


def _shown(value: str) -> str:
    """A refused value as an error repeats it: quoted, at most 64 characters."""
    return repr(value[:_SHOWN]) + ("…" if len(value) > _SHOWN else "")


def validate_tenant_id(tenant_id: str) -> str:
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        raise ValueError(
            f"invalid tenant id {_shown(tenant_id)}: letters, digits, '_', '.', '-' (max 64)"
        )
    return tenant_id


def parse_period_start(value: str) -> dt.date:
    # fromisoformat alone also takes 20260301 and 2026-W09-7
    if _PERIOD_PATTERN.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"invalid period {_shown(value)}: expected YYYY-MM-DD")


def parse_partition_key(partition_key: str) -> PayPeriodKey:
    tenant_id, separator, period = partition_key.rpartition(_SEPARATOR)
    if not separator:
        raise ValueError(
            f"invalid pay period key {_shown(partition_key)}: expected <tenant>|<date>"
        )
    return PayPeriodKey(validate_tenant_id(tenant_id), parse_period_start(period))


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


def period_tags(partition_key: str) -> dict[str, str]:
    """``payroll/tenant`` and ``payroll/period`` of a pay-period run."""
    period = parse_partition_key(partition_key)
    return {TENANT_TAG: period.tenant_id, PERIOD_TAG: period.period_start.isoformat()}
