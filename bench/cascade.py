"""The correction cascade: with the whole year computed, one punch of the
first pay period of the year of the biggest tenant comes again (same
``event_id``, clock-out 15 minutes later, newer ``updated_at``: CONTRACT
§3); ``payroll run --period <that period>`` recomputes it and every later
computed period of the same year. What it recomputed is told by the
warehouse (rows stamped by a run that did not exist before), and the
correction must show in ``marts.fct_payroll.hours_worked``."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.db import query
from bench.generator import CONTRACT_COLUMNS

LATER_CLOCK_OUT = dt.timedelta(minutes=15)
EXTRA_HOURS = Decimal("0.25")
NEWER_BY = dt.timedelta(days=1)
# no other punch of the same person this close: the longer shift overlaps none
CLEAR_OF_OTHER_PUNCHES = "2 hours"


@dataclass(frozen=True)
class Correction:
    tenant_id: str
    period_start: dt.date
    pay_year: int
    event_id: str
    staff_id: str
    hours_before: Decimal
    periods_expected: int  # the tenant's computed periods of that year, from this one on
    file: Path


def biggest_tenant(url: str) -> str:
    rows = query(
        url, "select tenant_id from raw.attendance group by 1 order by count(*) desc, 1 limit 1"
    )
    return rows[0][0]


def first_period_of_year(url: str, tenant_id: str) -> tuple[dt.date, int]:
    """The tenant's first computed period of its latest pay-date year."""
    rows = query(
        url,
        """
        select period_start, extract(year from pay_date)::integer as pay_year
        from marts.fct_payroll
        where tenant_id = %s
        group by 1, 2
        order by pay_year desc, period_start
        limit 1
        """,
        (tenant_id,),
    )
    return rows[0][0], rows[0][1]


# An hourly punch inside the period, away from its first and last day, whose
# later clock-out stays on the same local day, with no exception and a pay
# row for its staff member: 15 more minutes are 0.25 more hours worked.
_PUNCH = f"""
    select a.event_id, a.staff_id, a.location_id, a.role, a.clock_in, a.clock_out,
        a.break_minutes, a.updated_at
    from raw.attendance as a
    inner join raw.locations as l
        on l.tenant_id = a.tenant_id and l.location_id = a.location_id
    inner join raw.staff as s on s.tenant_id = a.tenant_id and s.staff_id = a.staff_id
    inner join marts.dim_pay_periods as p
        on p.tenant_id = a.tenant_id and p.period_start = %(period)s
    where a.tenant_id = %(tenant)s
        and s.pay_type = 'hourly'
        and a.clock_out is not null
        and (a.clock_in at time zone l.timezone)::date > p.period_start
        and (a.clock_in at time zone l.timezone)::date < p.period_end
        and ((a.clock_out + interval '15 minutes') at time zone l.timezone)::date
            = (a.clock_in at time zone l.timezone)::date
        and (s.terminated_on is null or s.terminated_on > p.period_end)
        and not exists (
            select 1 from marts.fct_attendance_exceptions as e
            where e.tenant_id = a.tenant_id and e.event_id = a.event_id
        )
        and not exists (
            select 1 from raw.attendance as b
            where b.tenant_id = a.tenant_id and b.staff_id = a.staff_id
                and b.event_id <> a.event_id
                and b.clock_in < a.clock_out + interval '{CLEAR_OF_OTHER_PUNCHES}'
                and coalesce(b.clock_out, b.clock_in)
                    > a.clock_in - interval '{CLEAR_OF_OTHER_PUNCHES}'
        )
        and exists (
            select 1 from marts.fct_payroll as f
            where f.tenant_id = a.tenant_id and f.staff_id = a.staff_id
                and f.period_start = p.period_start
        )
    order by a.event_id
    limit 1
"""


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_correction(folder: Path, tenant_id: str, punch: tuple) -> Path:
    """``attendance.csv`` holding the corrected punch alone."""
    event_id, staff_id, location_id, role, clock_in, clock_out, break_minutes, updated = punch
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "attendance.csv"
    row = {
        "tenant_id": tenant_id,
        "event_id": event_id,
        "staff_id": staff_id,
        "location_id": location_id,
        "role": role,
        "clock_in": _utc(clock_in),
        "clock_out": _utc(clock_out + LATER_CLOCK_OUT),
        "break_minutes": break_minutes,
        "updated_at": _utc(updated + NEWER_BY),
    }
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CONTRACT_COLUMNS["attendance"])
        writer.writeheader()
        writer.writerow(row)
    return path


def hours_worked(url: str, tenant_id: str, staff_id: str, period_start: dt.date) -> Decimal:
    rows = query(
        url,
        "select coalesce(sum(hours_worked), 0) from marts.fct_payroll "
        "where tenant_id = %s and staff_id = %s and period_start = %s",
        (tenant_id, staff_id, period_start),
    )
    return Decimal(rows[0][0])


def prepare(url: str, folder: Path) -> Correction:
    """Choose the punch and write its correction (nothing is ingested yet)."""
    tenant_id = biggest_tenant(url)
    period_start, pay_year = first_period_of_year(url, tenant_id)
    found = query(url, _PUNCH, {"tenant": tenant_id, "period": period_start})
    if not found:
        raise RuntimeError(
            f"no punch of {tenant_id} {period_start} can carry the correction "
            "(an hourly mid-period day shift without exception)"
        )
    punch = found[0]
    expected = query(
        url,
        "select count(distinct period_start) from marts.fct_payroll "
        "where tenant_id = %s and period_start >= %s and extract(year from pay_date) = %s",
        (tenant_id, period_start, pay_year),
    )[0][0]
    return Correction(
        tenant_id=tenant_id,
        period_start=period_start,
        pay_year=pay_year,
        event_id=punch[0],
        staff_id=punch[1],
        hours_before=hours_worked(url, tenant_id, punch[1], period_start),
        periods_expected=expected,
        file=write_correction(folder, tenant_id, punch),
    )


def run_ids(url: str) -> list[str]:
    """The runs that stamped the pay rows now in ``marts.fct_payroll``."""
    rows = query(url, "select distinct run_id from marts.fct_payroll where run_id is not null")
    return sorted(run_id for (run_id,) in rows)


def periods_recomputed(url: str, before: Iterable[str]) -> list[tuple[str, dt.date]]:
    """(tenant, period) whose pay rows were stamped by a run not in ``before``."""
    rows = query(
        url,
        "select distinct tenant_id, period_start from marts.fct_payroll "
        "where run_id is null or run_id <> all(%s::text[]) order by 1, 2",
        (list(before),),
    )
    return [(tenant_id, period_start) for tenant_id, period_start in rows]


def verify(url: str, correction: Correction, recomputed: list[tuple[str, dt.date]]):
    """The correction's 0.25 h in the staff member's period, and every later
    period of the year recomputed."""
    after = hours_worked(url, correction.tenant_id, correction.staff_id, correction.period_start)
    expected = correction.hours_before + EXTRA_HOURS
    mine = [start for tenant_id, start in recomputed if tenant_id == correction.tenant_id]
    hours_ok = after == expected
    periods_ok = correction.period_start in mine and len(mine) == correction.periods_expected
    return {
        "matches": hours_ok and periods_ok,
        "tenant": correction.tenant_id,
        "period_start": correction.period_start.isoformat(),
        "event_id": correction.event_id,
        "staff_id": correction.staff_id,
        "hours_before": str(correction.hours_before),
        "hours_after": str(after),
        "hours_expected": str(expected),
        "periods_recomputed": len(recomputed),
        "periods_expected": correction.periods_expected,
    }
