"""Deterministic demo data: one restaurant group, three states, eight weeks.

The same seed writes byte-identical files on any machine: no clock, no
locale, no unordered iteration. The data exercises what payroll gets wrong:
overnight shifts, weeks over 40 hours, two roles at two rates, a rate change,
the spring DST change, salaried managers (one hired, one leaving mid-range),
bonuses, deductions, a Social Security wage base reached, corrections and a
few bad rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster_project.ingest.schemas import FILE_KINDS

DEMO_SEED = 2026
TENANT_ID = "bistro"
FIRST_DAY = dt.date(2026, 3, 1)  # a Sunday; the DST change is on 2026-03-08
WEEKS = 8
LOCATIONS = (
    ("AUS", "Austin Riverside", "America/Chicago", "TX"),
    ("MIA", "Miami Brickell", "America/New_York", "FL"),
    ("DEN", "Denver LoDo", "America/Denver", "CO"),
)
HOURLY_PER_LOCATION = 18
ROLE_RATES = {
    "server": "9.50",
    "host": "13.00",
    "cook": "17.50",
    "dishwasher": "14.00",
    "bartender": "12.00",
}
ROLE_PAIRS = (
    ("server", "host"),
    ("cook", "dishwasher"),
    ("bartender", "server"),
    ("dishwasher", "cook"),
    ("host", "server"),
    ("cook", "server"),
)
FIRST_NAMES = (
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan",
    "Kendall", "Logan", "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan",
    "Sawyer", "Skyler", "Taylor", "Wren",
)  # fmt: skip
LAST_NAMES = (
    "Alder", "Birch", "Cedar", "Dunmore", "Ellery", "Fairweather", "Greenleaf",
    "Holloway", "Ivers", "Juniper", "Kestrel", "Larkspur", "Marlow", "Northcott",
    "Oakley", "Pemberton", "Quill", "Redfern", "Stroud", "Thornbury",
)  # fmt: skip
FILING_STATUSES = ("single", "single", "married_jointly", "head_of_household")


@dataclass
class DemoSummary:
    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    staff_count: int = 0
    shifts: int = 0
    corrected_event_ids: list[str] = field(default_factory=list)
    stale_correction_event_ids: list[str] = field(default_factory=list)
    malformed_rows: int = 0
    exception_event_ids: list[str] = field(default_factory=list)
    first_day: dt.date = FIRST_DAY
    last_day: dt.date = FIRST_DAY + dt.timedelta(days=7 * WEEKS - 1)


@dataclass(frozen=True)
class _Staff:
    staff_id: str
    location_id: str
    timezone: str
    pay_type: str
    roles: tuple[str, ...]
    hired_on: dt.date
    terminated_on: dt.date | None


def _header(kind: str) -> list[str]:
    return list(FILE_KINDS[kind].columns)


def _write(folder: Path, kind: str, rows: list[dict[str, object]], summary: DemoSummary) -> None:
    with (folder / f"{kind}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=_header(kind), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})
    summary.rows[kind] = len(rows)


def _money(value: float) -> str:
    return f"{value:.2f}"


def _stamp(day: dt.date, minutes: int, timezone: str) -> dt.datetime:
    """Local wall time ``minutes`` after midnight of ``day`` (may be next day)."""
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    return local.replace(tzinfo=ZoneInfo(timezone))


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _make_staff(rng: random.Random) -> tuple[list[_Staff], list[dict[str, object]]]:
    staff: list[_Staff] = []
    rows: list[dict[str, object]] = []
    number = 0
    for location_id, _, timezone, _ in LOCATIONS:
        for index in range(HOURLY_PER_LOCATION + 2):
            number += 1
            staff_id = f"S{number:03d}"
            is_manager = index >= HOURLY_PER_LOCATION
            hired_on = dt.date(2024, 1, 8) + dt.timedelta(days=rng.randrange(0, 700))
            terminated_on = None
            if number == 5:
                hired_on = dt.date(2026, 3, 18)  # joins mid-period
            if location_id == "MIA" and index == HOURLY_PER_LOCATION + 1:
                terminated_on = dt.date(2026, 4, 10)  # a manager leaves mid-period
            roles = ("manager",) if is_manager else ROLE_PAIRS[index % len(ROLE_PAIRS)]
            member = _Staff(
                staff_id,
                location_id,
                timezone,
                "salaried" if is_manager else "hourly",
                roles,
                hired_on,
                terminated_on,
            )
            staff.append(member)
            filing_status = FILING_STATUSES[rng.randrange(len(FILING_STATUSES))]
            rows.append(
                {
                    "tenant_id": TENANT_ID,
                    "staff_id": staff_id,
                    "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "home_location_id": location_id,
                    "pay_type": member.pay_type,
                    "flsa_exempt": "true" if is_manager and index % 2 == 0 else "false",
                    "annual_salary": _money(52000 + 1000 * rng.randrange(0, 24))
                    if is_manager
                    else None,
                    "filing_status": filing_status,
                    "w4_step2": "true" if rng.random() < 0.15 else "false",
                    "w4_dependents": _money(rng.choice((0, 0, 0, 2000, 4000))),
                    "w4_other_income": _money(rng.choice((0, 0, 0, 0, 2400))),
                    "w4_deductions": _money(rng.choice((0, 0, 0, 0, 1200))),
                    "w4_extra_withholding": _money(rng.choice((0, 0, 0, 0, 0, 10))),
                    "hired_on": hired_on.isoformat(),
                    "terminated_on": terminated_on.isoformat() if terminated_on else None,
                }
            )
    return staff, rows


def _pay_rate_rows(staff: list[_Staff]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "tenant_id": TENANT_ID,
            "staff_id": None,
            "role": role,
            "hourly_rate": rate,
            "effective_from": "2026-01-01",
            "effective_to": "2026-04-04" if role == "dishwasher" else None,
        }
        for role, rate in ROLE_RATES.items()
    ]
    # dishwashers get a raise from 2026-04-05, mid-range
    rows.append(
        {
            "tenant_id": TENANT_ID,
            "staff_id": None,
            "role": "dishwasher",
            "hourly_rate": "15.00",
            "effective_from": "2026-04-05",
            "effective_to": None,
        }
    )
    for member in staff[::7]:
        if member.pay_type == "hourly":
            rows.append(
                {
                    "tenant_id": TENANT_ID,
                    "staff_id": member.staff_id,
                    "role": member.roles[0],
                    "hourly_rate": f"{float(ROLE_RATES[member.roles[0]]) + 1.25:.2f}",
                    "effective_from": "2026-01-01",
                    "effective_to": None,
                }
            )
    return rows


def _week_plan(rng: random.Random, member: _Staff) -> list[tuple[int, str, int, int]]:
    """(day offset in week, role, start minute, length in minutes) for one week."""
    if member.pay_type == "salaried":
        return [(day, "manager", 8 * 60, 9 * 60) for day in range(1, 6)]
    long_week = rng.random() < 0.3
    days = sorted(rng.sample(range(7), 6 if long_week else rng.randrange(4, 6)))
    plan = []
    for position, day in enumerate(days):
        role = member.roles[0] if position % 3 != 2 else member.roles[1]
        if role == "bartender":
            plan.append((day, role, 20 * 60, 6 * 60))  # overnight, to 02:00
            continue
        length = 8 * 60 if long_week else rng.choice((5, 6, 7, 8, 9, 10)) * 60
        start = rng.choice((7, 9, 10, 11, 15, 16)) * 60
        plan.append((day, role, start, length))
    return plan


def _attendance_rows(
    rng: random.Random, staff: list[_Staff], summary: DemoSummary
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    number = 0
    for member in staff:
        for week in range(WEEKS):
            week_start = FIRST_DAY + dt.timedelta(weeks=week)
            for day, role, start, length in _week_plan(rng, member):
                work_day = week_start + dt.timedelta(days=day)
                if work_day < member.hired_on:
                    continue
                if member.terminated_on and work_day > member.terminated_on:
                    continue
                clock_in = _stamp(work_day, start, member.timezone)
                clock_out = _stamp(work_day, start + length, member.timezone)
                if clock_out.date() > summary.last_day:
                    continue  # keep the demo inside its four pay periods
                number += 1
                rows.append(
                    {
                        "tenant_id": TENANT_ID,
                        "event_id": f"E{number:06d}",
                        "staff_id": member.staff_id,
                        "location_id": member.location_id,
                        "role": role,
                        "clock_in": _iso(clock_in),
                        "clock_out": _iso(clock_out),
                        "break_minutes": 30 if length >= 6 * 60 else 0,
                        "updated_at": _iso(clock_out + dt.timedelta(minutes=5)),
                    }
                )
    summary.shifts = len(rows)
    rows.extend(_corrections(rng, rows, summary))
    rows.extend(_problem_rows(staff, summary, number))
    return rows


def _corrections(
    rng: random.Random, rows: list[dict[str, object]], summary: DemoSummary
) -> list[dict[str, object]]:
    """1 % of shifts corrected later (newer updated_at, clock-out 15 min later);
    three stale copies with an older updated_at that must be ignored."""
    corrected = sorted(rng.sample(range(len(rows)), max(1, len(rows) // 100)))
    extra: list[dict[str, object]] = []
    for index in corrected:
        original = rows[index]
        clock_out = dt.datetime.fromisoformat(str(original["clock_out"]))
        fixed = dict(original)
        fixed["clock_out"] = _iso(clock_out + dt.timedelta(minutes=15))
        fixed["updated_at"] = _iso(clock_out + dt.timedelta(days=1))
        extra.append(fixed)
        summary.corrected_event_ids.append(str(original["event_id"]))
    for index in corrected[:3]:
        stale = dict(rows[index])
        clock_in = dt.datetime.fromisoformat(str(stale["clock_in"]))
        stale["clock_out"] = _iso(clock_in + dt.timedelta(hours=12))
        stale["updated_at"] = _iso(clock_in)
        extra.append(stale)
        summary.stale_correction_event_ids.append(str(stale["event_id"]))
    return extra


def _problem_rows(staff: list[_Staff], summary: DemoSummary, last_number: int) -> list[dict]:
    """Rows that must not be paid: three refused at ingest, four exceptions."""
    member = staff[0]
    day = FIRST_DAY + dt.timedelta(days=9)
    base = {
        "tenant_id": TENANT_ID,
        "staff_id": member.staff_id,
        "location_id": member.location_id,
        "role": member.roles[0],
        "break_minutes": 0,
    }

    def shift(number: int, start: int, end: int, **changes: object) -> dict[str, object]:
        clock_in = _stamp(day, start, member.timezone)
        clock_out = _stamp(day, end, member.timezone)
        row = {
            **base,
            "event_id": f"E{number:06d}",
            "clock_in": _iso(clock_in),
            "clock_out": _iso(clock_out),
            "updated_at": _iso(clock_out + dt.timedelta(minutes=5)),
        }
        row.update(changes)
        return row

    n = last_number
    malformed = [
        shift(n + 1, 600, 900, clock_in="2026-03-0X 09:00"),
        shift(n + 2, 600, 900, staff_id=""),
        shift(n + 3, 600, 900, break_minutes=-30),
    ]
    leaver = next(s for s in staff if s.terminated_on is not None)
    after_termination_day = leaver.terminated_on + dt.timedelta(days=3)
    exceptions = [
        shift(n + 4, 900, 600),  # clock-out before clock-in
        shift(n + 5, 600, 900, staff_id="S999"),  # unknown staff
        shift(n + 6, 600, 900, clock_out=""),  # still on shift
        {
            **base,
            "event_id": f"E{n + 7:06d}",
            "staff_id": leaver.staff_id,
            "location_id": leaver.location_id,
            "role": "manager",
            "clock_in": _iso(_stamp(after_termination_day, 480, leaver.timezone)),
            "clock_out": _iso(_stamp(after_termination_day, 1020, leaver.timezone)),
            "updated_at": _iso(_stamp(after_termination_day, 1030, leaver.timezone)),
        },
    ]
    summary.malformed_rows = len(malformed)
    summary.exception_event_ids = [str(row["event_id"]) for row in exceptions]
    return malformed + exceptions


def _adjustment_rows(rng: random.Random, staff: list[_Staff]) -> list[dict[str, object]]:
    hourly = [member for member in staff if member.pay_type == "hourly"]
    rows = []
    for number, member in enumerate(sorted(rng.sample(hourly, 8), key=lambda s: s.staff_id)):
        rows.append(
            {
                "tenant_id": TENANT_ID,
                "adjustment_id": f"A{number + 1:04d}",
                "staff_id": member.staff_id,
                "work_date": (FIRST_DAY + dt.timedelta(days=3 + 7 * (number % WEEKS))).isoformat(),
                "kind": "bonus" if number % 2 == 0 else "discretionary_bonus",
                "amount": "46.00" if number % 2 == 0 else "75.00",
            }
        )
    return rows


def _deduction_rows(staff: list[_Staff]) -> list[dict[str, object]]:
    rows = []
    for position, member in enumerate(staff):
        kind = ("retirement_401k", "section_125", "post_tax", None)[position % 4]
        if kind is None:
            continue
        amount = {"retirement_401k": "50.00", "section_125": "40.00", "post_tax": "25.00"}[kind]
        rows.append(
            {
                "tenant_id": TENANT_ID,
                "staff_id": member.staff_id,
                "kind": kind,
                "amount_per_period": amount,
                "effective_from": "2026-01-01",
                "effective_to": None,
            }
        )
    return rows


def _ytd_rows(staff: list[_Staff]) -> list[dict[str, object]]:
    managers = [member for member in staff if member.pay_type == "salaried"]
    near_cap, hourly = managers[0], next(s for s in staff if s.pay_type == "hourly")
    return [
        {
            "tenant_id": TENANT_ID,
            "staff_id": near_cap.staff_id,
            "tax_year": 2026,
            "gross_wages": "181000.00",
            "social_security_wages": "180000.00",
            "medicare_wages": "180000.00",
            "futa_wages": "7000.00",
            "sdi_wages": "180000.00",
        },
        {
            "tenant_id": TENANT_ID,
            "staff_id": hourly.staff_id,
            "tax_year": 2026,
            "gross_wages": "6200.00",
            "social_security_wages": "6200.00",
            "medicare_wages": "6200.00",
            "futa_wages": "6200.00",
            "sdi_wages": "6200.00",
        },
    ]


def write_demo_files(folder: Path, *, seed: int = DEMO_SEED) -> DemoSummary:
    """Write the eight input files of CONTRACT §3 into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    summary = DemoSummary(folder=folder)
    tenants = [
        {
            "tenant_id": TENANT_ID,
            "name": "Bistro Group",
            "pay_frequency": "biweekly",
            "period_anchor": FIRST_DAY.isoformat(),
            "workweek_start": "sunday",
            "pay_date_lag_days": 5,
        }
    ]
    locations = [
        {
            "tenant_id": TENANT_ID,
            "location_id": location_id,
            "name": name,
            "timezone": timezone,
            "jurisdiction": state,
        }
        for location_id, name, timezone, state in LOCATIONS
    ]
    staff, staff_rows = _make_staff(rng)
    summary.staff_count = len(staff)
    _write(folder, "tenants", tenants, summary)
    _write(folder, "locations", locations, summary)
    _write(folder, "staff", staff_rows, summary)
    _write(folder, "pay_rates", _pay_rate_rows(staff), summary)
    _write(folder, "attendance", _attendance_rows(rng, staff, summary), summary)
    _write(folder, "adjustments", _adjustment_rows(rng, staff), summary)
    _write(folder, "deductions", _deduction_rows(staff), summary)
    _write(folder, "ytd_opening", _ytd_rows(staff), summary)
    return summary
