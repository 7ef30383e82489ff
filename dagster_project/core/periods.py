"""A tenant's pay period, ``<tenant_id>|<period start>``, and the validation
of what an operator, a file or a partition key says it is."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

# Python, pydantic and PostgreSQL all read this regex alike (ASCII classes
# only). The check constraint of sql/migrations/0021 repeats it (an applied
# migration never changes): tests/dagster_project/core/test_periods.py keeps
# the copies equal.
TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_TENANT_ID = re.compile(TENANT_ID_PATTERN)
_SEPARATOR = "|"
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
    if not _TENANT_ID.fullmatch(tenant_id):
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
