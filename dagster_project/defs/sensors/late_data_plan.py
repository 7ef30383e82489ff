"""What to recompute when data arrives after periods were computed (pure).

- An open period that received late data is recomputed.
- A finalized period never changes (CONTRACT §1): its correction becomes an
  adjustment line of the tenant's next open period, so that period is
  recomputed, unless it was already computed after the correction arrived.
- Year-to-date figures of the later computed open periods of the same pay-date
  year depend on a recomputed period: they are recomputed after it, in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dagster_project.core.periods import PayPeriodKey
from dagster_project.defs.sensors.late_data_sql import LatePeriod, OpenPeriod


@dataclass(frozen=True)
class Recompute:
    key: PayPeriodKey
    reason: str
    # the newest late change behind this request: same marker, same run key
    marker: dt.datetime

    @property
    def run_key(self) -> str:
        return f"late|{self.key.partition_key}|{self.marker.isoformat()}"


@dataclass(frozen=True)
class FinalizedLateData:
    """Late data for a finalized period: an operator's attention, and where
    its adjustment is paid (None: no open period yet)."""

    tenant: str
    period_start: dt.date
    late_rows: int
    applied_period_start: dt.date | None
    reason: str

    EVENT = "late_data_finalized_period"

    def fields(self) -> dict[str, object]:
        return {
            "tenant": self.tenant,
            "period_start": self.period_start.isoformat(),
            "late_rows": self.late_rows,
            "applied_period_start": (
                self.applied_period_start.isoformat() if self.applied_period_start else None
            ),
            "reason": self.reason,
        }

    def __str__(self) -> str:
        pairs = " ".join(
            f"{name}={'none' if value is None else value}" for name, value in self.fields().items()
        )
        return f"{self.EVENT} {pairs}"


@dataclass(frozen=True)
class Plan:
    recomputes: list[Recompute]
    flags: list[FinalizedLateData]


def _followers(trigger: OpenPeriod, open_periods: Sequence[OpenPeriod]) -> list[OpenPeriod]:
    return [
        period
        for period in open_periods
        if period.key.period_start > trigger.key.period_start
        and period.computed_at is not None
        and period.pay_date.year == trigger.pay_date.year
    ]


def _add(triggers: dict[PayPeriodKey, Recompute], recompute: Recompute) -> None:
    """One request per period: the first reason found, the newest change."""
    earlier = triggers.get(recompute.key)
    if earlier is None:
        triggers[recompute.key] = recompute
    else:
        triggers[recompute.key] = Recompute(
            earlier.key, earlier.reason, max(earlier.marker, recompute.marker)
        )


def plan_recomputes(
    late: Sequence[LatePeriod], open_by_tenant: Mapping[str, Sequence[OpenPeriod]]
) -> Plan:
    triggers: dict[PayPeriodKey, Recompute] = {}
    flags: list[FinalizedLateData] = []
    for period in late:
        tenant = period.key.tenant_id
        opens = list(open_by_tenant.get(tenant, ()))
        if not period.is_finalized:
            _add(triggers, Recompute(period.key, "late_data", period.newest_change))
            continue
        following = [p for p in opens if p.key.period_start > period.key.period_start]
        if not following:
            flags.append(
                FinalizedLateData(
                    tenant, period.key.period_start, period.late_rows, None, "no_open_period_yet"
                )
            )
            continue
        target = following[0]
        if target.computed_at is not None and target.computed_at >= period.newest_change:
            continue  # the adjustment is already in the next period's last run
        flags.append(
            FinalizedLateData(
                tenant,
                period.key.period_start,
                period.late_rows,
                target.key.period_start,
                "adjustment",
            )
        )
        reason = f"adjustment_for={period.key.period_start}"
        _add(triggers, Recompute(target.key, reason, period.newest_change))

    recomputes: dict[PayPeriodKey, Recompute] = dict(triggers)
    for trigger in sorted(triggers.values(), key=lambda r: r.key):
        opens = open_by_tenant.get(trigger.key.tenant_id, ())
        this = next((p for p in opens if p.key == trigger.key), None)
        if this is None:
            continue
        for follower in _followers(this, opens):
            if follower.key in recomputes:
                continue
            recomputes[follower.key] = Recompute(
                follower.key, f"ytd_after={trigger.key.period_start}", trigger.marker
            )
    return Plan(sorted(recomputes.values(), key=lambda r: r.key), flags)
