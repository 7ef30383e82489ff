"""An independent reading of the pay-calendar rules, in Python: the oracle
the SQL calendar (``marts.dim_pay_periods``, the pipeline's only calendar)
is checked against, period by period (tests/dagster_project/defs/).

The periods are those of ``marts.dim_pay_periods`` (CONTRACT §3): weekly and
biweekly periods repeat every 7 or 14 days from the tenant's anchor date (in
both directions, so a biweekly calendar is never a cron); semimonthly periods
are the 1st–15th and the 16th–last day; monthly periods are calendar months.

A period *closes* at local midnight after its last day. A tenant whose
locations span time zones closes when the last of them reaches midnight: only
then can no punch of the period still be in progress.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIXED_LENGTH_DAYS = {"weekly": 7, "biweekly": 14}
FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly")
_ONE_DAY = dt.timedelta(days=1)
# Local midnight is within UTC-12..UTC+14 of the UTC date: widen date ranges so
# no period whose close instant falls in a window is left out.
_ZONE_SLACK = dt.timedelta(days=2)


class CalendarError(ValueError):
    """A tenant's pay calendar cannot be computed (named tenant and field)."""


@dataclass(frozen=True)
class PayCalendar:
    tenant_id: str
    pay_frequency: str
    period_anchor: dt.date | None
    timezones: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.pay_frequency not in FREQUENCIES:
            raise CalendarError(
                f"tenant {self.tenant_id}: pay_frequency {self.pay_frequency!r} is not one of "
                + ", ".join(FREQUENCIES)
            )
        if self.pay_frequency in FIXED_LENGTH_DAYS and self.period_anchor is None:
            raise CalendarError(
                f"tenant {self.tenant_id}: period_anchor is required for {self.pay_frequency}"
            )
        if not self.timezones:
            raise CalendarError(
                f"tenant {self.tenant_id}: no location, so its periods have no time zone"
            )
        for name in self.timezones:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise CalendarError(
                    f"tenant {self.tenant_id}: timezone {name!r} is not an IANA time zone"
                ) from None


@dataclass(frozen=True, order=True)
class Period:
    tenant_id: str
    start: dt.date
    end: dt.date


def period_containing(calendar: PayCalendar, day: dt.date) -> Period:
    """The tenant's pay period that holds ``day``."""
    frequency = calendar.pay_frequency
    if frequency in FIXED_LENGTH_DAYS:
        length = FIXED_LENGTH_DAYS[frequency]
        anchor = calendar.period_anchor
        assert anchor is not None  # checked in PayCalendar
        # floor division: days before the anchor belong to earlier periods
        start = anchor + dt.timedelta(days=((day - anchor).days // length) * length)
        return Period(calendar.tenant_id, start, start + dt.timedelta(days=length - 1))
    last_day = _calendar.monthrange(day.year, day.month)[1]
    month_end = day.replace(day=last_day)
    if frequency == "monthly":
        return Period(calendar.tenant_id, day.replace(day=1), month_end)
    if day.day <= 15:
        return Period(calendar.tenant_id, day.replace(day=1), day.replace(day=15))
    return Period(calendar.tenant_id, day.replace(day=16), month_end)


def periods_overlapping(calendar: PayCalendar, first: dt.date, last: dt.date) -> list[Period]:
    """Every period with at least one day in ``first..last``, in date order."""
    periods = []
    day = first
    while day <= last:
        period = period_containing(calendar, day)
        periods.append(period)
        day = period.end + _ONE_DAY
    return periods


def closes_at(calendar: PayCalendar, period: Period) -> dt.datetime:
    """The instant (UTC) the period's last local day ends at every location."""
    midnight = dt.datetime.combine(period.end + _ONE_DAY, dt.time(0))
    return max(midnight.replace(tzinfo=ZoneInfo(name)) for name in calendar.timezones).astimezone(
        dt.UTC
    )


def periods_due(
    calendar: PayCalendar, after: dt.datetime, until: dt.datetime, delay: dt.timedelta
) -> list[Period]:
    """Periods whose close + ``delay`` falls in ``(after, until]``, in date order.

    Consecutive windows ``(t0, t1]``, ``(t1, t2]``… return each period exactly
    once, whatever the time zones, DST changes or the length of the windows.
    """
    if after.tzinfo is None or until.tzinfo is None:
        raise ValueError("periods_due needs time-zone-aware instants")
    if until <= after:
        return []
    first = (after - delay - _ZONE_SLACK).date()
    last = (until - delay + _ZONE_SLACK).date()
    return [
        period
        for period in periods_overlapping(calendar, first, last)
        if after < closes_at(calendar, period) + delay <= until
    ]
