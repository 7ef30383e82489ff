"""Deterministic demo data: one restaurant group, five states, eight weeks.

The same seed writes byte-identical files on any machine: no clock, no
locale, no unordered iteration. The data exercises what payroll gets wrong:
overnight shifts, weeks over 40 hours, two roles at two rates, rate changes,
the spring DST change, salaried managers (one hired, one leaving mid-range),
bonuses, deductions, a Social Security wage base reached, corrections and a
few bad rows.

A tipped crew (CONTRACT §6) joins the 60 staff of the three original
locations: servers and bartenders paid the Texas tipped cash wage with the
tip credit in Austin, tipped staff at or above the California minimum wage
(no tip credit there) in Sacramento, and a New York City crew (locality
``nyc``). Its weeks are planned by hand, not drawn, so that each §6 rule shows
up exactly once, where ``CREW_SCENARIOS`` says: a slow week whose tips fall
short of the tip credit (minimum-wage make-up), a tipped overtime week, a
California split shift, a long California day without a meal break and a
New York day spread over more than 10 hours. The crew's tips, names and W-4s
come from a second random stream, so the original 60 staff, their shifts and
corrections are exactly what they were before the crew was added.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

DEMO_SEED = 2026
TENANT_ID = "bistro"
TENANT_NAME = "Bistro Group"
# CONTRACT §7: the employer on statements and forms, its bank and its staff's
# accounts (invented: the EIN prefix 00 is never issued; the routing numbers
# are real banks' public ones, the account numbers random)
EMPLOYER_LEGAL_NAME = "Bistro Group LLC"
EMPLOYER_ADDRESS = "100 Harbor Way, Sacramento, CA 95814"
EMPLOYER_EIN = "00-1234567"
ODFI_ROUTING_NUMBER = "121000358"
RECEIVING_ROUTING_NUMBERS = ("021000021", "026009593", "121000248", "322271627", "111000025")
BANK_STREAM = "bank accounts"  # random.Random(f"{seed}:{BANK_STREAM}")
# paid by check: no account on file (every tenth staff member)
PAPER_CHECK_EVERY = 10
PAY_FREQUENCY = "biweekly"
PERIOD_DAYS = 14
PAY_DATE_LAG_DAYS = 5
FIRST_DAY = dt.date(2026, 3, 1)  # a Sunday; the US DST change is on 2026-03-08
WEEKS = 8
LAST_DAY = FIRST_DAY + dt.timedelta(days=7 * WEEKS - 1)  # 2026-04-25, a Saturday
# The demo's "now": its pay calendar ends in the period after its data (the
# last one closed), so `make run` prints the same four periods on any day.
DEMO_AS_OF = dt.datetime.combine(LAST_DAY + dt.timedelta(days=2), dt.time(12), dt.UTC)
UTC = dt.UTC

# Copied from CONTRACT §3 and §6 on purpose: the demo is an example of the
# outside contract, so it must not follow the ingest models if they drift.
# The §6 columns (locality, tip_credit, cash_tips, card_tips) are optional in
# the contract; the demo writes them in full, as an example of each.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "tenants": (
        "tenant_id", "name", "pay_frequency", "period_anchor", "workweek_start",
        "pay_date_lag_days", "legal_name", "address", "ein",
    ),
    "locations": ("tenant_id", "location_id", "name", "timezone", "jurisdiction", "locality"),
    "staff": (
        "tenant_id", "staff_id", "full_name", "home_location_id", "pay_type", "flsa_exempt",
        "annual_salary", "filing_status", "w4_step2", "w4_dependents", "w4_other_income",
        "w4_deductions", "w4_extra_withholding", "hired_on", "terminated_on",
    ),
    "pay_rates": (
        "tenant_id", "staff_id", "role", "hourly_rate", "effective_from", "effective_to",
        "tip_credit",
    ),
    "attendance": (
        "tenant_id", "event_id", "staff_id", "location_id", "role", "clock_in", "clock_out",
        "break_minutes", "updated_at", "cash_tips", "card_tips",
    ),
    "adjustments": ("tenant_id", "adjustment_id", "staff_id", "work_date", "kind", "amount"),
    "deductions": (
        "tenant_id", "staff_id", "kind", "amount_per_period", "effective_from", "effective_to",
    ),
    "ytd_opening": (
        "tenant_id", "staff_id", "tax_year", "gross_wages", "social_security_wages",
        "medicare_wages", "futa_wages", "sdi_wages",
    ),
    # CONTRACT §7
    "bank_accounts": (
        "tenant_id", "staff_id", "routing_number", "account_number", "account_type",
        "effective_from",
    ),
    "ach_settings": (
        "tenant_id", "odfi_routing_number", "immediate_origin", "immediate_origin_name",
        "immediate_destination_name", "company_id", "company_name",
    ),
}  # fmt: skip

LOCATIONS = (
    ("AUS", "Austin Riverside", "America/Chicago", "TX"),
    ("MIA", "Miami Brickell", "America/New_York", "FL"),
    ("DEN", "Denver LoDo", "America/Denver", "CO"),
)
HOURLY_PER_LOCATION = 18
MANAGERS_PER_LOCATION = 2
MANAGER_ROLE = "manager"  # salaried punches need no rate (CONTRACT §4)
ROLE_RATES = {
    "server": Decimal("12.00"),
    "host": Decimal("15.00"),
    "cook": Decimal("19.50"),
    "dishwasher": Decimal("16.00"),
    "bartender": Decimal("14.00"),
}
RATE_CHANGE_ROLE = "dishwasher"
RATE_CHANGE_ON = dt.date(2026, 4, 5)
RATE_CHANGE_NEW_RATE = Decimal("17.00")
RATES_FROM = dt.date(2026, 1, 1)
OVERRIDE_EVERY = 7  # every 7th staff member has a personal rate for their first role
OVERRIDE_RAISE = Decimal("1.25")
PERSONAL_RAISE = Decimal("0.75")
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
W4_DEPENDENTS = (0, 0, 0, 2000, 4000)
W4_OTHER_INCOME = (0, 0, 0, 0, 0, 0, 0, 2400)
W4_DEDUCTIONS = (0, 0, 0, 0, 0, 0, 0, 1200)
W4_EXTRA_WITHHOLDING = (0, 0, 0, 0, 0, 0, 0, 0, 10, 25)
W4_STEP2_SHARE = 0.15
HIRED_FROM = dt.date(2024, 1, 8)
HIRED_SPREAD_DAYS = 700  # so hired_on falls in 2024–2025
MID_PERIOD_HIRE = ("S005", dt.date(2026, 3, 18))  # an hourly cook joins mid-period
LEAVER_LOCATION = "MIA"  # its second (non-exempt) manager leaves
LEAVER_TERMINATED_ON = dt.date(2026, 4, 10)
SALARY_FLOOR = 52_000
SALARY_STEPS = 24  # in $1,000 steps: 52,000–75,000

LONG_WEEK_SHARE = 0.3  # 6 × 8 h: 45 h after breaks, so overtime happens
SHIFTS_PER_WEEK = (4, 5, 5, 6, 6)
SHIFT_HOURS = (5, 6, 7, 8, 9, 10)
START_HOURS = (7, 9, 10, 11, 15, 16)  # 16:00 + 10 h ends after midnight too
BARTENDER_START_HOUR = 20
BARTENDER_HOURS = 6  # 20:00–02:00 local: crosses midnight
MANAGER_START_HOUR = 8
MANAGER_HOURS = 9
BREAK_FROM_MINUTES = 6 * 60
BREAK_MINUTES = 30
PUNCH_SYNC_MINUTES = 5  # updated_at: the clock syncs a little after clock-out

CORRECTION_SHARE = 100  # one shift in a hundred is corrected
CORRECTION_SHIFTS = (-30, -15, 15, 30)  # minutes added to clock_out
STALE_COPIES = 3
STALE_SHIFT_HOURS = 12  # obviously wrong if a stale copy were ever used
MALFORMED_CLOCK_IN = "2026-03-0X 09:00"
UNKNOWN_STAFF_ID = "S999"

BONUS_COUNT = 8
BONUS_AMOUNT = Decimal("46.00")  # attendance bonus: non-discretionary
DISCRETIONARY_AMOUNTS = (Decimal("75.00"), Decimal("100.00"))
DEDUCTION_CYCLE = ("retirement_401k", "section_125", "post_tax", None)
DEDUCTION_AMOUNTS = {
    "retirement_401k": Decimal("50.00"),
    "section_125": Decimal("40.00"),
    "post_tax": Decimal("25.00"),
}
DEDUCTIONS_FROM = dt.date(2026, 1, 1)
TAX_YEAR = 2026
NEAR_CAP_WAGES = Decimal("180000.00")  # $4,500 below the 2026 wage base of $184,500
MOVED_IN_WAGES = Decimal("6200.00")  # $800 below the FUTA wage base of $7,000

# ---- the tipped crew (CONTRACT §6); see the module docstring
CREW_STREAM = "restaurant crew"  # the crew's random stream: random.Random(f"{seed}:{CREW_STREAM}")
CREW_LOCATIONS = (
    ("SAC", "Sacramento Midtown", "America/Los_Angeles", "CA", None),  # the state minimum only
    ("NYC", "New York Chelsea", "America/New_York", "NY", "nyc"),
)
TX_TIPPED_CASH_WAGE = Decimal("2.13")  # FLSA 203(m): $7.25 − the $5.12 tip credit
NYC_TIPPED_CASH_WAGE = Decimal("11.35")  # 12 NYCRR 146-1.3: $17.00 − the $5.65 tip credit
CREW_SHIFT_HOURS = 6  # 5.5 h worked after the 30-minute meal break
CREW_TIPS_CENTS = (4_500, 25_000)  # a shift's tips: $45–$250, above any shift's tip credit
CREW_CASH_SHARE = (10, 40)  # per cent of a shift's tips received in cash


@dataclass(frozen=True)
class _CrewSpec:
    """A crew member's job: two roles at personal rates, a weekly pattern."""

    location_id: str
    roles: tuple[str, str]
    rates: tuple[Decimal, Decimal]
    tip_credit: bool  # both rates are tipped cash wages with the tip credit
    tipped: bool  # their shifts carry tips
    weekdays: tuple[int, ...]  # days worked, as offsets from the workweek's Sunday
    start_hour: int


# S061–S068, in this order; every third shift of a week is in the second role.
CREW = (
    _CrewSpec("AUS", ("server", "bartender"), (TX_TIPPED_CASH_WAGE,) * 2, True, True,
              (2, 3, 4, 5, 6), 16),
    _CrewSpec("AUS", ("bartender", "server"), (TX_TIPPED_CASH_WAGE,) * 2, True, True,
              (0, 1, 4, 5, 6), 16),
    _CrewSpec("AUS", ("server", "bartender"), (TX_TIPPED_CASH_WAGE,) * 2, True, True,
              (0, 2, 3, 5, 6), 11),
    _CrewSpec("SAC", ("server", "bartender"), (Decimal("16.90"), Decimal("17.50")), False, True,
              (1, 2, 4, 5, 6), 16),
    _CrewSpec("SAC", ("bartender", "server"), (Decimal("17.50"), Decimal("16.90")), False, True,
              (0, 3, 4, 5, 6), 16),
    _CrewSpec("SAC", ("cook", "dishwasher"), (Decimal("19.50"), Decimal("17.25")), False, False,
              (1, 2, 3, 4, 5), 10),
    _CrewSpec("NYC", ("cook", "dishwasher"), (Decimal("21.00"), Decimal("17.50")), False, False,
              (1, 2, 3, 4, 5), 10),
    _CrewSpec("NYC", ("server", "bartender"), (NYC_TIPPED_CASH_WAGE,) * 2, True, True,
              (0, 3, 4, 5, 6), 16),
)  # fmt: skip

# Where each §6 rule shows up (hand computations in the tests and the README):
# a week (staff, Sunday) or a day (staff, date) planned differently from the pattern.
SHORT_TIPS_WEEK = ("S061", dt.date(2026, 3, 15))  # 5 × 5.5 h, $40.00 of tips in all
SHORT_TIPS = (  # (cash, card) of its five shifts, in order
    (Decimal("3.00"), Decimal("5.00")),
    (Decimal("0.00"), Decimal("12.00")),
    (Decimal("2.00"), Decimal("4.50")),
    (Decimal("5.00"), Decimal("0.00")),
    (Decimal("1.50"), Decimal("7.00")),
)
TIPPED_OVERTIME_WEEK = ("S062", dt.date(2026, 3, 29))  # 6 × 7.5 h = 45 h
TIPPED_OVERTIME_DAYS = (0, 1, 3, 4, 5, 6)
TIPPED_OVERTIME_SHIFT = (14, 8)  # 14:00–22:00, 30-minute break
# a day's punches: (start hour, hours), no break
CREW_DAYS: dict[tuple[str, dt.date], tuple[str, tuple[tuple[int, int], ...]]] = {
    ("S064", dt.date(2026, 4, 10)): ("split_shift", ((10, 4), (17, 4))),
    ("S066", dt.date(2026, 4, 16)): ("meal_period", ((10, 7),)),
    ("S067", dt.date(2026, 3, 27)): ("spread_of_hours", ((9, 4), (17, 5))),
}
CREW_SCENARIOS = ("short_tips", "tipped_overtime", "split_shift", "meal_period", "spread_of_hours")

Row = dict[str, object]


@dataclass(frozen=True)
class DemoSummary:
    """What was written, so tests and the CLI can assert on it.

    ``shifts`` counts distinct good shifts; the attendance file also holds
    the corrections, the stale copies and the bad rows listed here.
    """

    folder: Path
    rows: dict[str, int]
    staff_count: int
    shifts: int
    first_day: dt.date
    last_day: dt.date
    period_starts: tuple[dt.date, ...]
    corrected_event_ids: tuple[str, ...]
    stale_correction_event_ids: tuple[str, ...]
    malformed_event_ids: tuple[str, ...]
    exception_event_ids: tuple[str, ...]
    # CONTRACT §6: the event ids of the crew's shifts where each rule shows up
    # (keys: CREW_SCENARIOS)
    scenario_event_ids: dict[str, tuple[str, ...]]

    @property
    def malformed_rows(self) -> int:
        """Rows ingest refuses (a value that does not parse or validate)."""
        return len(self.malformed_event_ids)

    @property
    def bad_rows(self) -> int:
        """Every attendance row that must end up in the exceptions."""
        return len(self.malformed_event_ids) + len(self.exception_event_ids)


@dataclass(frozen=True)
class _Location:
    location_id: str
    name: str
    timezone: str
    jurisdiction: str
    locality: str | None = None


@dataclass(frozen=True)
class _Staff:
    staff_id: str
    full_name: str
    location: _Location
    pay_type: str
    flsa_exempt: bool
    annual_salary: int | None
    roles: tuple[str, ...]
    hired_on: dt.date
    terminated_on: dt.date | None

    def works_on(self, day: dt.date) -> bool:
        if day < self.hired_on:
            return False
        return self.terminated_on is None or day <= self.terminated_on


@dataclass(frozen=True)
class _Shift:
    staff: _Staff
    role: str
    clock_in: dt.datetime
    clock_out: dt.datetime
    break_minutes: int
    cash_tips: Decimal = Decimal(0)
    card_tips: Decimal = Decimal(0)
    scenario: str | None = None  # one of CREW_SCENARIOS


@dataclass(frozen=True)
class _Attendance:
    rows: list[Row]
    shifts: int
    corrected: tuple[str, ...]
    stale: tuple[str, ...]
    malformed: tuple[str, ...]
    exceptions: tuple[str, ...]
    scenarios: dict[str, tuple[str, ...]]


def _money(value: Decimal | int) -> str:
    return f"{Decimal(value):.2f}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _event_id(number: int) -> str:
    return f"E{number:06d}"


def _local(day: dt.date, hour: int, location: _Location) -> dt.datetime:
    """Local wall time on ``day``; demo shifts never start in the 02:00 DST gap."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(location.timezone))


def _after(moment: dt.datetime, minutes: int) -> dt.datetime:
    """Real elapsed time, shown with the offset in force at the result, so a
    shift over the DST change is as long as it says and never names a local
    time that did not exist."""
    shifted = moment.astimezone(UTC) + dt.timedelta(minutes=minutes)
    return shifted.astimezone(moment.tzinfo)


def _write(folder: Path, kind: str, rows: list[Row]) -> int:
    columns = CONTRACT_COLUMNS[kind]
    with (folder / f"{kind}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow("" if row.get(column) is None else row[column] for column in columns)
    return len(rows)


def _locations() -> list[_Location]:
    return [_Location(*location) for location in LOCATIONS]


def _names(rng: random.Random, count: int) -> list[str]:
    """Distinct, obviously fictional names: no two staff members share one."""
    pairs = list(itertools.product(FIRST_NAMES, LAST_NAMES))
    return [f"{first} {last}" for first, last in rng.sample(pairs, count)]


def _make_staff(rng: random.Random, locations: list[_Location]) -> list[_Staff]:
    per_location = HOURLY_PER_LOCATION + MANAGERS_PER_LOCATION
    names = _names(rng, per_location * len(locations))
    staff: list[_Staff] = []
    for location, index in itertools.product(locations, range(per_location)):
        staff_id = f"S{len(staff) + 1:03d}"
        manager_index = index - HOURLY_PER_LOCATION
        is_manager = manager_index >= 0
        hired_on = HIRED_FROM + dt.timedelta(days=rng.randrange(HIRED_SPREAD_DAYS))
        if staff_id == MID_PERIOD_HIRE[0]:
            hired_on = MID_PERIOD_HIRE[1]
        leaves = location.location_id == LEAVER_LOCATION and manager_index == 1
        staff.append(
            _Staff(
                staff_id=staff_id,
                full_name=names[len(staff)],
                location=location,
                pay_type="salaried" if is_manager else "hourly",
                flsa_exempt=manager_index == 0,
                annual_salary=SALARY_FLOOR + 1000 * rng.randrange(SALARY_STEPS)
                if is_manager
                else None,
                roles=(MANAGER_ROLE,) if is_manager else ROLE_PAIRS[index % len(ROLE_PAIRS)],
                hired_on=hired_on,
                terminated_on=LEAVER_TERMINATED_ON if leaves else None,
            )
        )
    return staff


def _staff_row(rng: random.Random, member: _Staff) -> Row:
    return {
        "tenant_id": TENANT_ID,
        "staff_id": member.staff_id,
        "full_name": member.full_name,
        "home_location_id": member.location.location_id,
        "pay_type": member.pay_type,
        "flsa_exempt": _bool(member.flsa_exempt),
        "annual_salary": None if member.annual_salary is None else _money(member.annual_salary),
        "filing_status": rng.choice(FILING_STATUSES),
        "w4_step2": _bool(rng.random() < W4_STEP2_SHARE),
        "w4_dependents": _money(rng.choice(W4_DEPENDENTS)),
        "w4_other_income": _money(rng.choice(W4_OTHER_INCOME)),
        "w4_deductions": _money(rng.choice(W4_DEDUCTIONS)),
        "w4_extra_withholding": _money(rng.choice(W4_EXTRA_WITHHOLDING)),
        "hired_on": member.hired_on.isoformat(),
        "terminated_on": None if member.terminated_on is None else member.terminated_on.isoformat(),
    }


def _rate_row(
    staff_id: str | None,
    role: str,
    rate: Decimal,
    start: dt.date,
    end: dt.date | None,
    *,
    tip_credit: bool = False,
) -> Row:
    return {
        "tenant_id": TENANT_ID,
        "staff_id": staff_id,
        "role": role,
        "hourly_rate": _money(rate),
        "effective_from": start.isoformat(),
        "effective_to": None if end is None else end.isoformat(),
        "tip_credit": _bool(tip_credit),
    }


def _pay_rate_rows(staff: list[_Staff]) -> list[Row]:
    """Role defaults, personal overrides, and two raises from RATE_CHANGE_ON:
    one for a role default, one for the first personal override."""
    day_before = RATE_CHANGE_ON - dt.timedelta(days=1)
    rows = []
    for role, rate in ROLE_RATES.items():
        changes = role == RATE_CHANGE_ROLE
        rows.append(_rate_row(None, role, rate, RATES_FROM, day_before if changes else None))
        if changes:
            rows.append(_rate_row(None, role, RATE_CHANGE_NEW_RATE, RATE_CHANGE_ON, None))
    hourly = [member for member in staff if member.pay_type == "hourly"]
    for position, member in enumerate(hourly[::OVERRIDE_EVERY]):
        role = member.roles[0]
        rate = ROLE_RATES[role] + OVERRIDE_RAISE
        if position == 0:
            rows.append(_rate_row(member.staff_id, role, rate, RATES_FROM, day_before))
            rows.append(
                _rate_row(member.staff_id, role, rate + PERSONAL_RAISE, RATE_CHANGE_ON, None)
            )
        else:
            rows.append(_rate_row(member.staff_id, role, rate, RATES_FROM, None))
    return rows


def _shift(
    member: _Staff,
    role: str,
    day: dt.date,
    hour: int,
    hours: int,
    *,
    break_minutes: int | None = None,
    scenario: str | None = None,
) -> _Shift:
    """A shift at the member's home location; the break is the house rule
    (30 minutes from 6 hours on) unless ``break_minutes`` says otherwise."""
    clock_in = _local(day, hour, member.location)
    minutes = hours * 60
    if break_minutes is None:
        break_minutes = BREAK_MINUTES if minutes >= BREAK_FROM_MINUTES else 0
    return _Shift(
        staff=member,
        role=role,
        clock_in=clock_in,
        clock_out=_after(clock_in, minutes),
        break_minutes=break_minutes,
        scenario=scenario,
    )


def _manager_week(member: _Staff, week_start: dt.date) -> list[_Shift]:
    weekdays = (week_start + dt.timedelta(days=offset) for offset in range(1, 6))
    return [
        _shift(member, MANAGER_ROLE, day, MANAGER_START_HOUR, MANAGER_HOURS) for day in weekdays
    ]


def _hourly_week(rng: random.Random, member: _Staff, week_start: dt.date) -> list[_Shift]:
    """Every third shift of the week is in the second role, so both roles show up weekly."""
    long_week = rng.random() < LONG_WEEK_SHARE
    count = 6 if long_week else rng.choice(SHIFTS_PER_WEEK)
    shifts = []
    for position, offset in enumerate(sorted(rng.sample(range(7), count))):
        day = week_start + dt.timedelta(days=offset)
        role = member.roles[1] if position % 3 == 2 else member.roles[0]
        if role == "bartender":
            shifts.append(_shift(member, role, day, BARTENDER_START_HOUR, BARTENDER_HOURS))
            continue
        hours = 8 if long_week else rng.choice(SHIFT_HOURS)
        shifts.append(_shift(member, role, day, rng.choice(START_HOURS), hours))
    return shifts


def _plan_shifts(rng: random.Random, staff: list[_Staff]) -> list[_Shift]:
    """All good shifts in punch-clock order (by clock-in instant, then staff)."""
    shifts: list[_Shift] = []
    for member, week in itertools.product(staff, range(WEEKS)):
        week_start = FIRST_DAY + dt.timedelta(weeks=week)
        if member.pay_type == "salaried":
            planned = _manager_week(member, week_start)
        else:
            planned = _hourly_week(rng, member, week_start)
        shifts.extend(
            shift
            for shift in planned
            if member.works_on(shift.clock_in.date()) and shift.clock_out.date() <= LAST_DAY
        )
    return sorted(shifts, key=lambda shift: (shift.clock_in.astimezone(UTC), shift.staff.staff_id))


def _attendance_row(event_id: str, shift: _Shift, updated_at: dt.datetime) -> Row:
    return {
        "tenant_id": TENANT_ID,
        "event_id": event_id,
        "staff_id": shift.staff.staff_id,
        "location_id": shift.staff.location.location_id,
        "role": shift.role,
        "clock_in": shift.clock_in.isoformat(),
        "clock_out": shift.clock_out.isoformat(),
        "break_minutes": shift.break_minutes,
        "updated_at": updated_at.isoformat(),
        "cash_tips": _money(shift.cash_tips),
        "card_tips": _money(shift.card_tips),
    }


def _synced(shift: _Shift) -> dt.datetime:
    return _after(shift.clock_out, PUNCH_SYNC_MINUTES)


def _corrected(rng: random.Random, row: Row) -> Row:
    """The row again, a day later, with its clock-out moved."""
    clock_out = dt.datetime.fromisoformat(str(row["clock_out"]))
    updated_at = dt.datetime.fromisoformat(str(row["updated_at"]))
    moved = _after(clock_out, rng.choice(CORRECTION_SHIFTS))
    fixed = {**row, "clock_out": moved.isoformat()}
    fixed["updated_at"] = _after(updated_at, 24 * 60 + rng.randrange(60, 600)).isoformat()
    return fixed


def _corrections(rng: random.Random, rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """One shift in a hundred comes again with a newer updated_at and a moved
    clock-out (it wins); three others come again with an older updated_at and
    an absurd clock-out (they must be ignored)."""
    chosen = rng.sample(range(len(rows)), len(rows) // CORRECTION_SHARE + STALE_COPIES)
    corrected = sorted(chosen[STALE_COPIES:])
    stale = sorted(chosen[:STALE_COPIES])
    newer = [_corrected(rng, rows[index]) for index in corrected]
    older = []
    for index in stale:
        clock_in = dt.datetime.fromisoformat(str(rows[index]["clock_in"]))
        copy = {**rows[index], "clock_out": _after(clock_in, STALE_SHIFT_HOURS * 60).isoformat()}
        copy["updated_at"] = clock_in.isoformat()
        older.append(copy)
    return newer, older


def _free_day(member: _Staff, shifts: list[_Shift]) -> dt.date:
    """A day in the second week that ``member`` does not work, so the bad rows
    cannot overlap a good shift and add exceptions of their own."""
    worked = {shift.clock_in.date() for shift in shifts if shift.staff == member}
    return next(
        day
        for day in (FIRST_DAY + dt.timedelta(days=7 + offset) for offset in range(7))
        if day not in worked
    )


def _bad_rows(
    staff: list[_Staff], shifts: list[_Shift], next_number: int
) -> tuple[list[Row], list[Row]]:
    """Three rows ingest refuses, then four it loads that become exceptions
    (reversed punches, unknown staff, still on shift, after termination)."""
    member = next(s for s in staff if s.pay_type == "hourly")
    base = _shift(member, member.roles[0], _free_day(member, shifts), 10, 5)
    leaver = next(s for s in staff if s.terminated_on is not None)
    late_day = LEAVER_TERMINATED_ON + dt.timedelta(days=3)
    after_termination = _shift(leaver, MANAGER_ROLE, late_day, MANAGER_START_HOUR, MANAGER_HOURS)
    numbers = itertools.count(next_number)

    def row(shift: _Shift, **changes: object) -> Row:
        return {**_attendance_row(_event_id(next(numbers)), shift, _synced(shift)), **changes}

    malformed = [
        row(base, clock_in=MALFORMED_CLOCK_IN),
        row(base, staff_id=""),
        row(base, break_minutes=-BREAK_MINUTES),
    ]
    exceptions = [
        row(base, clock_in=base.clock_out.isoformat(), clock_out=base.clock_in.isoformat()),
        row(base, staff_id=UNKNOWN_STAFF_ID),
        row(base, clock_out=None, updated_at=_after(base.clock_in, 1).isoformat()),
        row(after_termination),
    ]
    return malformed, exceptions


Crew = list[tuple[_Staff, _CrewSpec]]


def _crew_locations() -> list[_Location]:
    return [_Location(*location) for location in CREW_LOCATIONS]


def _make_crew(rng: random.Random, staff: list[_Staff], locations: list[_Location]) -> Crew:
    """The crew, numbered after ``staff``: hourly, non-exempt, hired in
    2024–2025, and named unlike anyone in ``staff``."""
    taken = {member.full_name for member in staff}
    pairs = itertools.product(FIRST_NAMES, LAST_NAMES)
    free = [name for name in (f"{first} {last}" for first, last in pairs) if name not in taken]
    names = rng.sample(free, len(CREW))
    by_id = {location.location_id: location for location in locations}
    crew = []
    for number, (spec, name) in enumerate(zip(CREW, names, strict=True), start=len(staff) + 1):
        member = _Staff(
            staff_id=f"S{number:03d}",
            full_name=name,
            location=by_id[spec.location_id],
            pay_type="hourly",
            flsa_exempt=False,
            annual_salary=None,
            roles=spec.roles,
            hired_on=HIRED_FROM + dt.timedelta(days=rng.randrange(HIRED_SPREAD_DAYS)),
            terminated_on=None,
        )
        crew.append((member, spec))
    return crew


def _crew_rate_rows(crew: Crew) -> list[Row]:
    """Personal rates for both roles of each crew member, open-ended."""
    return [
        _rate_row(member.staff_id, role, rate, RATES_FROM, None, tip_credit=spec.tip_credit)
        for member, spec in crew
        for role, rate in zip(spec.roles, spec.rates, strict=True)
    ]


def _sunday(shift: _Shift) -> dt.date:
    """The first day of the shift's workweek (the tenant's weeks start on Sunday)."""
    day = shift.clock_in.date()
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def _crew_week(member: _Staff, spec: _CrewSpec, week_start: dt.date) -> list[_Shift]:
    """The weekly pattern, or the week's or a day's scenario instead. No crew
    shift crosses midnight and every one from 6 hours on has its meal break,
    so the §6 premiums arise only on the days of ``CREW_DAYS``."""
    week = (member.staff_id, week_start)
    weekdays, (hour, hours) = spec.weekdays, (spec.start_hour, CREW_SHIFT_HOURS)
    scenario = None
    if week == TIPPED_OVERTIME_WEEK:
        weekdays, (hour, hours) = TIPPED_OVERTIME_DAYS, TIPPED_OVERTIME_SHIFT
        scenario = "tipped_overtime"
    elif week == SHORT_TIPS_WEEK:
        scenario = "short_tips"
    shifts = []
    for position, offset in enumerate(weekdays):
        day = week_start + dt.timedelta(days=offset)
        role = spec.roles[1] if position % 3 == 2 else spec.roles[0]
        planned = CREW_DAYS.get((member.staff_id, day))
        if planned is None:
            shifts.append(_shift(member, role, day, hour, hours, scenario=scenario))
            continue
        kind, punches = planned
        shifts.extend(
            _shift(member, role, day, start, length, break_minutes=0, scenario=kind)
            for start, length in punches
        )
    return shifts


def _with_tips(
    rng: random.Random, shift: _Shift, short_tips: Iterator[tuple[Decimal, Decimal]]
) -> _Shift:
    """$45–$250, a minority of it in cash; the slow week's tips are fixed."""
    if shift.scenario == "short_tips":
        cash, card = next(short_tips)
    else:
        total = rng.randint(*CREW_TIPS_CENTS)
        cash_cents = total * rng.randint(*CREW_CASH_SHARE) // 100
        cash, card = Decimal(cash_cents) / 100, Decimal(total - cash_cents) / 100
    return replace(shift, cash_tips=cash, card_tips=card)


def _crew_shifts(rng: random.Random, crew: Crew) -> list[_Shift]:
    """Every crew shift of the eight weeks in punch-clock order, tips included."""
    shifts = [
        shift
        for (member, spec), week in itertools.product(crew, range(WEEKS))
        for shift in _crew_week(member, spec, FIRST_DAY + dt.timedelta(weeks=week))
    ]
    shifts.sort(key=lambda shift: (shift.clock_in.astimezone(UTC), shift.staff.staff_id))
    tipped = {member.staff_id for member, spec in crew if spec.tipped}
    short_tips = iter(SHORT_TIPS)
    return [
        _with_tips(rng, shift, short_tips) if shift.staff.staff_id in tipped else shift
        for shift in shifts
    ]


def _crew_corrections(
    rng: random.Random, rows: list[Row], shifts: list[_Shift], corrected: int, total: int
) -> list[Row]:
    """Top the corrections up to one shift in a hundred of all ``total``
    shifts, from crew shifts outside the weeks of a scenario (whose hand
    computations a moved clock-out would spoil)."""
    weeks = {(shift.staff.staff_id, _sunday(shift)) for shift in shifts if shift.scenario}
    candidates = [
        index
        for index, shift in enumerate(shifts)
        if (shift.staff.staff_id, _sunday(shift)) not in weeks
    ]
    chosen = sorted(rng.sample(candidates, total // CORRECTION_SHARE - corrected))
    return [_corrected(rng, rows[index]) for index in chosen]


def _attendance(
    rng: random.Random, crew_rng: random.Random, staff: list[_Staff], crew: Crew
) -> _Attendance:
    """The 60 staff's shifts (E000001 on, then the crew's), the corrections,
    the stale copies and the bad rows, in that order."""
    shifts = _plan_shifts(rng, staff)
    rows = [
        _attendance_row(_event_id(number), shift, _synced(shift))
        for number, shift in enumerate(shifts, start=1)
    ]
    newer, older = _corrections(rng, rows)
    crew_shifts = _crew_shifts(crew_rng, crew)
    crew_rows = [
        _attendance_row(_event_id(number), shift, _synced(shift))
        for number, shift in enumerate(crew_shifts, start=len(rows) + 1)
    ]
    total = len(shifts) + len(crew_shifts)
    crew_newer = _crew_corrections(crew_rng, crew_rows, crew_shifts, len(newer), total)
    malformed, exceptions = _bad_rows(staff, shifts, len(rows) + len(crew_rows) + 1)

    def ids(group: list[Row]) -> tuple[str, ...]:
        return tuple(str(row["event_id"]) for row in group)

    pairs = list(zip(crew_rows, crew_shifts, strict=True))
    scenarios = {
        kind: ids([row for row, shift in pairs if shift.scenario == kind])
        for kind in CREW_SCENARIOS
    }
    return _Attendance(
        rows=rows + crew_rows + newer + crew_newer + older + malformed + exceptions,
        shifts=total,
        corrected=ids(newer + crew_newer),
        stale=ids(older),
        malformed=ids(malformed),
        exceptions=ids(exceptions),
        scenarios=scenarios,
    )


def _adjustment_rows(rng: random.Random, staff: list[_Staff]) -> list[Row]:
    """Alternating attendance bonuses (in the regular rate) and discretionary
    ones (not), for staff employed the whole range."""
    steady = [
        s
        for s in staff
        if s.pay_type == "hourly" and s.works_on(FIRST_DAY) and s.works_on(LAST_DAY)
    ]
    chosen = sorted(rng.sample(steady, BONUS_COUNT), key=lambda member: member.staff_id)
    rows = []
    for number, member in enumerate(chosen):
        non_discretionary = number % 2 == 0
        work_date = FIRST_DAY + dt.timedelta(days=rng.randrange(7 * WEEKS))
        rows.append(
            {
                "tenant_id": TENANT_ID,
                "adjustment_id": f"A{number + 1:04d}",
                "staff_id": member.staff_id,
                "work_date": work_date.isoformat(),
                "kind": "bonus" if non_discretionary else "discretionary_bonus",
                "amount": _money(
                    BONUS_AMOUNT if non_discretionary else rng.choice(DISCRETIONARY_AMOUNTS)
                ),
            }
        )
    return rows


def _moved_in(staff: list[_Staff]) -> tuple[_Staff, _Staff]:
    """The first manager (near the Social Security wage base) and the first
    hourly staff member (near the FUTA wage base)."""
    manager = next(s for s in staff if s.pay_type == "salaried")
    hourly = next(s for s in staff if s.pay_type == "hourly")
    return manager, hourly


def _deduction_rows(staff: list[_Staff]) -> list[Row]:
    """Staff with opening YTD amounts get no section 125, so their opening
    FICA, FUTA and SDI wages can simply equal their gross wages."""
    moved_in = _moved_in(staff)
    rows = []
    for position, member in enumerate(staff):
        kind = DEDUCTION_CYCLE[position % len(DEDUCTION_CYCLE)]
        if kind == "section_125" and member in moved_in:
            kind = "retirement_401k"
        if kind is None:
            continue
        rows.append(
            {
                "tenant_id": TENANT_ID,
                "staff_id": member.staff_id,
                "kind": kind,
                "amount_per_period": _money(DEDUCTION_AMOUNTS[kind]),
                "effective_from": DEDUCTIONS_FROM.isoformat(),
                "effective_to": None,
            }
        )
    return rows


def _ytd_row(member: _Staff, wages: Decimal) -> Row:
    amount = _money(wages)
    return {
        "tenant_id": TENANT_ID,
        "staff_id": member.staff_id,
        "tax_year": TAX_YEAR,
        "gross_wages": amount,
        "social_security_wages": amount,
        "medicare_wages": amount,
        "futa_wages": amount,
        "sdi_wages": amount,
    }


def _ytd_rows(staff: list[_Staff]) -> list[Row]:
    manager, hourly = _moved_in(staff)
    return [_ytd_row(manager, NEAR_CAP_WAGES), _ytd_row(hourly, MOVED_IN_WAGES)]


def _tenant_rows() -> list[Row]:
    return [
        {
            "tenant_id": TENANT_ID,
            "name": TENANT_NAME,
            "pay_frequency": PAY_FREQUENCY,
            "period_anchor": FIRST_DAY.isoformat(),
            "workweek_start": "sunday",
            "pay_date_lag_days": PAY_DATE_LAG_DAYS,
            "legal_name": EMPLOYER_LEGAL_NAME,
            "address": EMPLOYER_ADDRESS,
            "ein": EMPLOYER_EIN,
        }
    ]


def _bank_account_rows(rng: random.Random, staff: list[_Staff]) -> list[Row]:
    return [
        {
            "tenant_id": TENANT_ID,
            "staff_id": member.staff_id,
            "routing_number": rng.choice(RECEIVING_ROUTING_NUMBERS),
            "account_number": str(rng.randrange(10**7, 10**12)),
            "account_type": "savings" if number % 4 == 3 else "checking",
            "effective_from": min(member.hired_on, FIRST_DAY).isoformat(),
        }
        for number, member in enumerate(staff, start=1)
        if number % PAPER_CHECK_EVERY
    ]


def _ach_settings_rows() -> list[Row]:
    return [
        {
            "tenant_id": TENANT_ID,
            "odfi_routing_number": ODFI_ROUTING_NUMBER,
            "immediate_origin": "1001234567",
            "immediate_origin_name": EMPLOYER_LEGAL_NAME.upper(),
            "immediate_destination_name": "WELLS FARGO BANK",
            "company_id": "1001234567",
            "company_name": "BISTRO GROUP",
        }
    ]


def _location_rows(locations: list[_Location]) -> list[Row]:
    return [
        {
            "tenant_id": TENANT_ID,
            "location_id": location.location_id,
            "name": location.name,
            "timezone": location.timezone,
            "jurisdiction": location.jurisdiction,
            "locality": location.locality,
        }
        for location in locations
    ]


def _period_starts() -> tuple[dt.date, ...]:
    days = (LAST_DAY - FIRST_DAY).days + 1
    return tuple(FIRST_DAY + dt.timedelta(days=d) for d in range(0, days, PERIOD_DAYS))


def write_demo_files(out_dir: Path, *, seed: int = DEMO_SEED) -> DemoSummary:
    """Write the input files of CONTRACT §3 and the payday inputs of §7
    (bank accounts, ACH settings) into ``out_dir``.

    One ``random.Random(seed)`` feeds everything in a fixed order, so the
    same seed gives byte-identical files.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    crew_rng = random.Random(f"{seed}:{CREW_STREAM}")
    locations = _locations()
    staff = _make_staff(rng, locations)
    staff_rows = [_staff_row(rng, member) for member in staff]
    crew_locations = _crew_locations()
    crew = _make_crew(crew_rng, staff, locations + crew_locations)
    crew_staff = [member for member, _ in crew]
    crew_rows = [_staff_row(crew_rng, member) for member in crew_staff]
    attendance = _attendance(rng, crew_rng, staff, crew)
    tables: dict[str, list[Row]] = {
        "tenants": _tenant_rows(),
        "locations": _location_rows(locations + crew_locations),
        "staff": staff_rows + crew_rows,
        "pay_rates": _pay_rate_rows(staff) + _crew_rate_rows(crew),
        "attendance": attendance.rows,
        "adjustments": _adjustment_rows(rng, staff),
        "deductions": _deduction_rows(staff + crew_staff),
        "ytd_opening": _ytd_rows(staff),
        "bank_accounts": _bank_account_rows(
            random.Random(f"{seed}:{BANK_STREAM}"), staff + crew_staff
        ),
        "ach_settings": _ach_settings_rows(),
    }
    counts = {kind: _write(out_dir, kind, rows) for kind, rows in tables.items()}
    return DemoSummary(
        folder=out_dir,
        rows=counts,
        staff_count=len(staff) + len(crew_staff),
        shifts=attendance.shifts,
        first_day=FIRST_DAY,
        last_day=LAST_DAY,
        period_starts=_period_starts(),
        corrected_event_ids=attendance.corrected,
        stale_correction_event_ids=attendance.stale,
        malformed_event_ids=attendance.malformed,
        exception_event_ids=attendance.exceptions,
        scenario_event_ids=attendance.scenarios,
    )
