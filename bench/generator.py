"""Seeded benchmark data at any size, written as the input files of CONTRACT §3.

Set-based: every shift is drawn by vectorised numpy from one seeded
generator, so S (100 k shifts), M (1 M) and L (5 M) take seconds, and the
same seed, size and calendar write byte-identical files.

Two restaurant groups: a national chain paid biweekly on Sunday workweeks,
with locations in ten states and five time zones, and a bistro group paid
biweekly on Monday workweeks that joined for the last five weeks. Hourly
staff have two roles each at effective-dated rates (role defaults with a
mid-year raise, personal rates, some with their own raise); salaried
managers punch too; staff are hired and leave during the year. Shifts
include overnight closing shifts, weeks over 40 h, 10 h days and 13 h doubles
(state daily overtime and double time) and seven-day weeks. Bonuses,
deductions and opening year-to-date wages come along. About 1 % of shifts
come again as a correction (same event_id, later updated_at, moved
clock-out) and 0.5 % of attendance rows are bad: refused at ingest, or loaded
and listed as exceptions.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SIZES: dict[str, int] = {"S": 100_000, "M": 1_000_000, "L": 5_000_000}
DEFAULT_SEED = 2026
FIRST_DAY = dt.date(2026, 1, 4)  # a Sunday
WEEKS = 44  # through Saturday 2026-11-07: every pay period closed by late November 2026

# Copied from CONTRACT §3 on purpose: the benchmark feeds the outside
# contract, so it must not follow the ingest models if they drift.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "tenants": (
        "tenant_id", "name", "pay_frequency", "period_anchor", "workweek_start",
        "pay_date_lag_days",
    ),
    "locations": ("tenant_id", "location_id", "name", "timezone", "jurisdiction"),
    "staff": (
        "tenant_id", "staff_id", "full_name", "home_location_id", "pay_type", "flsa_exempt",
        "annual_salary", "filing_status", "w4_step2", "w4_dependents", "w4_other_income",
        "w4_deductions", "w4_extra_withholding", "hired_on", "terminated_on",
    ),
    "pay_rates": (
        "tenant_id", "staff_id", "role", "hourly_rate", "effective_from", "effective_to",
    ),
    "attendance": (
        "tenant_id", "event_id", "staff_id", "location_id", "role", "clock_in", "clock_out",
        "break_minutes", "updated_at",
    ),
    "adjustments": ("tenant_id", "adjustment_id", "staff_id", "work_date", "kind", "amount"),
    "deductions": (
        "tenant_id", "staff_id", "kind", "amount_per_period", "effective_from", "effective_to",
    ),
    "ytd_opening": (
        "tenant_id", "staff_id", "tax_year", "gross_wages", "social_security_wages",
        "medicare_wages", "futa_wages", "sdi_wages",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class TenantPlan:
    tenant_id: str
    name: str
    pay_frequency: str
    workweek_start: str
    pay_date_lag_days: int
    shift_share: float  # of all good shifts
    active_days: int | None  # data only in the last N days of the range; None = all of it
    staff_prefix: str
    states: tuple[tuple[str, str, str], ...]  # (jurisdiction, IANA time zone, city)


TENANTS: tuple[TenantPlan, ...] = (
    TenantPlan(
        "chain", "Coast to Coast Diners", "biweekly", "sunday", 5, 0.98, None, "C",
        (
            ("CA", "America/Los_Angeles", "Los Angeles"), ("TX", "America/Chicago", "Houston"),
            ("NY", "America/New_York", "Brooklyn"), ("NV", "America/Los_Angeles", "Reno"),
            ("CO", "America/Denver", "Denver"), ("AK", "America/Anchorage", "Anchorage"),
            ("FL", "America/New_York", "Tampa"), ("AZ", "America/Phoenix", "Phoenix"),
            ("WA", "America/Los_Angeles", "Spokane"), ("IL", "America/Chicago", "Chicago"),
        ),
    ),
    TenantPlan(
        "bistro", "Harbor Bistro Group", "biweekly", "monday", 4, 0.02, 38, "B",
        (("OR", "America/Los_Angeles", "Portland"), ("CA", "America/Los_Angeles", "Oakland")),
    ),
)  # fmt: skip

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
STAFF_PER_LOCATION = 25  # one salaried manager, the rest hourly
MANAGER_ROLE = "manager"  # salaried punches need no rate (CONTRACT §4)
# every rate at or above the highest state minimum wage of the seed (WA $17.13):
# the bench's floor (floor.sql) is the §4 computation, which §6 leaves unchanged
# only where no part falls below its minimum wage
ROLE_RATE_CENTS = {
    "server": 1800, "host": 1850, "cook": 2150, "dishwasher": 1900, "bartender": 1750,
    "prep cook": 1925,
}  # fmt: skip
ROLE_PAIRS = (
    ("server", "host"), ("cook", "dishwasher"), ("bartender", "server"),
    ("dishwasher", "prep cook"), ("host", "bartender"), ("prep cook", "cook"),
)  # fmt: skip
RATES_FROM = dt.date(2026, 1, 1)
RAISE_ON = dt.date(2026, 7, 5)  # every role default goes up mid-year
RAISE_CENTS = 50
PERSONAL_RATE_SHARE = 0.15  # of hourly staff: a personal rate for their first role
PERSONAL_PREMIUM_CENTS = 125
PERSONAL_RAISE_SHARE = 0.33  # of those: their own raise on RAISE_ON too
PERSONAL_RAISE_CENTS = 75
EXEMPT_HOURLY_SHARE = 0.02

HIRED_IN_YEAR_SHARE = 0.30  # hourly; managers: MANAGER_HIRED_IN_YEAR_SHARE
TERMINATED_SHARE = 0.15
MANAGER_HIRED_IN_YEAR_SHARE = 0.08
MANAGER_TERMINATED_SHARE = 0.04
MIN_DAYS_EMPLOYED = 21
SALARY_FLOOR = 52_000
SALARY_STEPS = 24  # in $1,000 steps

LONG_WEEK_SHARE = 0.25  # six 8 h shifts: 45 h after breaks
SEVEN_DAY_WEEK_SHARE = 0.01  # the California seventh-day rule
SHIFTS_PER_WEEK = (3, 4, 5, 5, 6)
SHIFT_HOURS = (4, 5, 6, 7, 8, 9, 10)  # 10 h: daily overtime in CA, AK, NV
START_HOURS = (7, 9, 10, 11, 14, 15, 16)
SECOND_ROLE_SHARE = 0.3
CLOSING_SHIFT_SHARE = 0.08  # plus every bartender shift: 20:00-22:00 start, past midnight
CLOSING_START_HOURS = (20, 21, 22)
CLOSING_HOURS = (5, 6, 7)
DOUBLE_SHIFT_SHARE = 0.015  # 13 h: double time in California
DOUBLE_START_HOURS = (7, 9, 10, 11)
DOUBLE_MINUTES = 13 * 60
MANAGER_START_HOUR = 8
MANAGER_MINUTES = 9 * 60
START_JITTER_MINUTES = 7  # punches land a few minutes either side of the hour
LENGTH_JITTER_MINUTES = 10
BREAK_FROM_MINUTES = 6 * 60
BREAK_MINUTES = 30
SYNC_MINUTES = (5, 15)  # updated_at: the clock syncs a little after clock-out

CORRECTION_SHARE = 0.01  # of shifts: sent again with a later updated_at
CORRECTION_MINUTES = (-30, -15, 15, 30)  # moved clock-out
BAD_ROW_SHARE = 0.005  # of all attendance rows
# Refused at ingest (malformed_value), then loaded but never paid, in turn.
REJECTED_KINDS = ("malformed_clock_in", "missing_staff_id", "negative_break")
EXCEPTION_KINDS = (
    "clock_out_before_clock_in", "unknown_staff", "open_shift", "shift_over_24h",
    "duplicate_punch", "missing_rate", "after_termination",
)  # fmt: skip
BAD_KINDS = REJECTED_KINDS + EXCEPTION_KINDS
UNRATED_ROLE = "sommelier"  # no rate anywhere: missing_rate

BONUS_EVERY_SHIFTS = 400
BONUS_AMOUNTS = ("25.00", "40.00", "50.00", "75.00")
DEDUCTION_KINDS = ("retirement_401k", "section_125", "post_tax", None, None)
DEDUCTION_AMOUNTS = {"retirement_401k": "60.00", "section_125": "40.00", "post_tax": "25.00"}
YTD_OPENING_EVERY_STAFF = 100  # staff hired in the year who bring earlier wages
FILING_STATUSES = ("single", "single", "married_jointly", "head_of_household")
W4_DEPENDENTS = (0, 0, 0, 2000, 4000)
W4_EXTRA = (0, 0, 0, 0, 0, 0, 0, 0, 10, 25)
W4_STEP2_SHARE = 0.15
FIRST_NAMES = (
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall",
    "Logan", "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan", "Sawyer", "Skyler",
    "Taylor", "Wren",
)  # fmt: skip
LAST_NAMES = (
    "Alder", "Birch", "Cedar", "Dunmore", "Ellery", "Fairweather", "Greenleaf", "Holloway",
    "Ivers", "Juniper", "Kestrel", "Larkspur", "Marlow", "Northcott", "Oakley", "Pemberton",
    "Quill", "Redfern", "Stroud", "Thornbury",
)  # fmt: skip

EXPECTED_SHIFTS_PER_STAFF_WEEK = 4.0  # after hires and leavers; over-drawn, then cut
OVERDRAW = 1.3
CHUNK_ROWS = 500_000
MINUTES_PER_DAY = 1440

Row = dict[str, object]


@dataclass(frozen=True)
class Calendar:
    first_day: dt.date = FIRST_DAY
    weeks: int = WEEKS

    @property
    def days(self) -> int:
        return 7 * self.weeks

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.days - 1)


@dataclass(frozen=True)
class DatasetSummary:
    """What was written; the harness and the tests assert on it."""

    folder: Path
    seed: int
    target_shifts: int
    shifts: int  # distinct good shifts, each paid once
    corrections: int
    bad_rows: dict[str, int]
    rows: dict[str, int]  # data rows per file (header excluded)
    staff: int
    locations: int
    tenants: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date

    @property
    def rejected_rows(self) -> int:
        return sum(self.bad_rows[kind] for kind in REJECTED_KINDS)

    @property
    def exception_rows(self) -> int:
        return sum(self.bad_rows[kind] for kind in EXCEPTION_KINDS)

    def to_json(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "target_shifts": self.target_shifts,
            "shifts": self.shifts,
            "corrections": self.corrections,
            "bad_rows": self.bad_rows,
            "rows": self.rows,
            "staff": self.staff,
            "locations": self.locations,
            "tenants": list(self.tenants),
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
        }


@dataclass
class _Staff:
    """One tenant's staff as parallel arrays (index = staff number - 1)."""

    location: np.ndarray  # location index
    is_manager: np.ndarray
    first_role: np.ndarray  # index into ROLE_NAMES
    second_role: np.ndarray
    flsa_exempt: np.ndarray
    hired: np.ndarray  # day index from the calendar's first day (negative: before it)
    terminated: np.ndarray  # day index, or -1 (still employed)
    salary: np.ndarray  # whole dollars (managers)
    personal_rate: np.ndarray
    personal_raise: np.ndarray
    filing: np.ndarray
    step2: np.ndarray
    dependents: np.ndarray
    extra: np.ndarray
    long_weeks: np.ndarray  # (staff, weeks)
    day_mask: np.ndarray  # (staff, days): a shift starts that local day

    def __len__(self) -> int:
        return len(self.location)


@dataclass
class _Shifts:
    """Good shifts of one tenant as parallel arrays, in clock-in order."""

    staff: np.ndarray
    location: np.ndarray
    role: np.ndarray  # index into ROLE_NAMES
    day: np.ndarray
    clock_in: np.ndarray  # datetime64[m], UTC
    clock_out: np.ndarray
    break_minutes: np.ndarray
    updated_at: np.ndarray

    def __len__(self) -> int:
        return len(self.staff)

    def take(self, index: np.ndarray) -> _Shifts:
        return _Shifts(**{name: value[index] for name, value in vars(self).items()})


ROLE_NAMES: tuple[str, ...] = (*ROLE_RATE_CENTS, MANAGER_ROLE, UNRATED_ROLE)
_ROLE_INDEX = {name: number for number, name in enumerate(ROLE_NAMES)}
_BARTENDER = _ROLE_INDEX["bartender"]
_MANAGER = _ROLE_INDEX[MANAGER_ROLE]
_UNRATED = _ROLE_INDEX[UNRATED_ROLE]
_PAIRS = np.array([[_ROLE_INDEX[a], _ROLE_INDEX[b]] for a, b in ROLE_PAIRS])


def _tenant_window(plan: TenantPlan, calendar: Calendar) -> int:
    """Day index of the tenant's first day with data."""
    if plan.active_days is None:
        return 0
    return max(0, calendar.days - plan.active_days)


def _draw_staff(
    rng: np.random.Generator, count: int, locations: int, first: int, calendar: Calendar
) -> _Staff:
    """Every random draw of a tenant's staff, in a fixed order."""
    days, weeks = calendar.days, calendar.weeks
    number = np.arange(count)
    location = number % locations
    is_manager = number < locations  # the first one at each location
    pair = _PAIRS[number % len(_PAIRS)]
    hired_in_year = rng.random(count) < np.where(
        is_manager, MANAGER_HIRED_IN_YEAR_SHARE, HIRED_IN_YEAR_SHARE
    )
    latest_hire = max(first + 1, days - 4 * 7)
    hired = np.where(
        hired_in_year,
        rng.integers(first, latest_hire, count),
        -rng.integers(30, 2500, count),
    )
    start = np.maximum(hired, first)
    leaves = rng.random(count) < np.where(is_manager, MANAGER_TERMINATED_SHARE, TERMINATED_SHARE)
    room = days - 1 - (start + MIN_DAYS_EMPLOYED)
    leaves &= room > 0
    terminated = np.where(
        leaves, start + MIN_DAYS_EMPLOYED + (rng.random(count) * np.maximum(room, 1)), -1
    ).astype(np.int64)
    salary = SALARY_FLOOR + 1000 * rng.integers(0, SALARY_STEPS, count)
    personal_rate = ~is_manager & (rng.random(count) < PERSONAL_RATE_SHARE)
    personal_raise = personal_rate & (rng.random(count) < PERSONAL_RAISE_SHARE)
    flsa_exempt = is_manager | (rng.random(count) < EXEMPT_HOURLY_SHARE)
    filing = rng.integers(0, len(FILING_STATUSES), count)
    step2 = rng.random(count) < W4_STEP2_SHARE
    dependents = rng.integers(0, len(W4_DEPENDENTS), count)
    extra = rng.integers(0, len(W4_EXTRA), count)

    week_kind = rng.random((count, weeks))
    long_weeks = week_kind < LONG_WEEK_SHARE
    seven = (week_kind >= LONG_WEEK_SHARE) & (week_kind < LONG_WEEK_SHARE + SEVEN_DAY_WEEK_SHARE)
    per_week = np.where(
        long_weeks, 6, np.where(seven, 7, rng.choice(SHIFTS_PER_WEEK, (count, weeks)))
    )
    # the days of a week a shift starts on: the per_week lowest of seven random keys
    keys = rng.random((count, weeks, 7))
    ranks = keys.argsort(axis=2).argsort(axis=2)
    day_mask = (ranks < per_week[:, :, None]).reshape(count, days)
    weekday_of = (np.arange(days) + calendar.first_day.weekday()) % 7  # 0 = Monday
    day_mask[is_manager] = weekday_of < 5
    day = np.arange(days)
    employed_until = np.where(terminated >= 0, terminated, days - 1)
    day_mask &= (day >= start[:, None]) & (day <= employed_until[:, None])
    return _Staff(
        location=location,
        is_manager=is_manager,
        first_role=np.where(is_manager, _MANAGER, pair[:, 0]),
        second_role=np.where(is_manager, _MANAGER, pair[:, 1]),
        flsa_exempt=flsa_exempt,
        hired=hired,
        terminated=terminated,
        salary=salary,
        personal_rate=personal_rate,
        personal_raise=personal_raise,
        filing=filing,
        step2=step2,
        dependents=dependents,
        extra=extra,
        long_weeks=long_weeks,
        day_mask=day_mask,
    )


def _local_to_utc(
    local_minutes: np.ndarray, zone: np.ndarray, zones: Sequence[str], calendar: Calendar
) -> np.ndarray:
    """Local wall-clock minutes (from the first day's local midnight) to UTC
    instants. Shifts never start between 01:00 and 03:00, so no wall time is
    skipped or repeated by a DST change."""
    local = np.datetime64(calendar.first_day, "m") + local_minutes.astype("timedelta64[m]")
    utc = np.empty(len(local), dtype="datetime64[m]")
    for number, name in enumerate(zones):
        selected = zone == number
        if not selected.any():
            continue
        stamps = pd.DatetimeIndex(local[selected]).tz_localize(
            name, ambiguous="raise", nonexistent="raise"
        )
        utc[selected] = stamps.tz_convert("UTC").tz_localize(None).values.astype("datetime64[m]")
    return utc


def _draw_shifts(
    rng: np.random.Generator, staff: _Staff, zone_of_location: np.ndarray, zones: Sequence[str],
    calendar: Calendar,
) -> _Shifts:  # fmt: skip
    """Every shift the staff day mask asks for; closing shifts that would end
    after the calendar's last day are not worked."""
    member, day = np.nonzero(staff.day_mask)
    count = len(member)
    manager = staff.is_manager[member]
    second = rng.random(count) < SECOND_ROLE_SHARE
    role = np.where(second, staff.second_role[member], staff.first_role[member])
    closing = ~manager & ((role == _BARTENDER) | (rng.random(count) < CLOSING_SHIFT_SHARE))
    double = ~manager & ~closing & (rng.random(count) < DOUBLE_SHIFT_SHARE)
    long_week = staff.long_weeks[member, day // 7]
    start_hour = np.select(
        [manager, closing, double],
        [
            MANAGER_START_HOUR,
            rng.choice(CLOSING_START_HOURS, count),
            rng.choice(DOUBLE_START_HOURS, count),
        ],
        rng.choice(START_HOURS, count),
    )
    minutes = np.select(
        [manager, closing, double, long_week],
        [MANAGER_MINUTES, 60 * rng.choice(CLOSING_HOURS, count), DOUBLE_MINUTES, 8 * 60],
        60 * rng.choice(SHIFT_HOURS, count),
    )
    minutes = minutes + rng.integers(-LENGTH_JITTER_MINUTES, LENGTH_JITTER_MINUTES + 1, count)
    start = (
        day * MINUTES_PER_DAY
        + 60 * start_hour
        + rng.integers(-START_JITTER_MINUTES, START_JITTER_MINUTES + 1, count)
    )
    sync = rng.integers(SYNC_MINUTES[0], SYNC_MINUTES[1] + 1, count)
    keep = start + minutes <= calendar.days * MINUTES_PER_DAY
    location = staff.location[member]
    clock_in = _local_to_utc(start[keep], zone_of_location[location[keep]], zones, calendar)
    span = minutes[keep].astype("timedelta64[m]")
    shifts = _Shifts(
        staff=member[keep],
        location=location[keep],
        role=role[keep],
        day=day[keep],
        clock_in=clock_in,
        clock_out=clock_in + span,
        break_minutes=np.where(minutes[keep] >= BREAK_FROM_MINUTES, BREAK_MINUTES, 0),
        updated_at=clock_in + span + sync[keep].astype("timedelta64[m]"),
    )
    return shifts


def _cut_to_target(shifts: _Shifts, staff_count: int, target: int) -> int:
    """How many staff (in staff order) it takes to reach ``target`` shifts."""
    per_staff = np.bincount(shifts.staff, minlength=staff_count)
    reached = np.cumsum(per_staff)
    if reached[-1] < target:
        raise RuntimeError(f"drew {reached[-1]} shifts for a target of {target}: raise OVERDRAW")
    return int(np.searchsorted(reached, target) + 1)


@dataclass
class _Tenant:
    plan: TenantPlan
    first: int  # day index of its first day with data
    staff: _Staff
    staff_count: int
    locations: int
    shifts: _Shifts


def _draw_tenant(
    rng: np.random.Generator, plan: TenantPlan, target: int, calendar: Calendar
) -> _Tenant:
    first = _tenant_window(plan, calendar)
    active_weeks = max(1.0, (calendar.days - first) / 7)
    estimate = math.ceil(OVERDRAW * target / (active_weeks * EXPECTED_SHIFTS_PER_STAFF_WEEK)) + 8
    locations = max(len(plan.states), math.ceil(estimate / STAFF_PER_LOCATION))
    zones = sorted({zone for _, zone, _ in plan.states})
    zone_of_location = np.array(
        [zones.index(plan.states[n % len(plan.states)][1]) for n in range(locations)]
    )
    staff = _draw_staff(rng, estimate, locations, first, calendar)
    shifts = _draw_shifts(rng, staff, zone_of_location, zones, calendar)
    kept = _cut_to_target(shifts, estimate, target)
    shifts = shifts.take(np.flatnonzero(shifts.staff < kept))
    order = np.lexsort((shifts.staff, shifts.clock_in))  # punch-clock order
    return _Tenant(plan, first, staff, kept, min(locations, kept), shifts.take(order))


# ---------------------------------------------------------------- formatting


def _utc(values: np.ndarray) -> list[str]:
    return np.datetime_as_string(values.astype("datetime64[s]"), unit="s", timezone="UTC").tolist()


def _us_style(values: np.ndarray) -> list[str]:
    """``MM/DD/YYYY HH:MM``: what a misconfigured clock sends; ingest refuses it."""
    iso = np.datetime_as_string(values, unit="m")
    return [f"{v[5:7]}/{v[8:10]}/{v[0:4]} {v[11:16]}" for v in iso.tolist()]


def _day(calendar: Calendar, index: int) -> str:
    return (calendar.first_day + dt.timedelta(days=int(index))).isoformat()


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _staff_id(plan: TenantPlan, number: int) -> str:
    return f"{plan.staff_prefix}{number + 1:06d}"


def _location_id(number: int) -> str:
    return f"L{number + 1:04d}"


def _event_ids(numbers: np.ndarray) -> list[str]:
    return [f"E{n:09d}" for n in numbers.tolist()]


# ---------------------------------------------------------------- small files


def _period_anchor(plan: TenantPlan, calendar: Calendar) -> str | None:
    """The first day of the calendar that starts one of the tenant's
    workweeks: pay periods hold whole workweeks."""
    if plan.pay_frequency not in ("weekly", "biweekly"):
        return None
    weekday = WEEKDAYS.index(plan.workweek_start)
    offset = (weekday - calendar.first_day.weekday()) % 7
    return (calendar.first_day + dt.timedelta(days=offset)).isoformat()


def _tenant_rows(tenants: Sequence[_Tenant], calendar: Calendar) -> list[Row]:
    return [
        {
            "tenant_id": t.plan.tenant_id,
            "name": t.plan.name,
            "pay_frequency": t.plan.pay_frequency,
            "period_anchor": _period_anchor(t.plan, calendar),
            "workweek_start": t.plan.workweek_start,
            "pay_date_lag_days": t.plan.pay_date_lag_days,
        }
        for t in tenants
    ]


def _location_rows(tenant: _Tenant) -> list[Row]:
    rows = []
    for number in range(tenant.locations):
        jurisdiction, zone, city = tenant.plan.states[number % len(tenant.plan.states)]
        rows.append(
            {
                "tenant_id": tenant.plan.tenant_id,
                "location_id": _location_id(number),
                "name": f"{city} {number + 1:03d}",
                "timezone": zone,
                "jurisdiction": jurisdiction,
            }
        )
    return rows


def _staff_rows(tenant: _Tenant, calendar: Calendar) -> list[Row]:
    s, plan = tenant.staff, tenant.plan
    rows = []
    for n in range(tenant.staff_count):
        manager = bool(s.is_manager[n])
        rows.append(
            {
                "tenant_id": plan.tenant_id,
                "staff_id": _staff_id(plan, n),
                "full_name": f"{FIRST_NAMES[n % 20]} {LAST_NAMES[(n // 20) % 20]}",
                "home_location_id": _location_id(int(s.location[n])),
                "pay_type": "salaried" if manager else "hourly",
                "flsa_exempt": "true" if s.flsa_exempt[n] else "false",
                "annual_salary": _money(int(s.salary[n]) * 100) if manager else None,
                "filing_status": FILING_STATUSES[s.filing[n]],
                "w4_step2": "true" if s.step2[n] else "false",
                "w4_dependents": _money(W4_DEPENDENTS[s.dependents[n]] * 100),
                "w4_other_income": "0.00",
                "w4_deductions": "0.00",
                "w4_extra_withholding": _money(W4_EXTRA[s.extra[n]] * 100),
                "hired_on": _day(calendar, s.hired[n]),
                "terminated_on": _day(calendar, s.terminated[n]) if s.terminated[n] >= 0 else None,
            }
        )
    return rows


def _rate_row(
    plan: TenantPlan,
    staff_id: str | None,
    role: str,
    cents: int,
    start: dt.date,
    end: dt.date | None,
) -> Row:
    return {
        "tenant_id": plan.tenant_id,
        "staff_id": staff_id,
        "role": role,
        "hourly_rate": _money(cents),
        "effective_from": start.isoformat(),
        "effective_to": None if end is None else end.isoformat(),
    }


def _pay_rate_rows(tenant: _Tenant) -> list[Row]:
    """Role defaults with a raise on RAISE_ON; personal rates for the first
    role of some staff, a third of them with their own raise."""
    plan, s = tenant.plan, tenant.staff
    before = RAISE_ON - dt.timedelta(days=1)
    rows = []
    for role, cents in ROLE_RATE_CENTS.items():
        rows.append(_rate_row(plan, None, role, cents, RATES_FROM, before))
        rows.append(_rate_row(plan, None, role, cents + RAISE_CENTS, RAISE_ON, None))
    for n in np.flatnonzero(s.personal_rate[: tenant.staff_count]).tolist():
        role = ROLE_NAMES[s.first_role[n]]
        cents = ROLE_RATE_CENTS[role] + PERSONAL_PREMIUM_CENTS
        staff_id = _staff_id(plan, n)
        if s.personal_raise[n]:
            rows.append(_rate_row(plan, staff_id, role, cents, RATES_FROM, before))
            rows.append(
                _rate_row(plan, staff_id, role, cents + PERSONAL_RAISE_CENTS, RAISE_ON, None)
            )
        else:
            rows.append(_rate_row(plan, staff_id, role, cents, RATES_FROM, None))
    return rows


def _deduction_rows(tenant: _Tenant) -> list[Row]:
    rows = []
    for n in range(tenant.staff_count):
        kind = DEDUCTION_KINDS[n % len(DEDUCTION_KINDS)]
        if kind is None:
            continue
        rows.append(
            {
                "tenant_id": tenant.plan.tenant_id,
                "staff_id": _staff_id(tenant.plan, n),
                "kind": kind,
                "amount_per_period": DEDUCTION_AMOUNTS[kind],
                "effective_from": RATES_FROM.isoformat(),
                "effective_to": None,
            }
        )
    return rows


def _adjustment_rows(rng: np.random.Generator, tenant: _Tenant, calendar: Calendar) -> list[Row]:
    """Bonuses on days hourly staff worked: attendance bonuses (in the regular
    rate) and discretionary ones (not), alternating."""
    shifts = tenant.shifts
    hourly = np.flatnonzero(~tenant.staff.is_manager[shifts.staff])
    count = max(2, len(shifts) // BONUS_EVERY_SHIFTS) if len(hourly) else 0
    chosen = np.sort(rng.choice(hourly, size=min(count, len(hourly)), replace=False))
    amounts = rng.integers(0, len(BONUS_AMOUNTS), len(chosen))
    return [
        {
            "tenant_id": tenant.plan.tenant_id,
            "adjustment_id": f"A{number + 1:07d}",
            "staff_id": _staff_id(tenant.plan, int(shifts.staff[index])),
            "work_date": _day(calendar, shifts.day[index]),
            "kind": "bonus" if number % 2 == 0 else "discretionary_bonus",
            "amount": BONUS_AMOUNTS[amounts[number]],
        }
        for number, index in enumerate(chosen.tolist())
    ]


def _ytd_rows(tenant: _Tenant) -> list[Row]:
    """Staff hired during the year who bring wages from an earlier employer."""
    s = tenant.staff
    hired_in_year = np.flatnonzero(s.hired[: tenant.staff_count] >= 0)
    rows = []
    for position, n in enumerate(hired_in_year[::YTD_OPENING_EVERY_STAFF].tolist()):
        wages = _money(200_000 + 150_000 * (position % 7))
        rows.append(
            {
                "tenant_id": tenant.plan.tenant_id,
                "staff_id": _staff_id(tenant.plan, n),
                "tax_year": 2026,
                "gross_wages": wages,
                "social_security_wages": wages,
                "medicare_wages": wages,
                "futa_wages": wages,
                "sdi_wages": wages,
            }
        )
    return rows


def _write_rows(path: Path, kind: str, rows: Iterable[Row]) -> int:
    columns = CONTRACT_COLUMNS[kind]
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow("" if row.get(c) is None else row[c] for c in columns)
            count += 1
    return count


# ---------------------------------------------------------------- attendance


@dataclass
class _AttendanceRows:
    """Every attendance row of a tenant as parallel text-ready arrays."""

    event: np.ndarray  # event number
    staff: list[str]
    location: np.ndarray
    role: np.ndarray
    clock_in: list[str]
    clock_out: list[str]
    break_minutes: list[str]
    updated_at: np.ndarray  # datetime64[m], also the delivery order


def _corrections(rng: np.random.Generator, shifts: _Shifts) -> tuple[np.ndarray, np.ndarray]:
    """Indices of corrected shifts and their moved clock-outs."""
    count = round(CORRECTION_SHARE * len(shifts))
    chosen = np.sort(rng.choice(len(shifts), size=count, replace=False))
    moved = shifts.clock_out[chosen] + rng.choice(CORRECTION_MINUTES, count).astype(
        "timedelta64[m]"
    )
    return chosen, moved


def _bad_row_count(good_rows: int) -> int:
    return round(BAD_ROW_SHARE * good_rows / (1 - BAD_ROW_SHARE))


def _bad_rows(
    rng: np.random.Generator, tenant: _Tenant, count: int, calendar: Calendar
) -> tuple[_AttendanceRows, list[str]]:
    """Bad rows of every kind in turn, each made from a good shift of an hourly
    staff member away from the calendar's ends (so no bad row adds a pay
    period) and numbered after every good shift (so a duplicate punch is the
    later event and the original stays paid)."""
    shifts, s, plan = tenant.shifts, tenant.staff, tenant.plan
    inside = (
        (shifts.day > tenant.first + 1)
        & (shifts.day < calendar.days - 3)
        & ~s.is_manager[shifts.staff]
    )
    candidates = np.flatnonzero(inside)
    kinds = [BAD_KINDS[n % len(BAD_KINDS)] for n in range(count)]
    if not len(candidates):
        return _attendance_rows_empty(), []
    base = shifts.take(np.sort(rng.choice(candidates, size=count, replace=len(candidates) < count)))
    leavers = np.flatnonzero(
        (s.terminated[: tenant.staff_count] >= 0)
        & (s.terminated[: tenant.staff_count] < calendar.days - 3)
    )
    staff = [_staff_id(plan, n) for n in base.staff.tolist()]
    location = base.location.copy()
    role = base.role.copy()
    clock_in = base.clock_in.copy()
    clock_out = base.clock_out.copy()
    clock_in_text = _utc(clock_in)
    clock_out_text = _utc(clock_out)
    break_text = [str(b) for b in base.break_minutes.tolist()]
    for n, kind in enumerate(kinds):
        if kind == "after_termination" and not len(leavers):
            kinds[n] = kind = "unknown_staff"
        if kind == "malformed_clock_in":
            clock_in_text[n] = _us_style(clock_in[n : n + 1])[0]
        elif kind == "missing_staff_id":
            staff[n] = ""
        elif kind == "negative_break":
            break_text[n] = "-30"
        elif kind == "clock_out_before_clock_in":
            clock_in_text[n], clock_out_text[n] = clock_out_text[n], clock_in_text[n]
        elif kind == "unknown_staff":
            staff[n] = f"X{n + 1:07d}"
        elif kind == "open_shift":
            clock_out_text[n] = ""
        elif kind == "shift_over_24h":
            clock_out_text[n] = _utc(clock_in[n : n + 1] + np.timedelta64(25 * 60, "m"))[0]
        elif kind == "duplicate_punch":
            shifted = np.timedelta64(20, "m")
            clock_in_text[n] = _utc(clock_in[n : n + 1] + shifted)[0]
            clock_out_text[n] = _utc(clock_out[n : n + 1] + shifted)[0]
        elif kind == "missing_rate":
            role[n] = _UNRATED
        elif kind == "after_termination":
            leaver = int(leavers[n % len(leavers)])
            staff[n] = _staff_id(plan, leaver)
            location[n] = s.location[leaver]
            role[n] = s.first_role[leaver]
            # noon UTC two days after the last day employed: that local date in every US zone
            noon = np.datetime64(calendar.first_day, "m") + np.timedelta64(
                (int(s.terminated[leaver]) + 2) * MINUTES_PER_DAY + 12 * 60, "m"
            )
            clock_in_text[n] = _utc(np.array([noon]))[0]
            clock_out_text[n] = _utc(np.array([noon + np.timedelta64(5 * 60, "m")]))[0]
            break_text[n] = "0"
    first_event = len(shifts) + 1
    rows = _AttendanceRows(
        event=np.arange(first_event, first_event + count),
        staff=staff,
        location=location,
        role=role,
        clock_in=clock_in_text,
        clock_out=clock_out_text,
        break_minutes=break_text,
        updated_at=base.updated_at,
    )
    return rows, kinds


def _attendance_rows_empty() -> _AttendanceRows:
    empty = np.array([], dtype=np.int64)
    return _AttendanceRows(empty, [], empty, empty, [], [], [], np.array([], dtype="datetime64[m]"))


def _concat(parts: Sequence[_AttendanceRows]) -> _AttendanceRows:
    return _AttendanceRows(
        event=np.concatenate([p.event for p in parts]),
        staff=[v for p in parts for v in p.staff],
        location=np.concatenate([p.location for p in parts]),
        role=np.concatenate([p.role for p in parts]),
        clock_in=[v for p in parts for v in p.clock_in],
        clock_out=[v for p in parts for v in p.clock_out],
        break_minutes=[v for p in parts for v in p.break_minutes],
        updated_at=np.concatenate([p.updated_at for p in parts]),
    )


def _tenant_attendance(
    rng: np.random.Generator, tenant: _Tenant, calendar: Calendar
) -> tuple[_AttendanceRows, int, list[str]]:
    """Good shifts, their corrections and the bad rows of one tenant."""
    shifts, plan = tenant.shifts, tenant.plan
    good = _AttendanceRows(
        event=np.arange(1, len(shifts) + 1),
        staff=[_staff_id(plan, n) for n in shifts.staff.tolist()],
        location=shifts.location,
        role=shifts.role,
        clock_in=_utc(shifts.clock_in),
        clock_out=_utc(shifts.clock_out),
        break_minutes=[str(b) for b in shifts.break_minutes.tolist()],
        updated_at=shifts.updated_at,
    )
    chosen, moved = _corrections(rng, shifts)
    later = rng.integers(24 * 60 + 60, 24 * 60 + 600, len(chosen)).astype("timedelta64[m]")
    corrected = _AttendanceRows(
        event=good.event[chosen],
        staff=[good.staff[i] for i in chosen.tolist()],
        location=shifts.location[chosen],
        role=shifts.role[chosen],
        clock_in=[good.clock_in[i] for i in chosen.tolist()],
        clock_out=_utc(moved),
        break_minutes=[good.break_minutes[i] for i in chosen.tolist()],
        updated_at=shifts.updated_at[chosen] + later,
    )
    bad, kinds = _bad_rows(rng, tenant, _bad_row_count(len(shifts) + len(chosen)), calendar)
    return _concat([good, corrected, bad]), len(chosen), kinds


def _write_attendance(
    path: Path, tenants: Sequence[_Tenant], parts: Sequence[_AttendanceRows]
) -> int:
    """One file, rows in delivery order (by updated_at), written in chunks."""
    tenant_of = np.concatenate([np.full(len(p.event), n) for n, p in enumerate(parts)])
    rows = _concat(parts)
    order = np.lexsort((rows.event, tenant_of, rows.updated_at))
    updated = _utc(rows.updated_at)
    tenant_ids = [t.plan.tenant_id for t in tenants]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(CONTRACT_COLUMNS["attendance"]) + "\n")
        for start in range(0, len(order), CHUNK_ROWS):
            chunk = order[start : start + CHUNK_ROWS].tolist()
            events = _event_ids(rows.event[chunk])
            lines = [
                ",".join(
                    (
                        tenant_ids[tenant_of[i]],
                        events[position],
                        rows.staff[i],
                        _location_id(int(rows.location[i])),
                        ROLE_NAMES[rows.role[i]],
                        rows.clock_in[i],
                        rows.clock_out[i],
                        rows.break_minutes[i],
                        updated[i],
                    )
                )
                for position, i in enumerate(chunk)
            ]
            handle.write("\n".join(lines) + "\n")
    return len(order)


# ---------------------------------------------------------------- entry points


def generate(
    out_dir: Path,
    shifts: int,
    *,
    seed: int = DEFAULT_SEED,
    calendar: Calendar | None = None,
    tenants: Sequence[TenantPlan] = TENANTS,
) -> DatasetSummary:
    """Write the eight CONTRACT §3 files for about ``shifts`` good shifts
    (exactly that many per tenant share, give or take one staff member's week)."""
    calendar = calendar or Calendar()
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    share = sum(plan.shift_share for plan in tenants)
    drawn = [
        _draw_tenant(rng, plan, max(1, round(shifts * plan.shift_share / share)), calendar)
        for plan in tenants
    ]
    attendance = [_tenant_attendance(rng, tenant, calendar) for tenant in drawn]
    adjustments = [row for tenant in drawn for row in _adjustment_rows(rng, tenant, calendar)]
    rows = {
        "tenants": _write_rows(out_dir / "tenants.csv", "tenants", _tenant_rows(drawn, calendar)),
        "locations": _write_rows(
            out_dir / "locations.csv", "locations", (r for t in drawn for r in _location_rows(t))
        ),
        "staff": _write_rows(
            out_dir / "staff.csv", "staff", (r for t in drawn for r in _staff_rows(t, calendar))
        ),
        "pay_rates": _write_rows(
            out_dir / "pay_rates.csv", "pay_rates", (r for t in drawn for r in _pay_rate_rows(t))
        ),
        "deductions": _write_rows(
            out_dir / "deductions.csv", "deductions", (r for t in drawn for r in _deduction_rows(t))
        ),
        "adjustments": _write_rows(out_dir / "adjustments.csv", "adjustments", adjustments),
        "ytd_opening": _write_rows(
            out_dir / "ytd_opening.csv", "ytd_opening", (r for t in drawn for r in _ytd_rows(t))
        ),
        "attendance": _write_attendance(
            out_dir / "attendance.csv", drawn, [rows for rows, _, _ in attendance]
        ),
    }
    bad_rows = {kind: 0 for kind in BAD_KINDS}
    for _, _, kinds in attendance:
        for kind in kinds:
            bad_rows[kind] += 1
    return DatasetSummary(
        folder=out_dir,
        seed=seed,
        target_shifts=shifts,
        shifts=sum(len(t.shifts) for t in drawn),
        corrections=sum(count for _, count, _ in attendance),
        bad_rows=bad_rows,
        rows=rows,
        staff=sum(t.staff_count for t in drawn),
        locations=sum(t.locations for t in drawn),
        tenants=tuple(t.plan.tenant_id for t in drawn),
        first_day=calendar.first_day,
        last_day=calendar.last_day,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--shifts", type=int, help="Overrides --size.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    summary = generate(args.out, args.shifts or SIZES[args.size], seed=args.seed)
    print(
        f"{summary.shifts} shifts, {summary.corrections} corrections, "
        f"{sum(summary.bad_rows.values())} bad rows, {summary.staff} staff, "
        f"{summary.locations} locations -> {summary.folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
