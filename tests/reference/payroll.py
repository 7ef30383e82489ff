"""Reference payroll calculator: CONTRACT §4 in plain Python, for differential tests.

Written from the rules, never from the dbt models, so that the two disagree
when either one is wrong. Inputs are the rows of the CSV files of CONTRACT §3
(the dataclasses below); the output is what ``marts.fct_payroll`` and
``marts.fct_workweek_hours`` must hold.

Arithmetic is exact: money and hours come in and go out as ``Decimal``;
in between they are ``Fraction`` (exact rationals), because ``Decimal``
division rounds and a regular rate such as 37/3 would otherwise turn an
exact half cent into a rounding error. Every money column is rounded half-up
to cents once, at the end.

The only things read from ``dbt_project/seeds`` are table values (tax
brackets, FICA/FUTA rates and bases, state approximation rates); every rule
that uses them is implemented here.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

HOUR = 3600  # seconds
CENTS = 2
HOURS_PLACES = 4  # scale of the hours columns in marts
RATE_PLACES = 4  # scale of fct_workweek_hours.regular_rate
PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FLSA_WEEKLY_HOURS = 40
NV_DAILY_RULE_MAX_RATE = Fraction(18)  # 1.5 × the Nevada minimum wage of $12.00

PAYROLL_MONEY_COLUMNS = (
    "salary_pay",
    "straight_time_pay",
    "overtime_premium_pay",
    "bonus_pay",
    "gross_pay",
    "retirement_401k",
    "section_125",
    "federal_income_tax",
    "social_security_tax",
    "medicare_tax",
    "state_income_tax",
    "state_disability_tax",
    "post_tax_deductions",
    "net_pay",
    "employer_social_security_tax",
    "employer_medicare_tax",
    "futa_tax",
)
PAYROLL_HOURS_COLUMNS = ("hours_worked", "overtime_hours", "double_time_hours")


# ---------------------------------------------------------------- inputs (CONTRACT §3)


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    pay_frequency: str
    period_anchor: dt.date | None
    workweek_start: str
    pay_date_lag_days: int = 5


@dataclass(frozen=True)
class Location:
    tenant_id: str
    location_id: str
    timezone: str
    jurisdiction: str


@dataclass(frozen=True)
class Staff:
    tenant_id: str
    staff_id: str
    home_location_id: str
    pay_type: str
    flsa_exempt: bool = False
    annual_salary: Decimal | None = None
    filing_status: str = "single"
    w4_step2: bool = False
    w4_dependents: Decimal = Decimal(0)
    w4_other_income: Decimal = Decimal(0)
    w4_deductions: Decimal = Decimal(0)
    w4_extra_withholding: Decimal = Decimal(0)
    hired_on: dt.date | None = None
    terminated_on: dt.date | None = None


@dataclass(frozen=True)
class PayRate:
    tenant_id: str
    staff_id: str | None
    role: str
    hourly_rate: Decimal
    effective_from: dt.date
    effective_to: dt.date | None = None


@dataclass(frozen=True)
class Shift:
    tenant_id: str
    event_id: str
    staff_id: str
    location_id: str
    role: str
    clock_in: dt.datetime
    clock_out: dt.datetime
    break_minutes: int = 0


@dataclass(frozen=True)
class Adjustment:
    tenant_id: str
    adjustment_id: str
    staff_id: str
    work_date: dt.date
    kind: str  # bonus | discretionary_bonus
    amount: Decimal


@dataclass(frozen=True)
class Deduction:
    tenant_id: str
    staff_id: str
    kind: str  # retirement_401k | section_125 | post_tax
    amount_per_period: Decimal
    effective_from: dt.date
    effective_to: dt.date | None = None


@dataclass(frozen=True)
class YtdOpening:
    tenant_id: str
    staff_id: str
    tax_year: int
    gross_wages: Decimal = Decimal(0)
    social_security_wages: Decimal = Decimal(0)
    medicare_wages: Decimal = Decimal(0)
    futa_wages: Decimal = Decimal(0)
    sdi_wages: Decimal = Decimal(0)


@dataclass
class Inputs:
    tenants: list[Tenant] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    pay_rates: list[PayRate] = field(default_factory=list)
    attendance: list[Shift] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)
    ytd_opening: list[YtdOpening] = field(default_factory=list)


# ---------------------------------------------------------------- tax tables (seed data)


@dataclass(frozen=True)
class Bracket:
    over: Fraction
    but_not_over: Fraction | None
    tentative_amount: Fraction
    rate: Fraction


@dataclass(frozen=True)
class TaxTables:
    """2026 table values: Pub 15-T annual brackets, Worksheet 1A line 1g,
    FICA/FUTA rates and bases, state approximation rates."""

    brackets: dict[tuple[str, str], list[Bracket]]
    line_1g: dict[tuple[str, str], Fraction]
    social_security_rate: Fraction
    social_security_wage_base: Fraction
    medicare_rate: Fraction
    additional_medicare_rate: Fraction
    additional_medicare_threshold: Fraction
    futa_rate: Fraction
    futa_wage_base: Fraction
    state_income_tax_rate: dict[str, Fraction]
    state_disability_rate: dict[str, Fraction]


def _q(text: str) -> Fraction:
    return Fraction(Decimal(text))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_tax_tables(seeds: Path, tax_year: int = 2026) -> TaxTables:
    brackets: dict[tuple[str, str], list[Bracket]] = defaultdict(list)
    for row in _read(seeds / f"federal_withholding_{tax_year}.csv"):
        brackets[row["filing_status"], row["schedule"]].append(
            Bracket(
                over=_q(row["over"]),
                but_not_over=_q(row["but_not_over"]) if row["but_not_over"] else None,
                tentative_amount=_q(row["tentative_amount"]),
                rate=_q(row["rate"]),
            )
        )
    line_1g = {
        (row["filing_status"], row["schedule"]): _q(row["line_1g_amount"])
        for row in _read(seeds / f"federal_withholding_{tax_year}_adjustments.csv")
    }
    [rates] = [r for r in _read(seeds / "payroll_tax_rates.csv") if int(r["tax_year"]) == tax_year]
    states = [
        r for r in _read(seeds / "tax_approximation_rules.csv") if int(r["tax_year"]) == tax_year
    ]
    return TaxTables(
        brackets={key: sorted(rows, key=lambda b: b.over) for key, rows in brackets.items()},
        line_1g=line_1g,
        social_security_rate=_q(rates["social_security_rate"]),
        social_security_wage_base=_q(rates["social_security_wage_base"]),
        medicare_rate=_q(rates["medicare_rate"]),
        additional_medicare_rate=_q(rates["additional_medicare_rate"]),
        additional_medicare_threshold=_q(rates["additional_medicare_threshold"]),
        futa_rate=_q(rates["futa_rate"]),
        futa_wage_base=_q(rates["futa_wage_base"]),
        state_income_tax_rate={r["jurisdiction"]: _q(r["income_tax_rate"]) for r in states},
        state_disability_rate={
            r["jurisdiction"]: _q(r["disability_insurance_rate"]) for r in states
        },
    )


# ---------------------------------------------------------------- outputs (CONTRACT §5)


@dataclass(frozen=True)
class PayrollRow:
    tenant_id: str
    staff_id: str
    location_id: str
    period_start: dt.date
    period_end: dt.date
    pay_date: dt.date
    hours_worked: Decimal
    overtime_hours: Decimal
    double_time_hours: Decimal
    salary_pay: Decimal
    straight_time_pay: Decimal
    overtime_premium_pay: Decimal
    bonus_pay: Decimal
    gross_pay: Decimal
    retirement_401k: Decimal
    section_125: Decimal
    federal_income_tax: Decimal
    social_security_tax: Decimal
    medicare_tax: Decimal
    state_income_tax: Decimal
    state_disability_tax: Decimal
    post_tax_deductions: Decimal
    net_pay: Decimal
    employer_social_security_tax: Decimal
    employer_medicare_tax: Decimal
    futa_tax: Decimal


@dataclass(frozen=True)
class WorkweekRow:
    tenant_id: str
    staff_id: str
    workweek_start: dt.date
    period_start: dt.date
    hours_worked: Decimal
    overtime_hours: Decimal
    double_time_hours: Decimal
    straight_time_pay: Decimal
    bonus_pay: Decimal  # non-discretionary bonuses dated in the week
    regular_rate: Decimal | None  # None when not eligible for overtime (salaried, exempt)
    overtime_premium_pay: Decimal


@dataclass
class Result:
    payroll: dict[tuple[str, str, dt.date], PayrollRow]
    workweeks: dict[tuple[str, str, dt.date], WorkweekRow]


# ---------------------------------------------------------------- helpers


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Half away from zero, like PostgreSQL ``round(numeric, n)``."""
    scaled = abs(value) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    result = Decimal(whole).scaleb(-places)
    return -result if value < 0 else result


def money(value: Fraction) -> Decimal:
    return round_half_up(value, CENTS)


def hours(seconds: int | Fraction) -> Decimal:
    return round_half_up(Fraction(seconds) / HOUR, HOURS_PLACES)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    pay_date: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def period_of(tenant: Tenant, day: dt.date) -> Period:
    """The tenant's pay period holding ``day`` (CONTRACT §3 tenants.csv)."""
    if tenant.pay_frequency in ("weekly", "biweekly"):
        length = 7 if tenant.pay_frequency == "weekly" else 14
        assert tenant.period_anchor is not None
        offset = (day - tenant.period_anchor).days // length
        start = tenant.period_anchor + dt.timedelta(days=offset * length)
        end = start + dt.timedelta(days=length - 1)
    elif tenant.pay_frequency == "semimonthly":
        if day.day <= 15:
            start, end = day.replace(day=1), day.replace(day=15)
        else:
            start, end = day.replace(day=16), _month_end(day)
    elif tenant.pay_frequency == "monthly":
        start, end = day.replace(day=1), _month_end(day)
    else:
        raise ValueError(tenant.pay_frequency)
    return Period(start, end, end + dt.timedelta(days=tenant.pay_date_lag_days))


def periods_between(tenant: Tenant, first: dt.date, last: dt.date) -> list[Period]:
    periods = [period_of(tenant, first)]
    while periods[-1].end < last:
        periods.append(period_of(tenant, periods[-1].end + dt.timedelta(days=1)))
    return periods


def workweek_start(tenant: Tenant, day: dt.date) -> dt.date:
    first = WEEKDAYS.index(tenant.workweek_start)
    return day - dt.timedelta(days=(day.weekday() - first) % 7)


def _in_effect(day: dt.date, start: dt.date, end: dt.date | None) -> bool:
    return start <= day and (end is None or day <= end)


@dataclass(frozen=True)
class ShiftPart:
    """The part of a shift on one local calendar day, break already taken off."""

    shift: Shift
    work_date: dt.date
    seconds: int


def split_at_local_midnight(shift: Shift, timezone: str) -> list[ShiftPart]:
    """Real elapsed seconds per local date; the break comes off the first part,
    any remainder off the next ones."""
    zone = ZoneInfo(timezone)
    utc = dt.UTC
    start = shift.clock_in.astimezone(utc)
    end = shift.clock_out.astimezone(utc)
    parts: list[ShiftPart] = []
    cursor = start
    while cursor < end:
        local_day = cursor.astimezone(zone).date()
        next_day = local_day + dt.timedelta(days=1)
        midnight = dt.datetime(next_day.year, next_day.month, next_day.day, tzinfo=zone)
        part_end = min(end, midnight.astimezone(utc))
        seconds = (part_end - cursor) // dt.timedelta(seconds=1)
        parts.append(ShiftPart(shift, local_day, seconds))
        cursor = part_end
    left = shift.break_minutes * 60
    unpaid: list[ShiftPart] = []
    for part in parts:
        taken = min(left, part.seconds)
        left -= taken
        unpaid.append(ShiftPart(part.shift, part.work_date, part.seconds - taken))
    if left:
        raise ValueError(f"break exceeds shift {shift.event_id}")
    return unpaid


def rate_on(inputs_rates: list[PayRate], staff_id: str, role: str, day: dt.date) -> Fraction:
    """A staff-specific rate beats the role default; the rate in effect on the work date."""
    for owner in (staff_id, None):
        candidates = [
            r
            for r in inputs_rates
            if r.staff_id == owner
            and r.role == role
            and _in_effect(day, r.effective_from, r.effective_to)
        ]
        if candidates:
            return Fraction(max(candidates, key=lambda r: r.effective_from).hourly_rate)
    raise ValueError(f"missing rate for {staff_id} {role} on {day}")


# ---------------------------------------------------------------- overtime (CONTRACT §4 States)


def daily_overtime(
    jurisdiction: str,
    day_seconds: int,
    day_rate: Fraction,
    seventh_consecutive_day: bool,
) -> tuple[int, int]:
    """(overtime seconds, double-time seconds) of one workday under state law."""
    eight, twelve = 8 * HOUR, 12 * HOUR
    if jurisdiction == "CA":
        if seventh_consecutive_day:
            return min(day_seconds, eight), max(0, day_seconds - eight)
        return min(max(0, day_seconds - eight), twelve - eight), max(0, day_seconds - twelve)
    if jurisdiction == "AK" or (jurisdiction == "NV" and day_rate < NV_DAILY_RULE_MAX_RATE):
        return max(0, day_seconds - eight), 0
    if jurisdiction == "CO":
        return max(0, day_seconds - twelve), 0
    return 0, 0


@dataclass
class _Week:
    seconds_by_day: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    rate_seconds_by_day: dict[dt.date, Fraction] = field(
        default_factory=lambda: defaultdict(Fraction)
    )
    jurisdiction_by_day: dict[dt.date, str] = field(default_factory=dict)
    bonus: Fraction = Fraction(0)

    @property
    def seconds(self) -> int:
        return sum(self.seconds_by_day.values())

    @property
    def rate_seconds(self) -> Fraction:
        return sum(self.rate_seconds_by_day.values(), Fraction(0))


def week_overtime(week: _Week, start: dt.date) -> tuple[int, int]:
    """Daily state overtime first, then FLSA weekly overtime on the hours that
    are not already daily overtime or double time (no pyramiding)."""
    worked_days = {d for d, s in week.seconds_by_day.items() if s > 0}
    all_seven = len(worked_days) == 7
    daily_ot = daily_dt = 0
    for day, seconds in week.seconds_by_day.items():
        rate = week.rate_seconds_by_day[day] / seconds if seconds else Fraction(0)
        seventh = all_seven and day == start + dt.timedelta(days=6)
        ot, dt_ = daily_overtime(week.jurisdiction_by_day[day], seconds, rate, seventh)
        daily_ot += ot
        daily_dt += dt_
    weekly = max(0, week.seconds - daily_ot - daily_dt - FLSA_WEEKLY_HOURS * HOUR)
    return daily_ot + weekly, daily_dt


# ---------------------------------------------------------------- federal withholding


def federal_withholding(
    tables: TaxTables, staff: Staff, taxable_wages: Fraction, periods_per_year: int
) -> Fraction:
    """Pub 15-T 2026 Worksheet 1A (annual percentage method, W-4 2020 or later)."""
    schedule = "step2_checked" if staff.w4_step2 else "standard"
    key = (staff.filing_status, schedule)
    annual = taxable_wages * periods_per_year + Fraction(staff.w4_other_income)  # 1c + 1d
    adjusted = max(Fraction(0), annual - Fraction(staff.w4_deductions) - tables.line_1g[key])  # 1i
    bracket = next(
        b
        for b in tables.brackets[key]
        if b.over <= adjusted and (b.but_not_over is None or adjusted < b.but_not_over)
    )
    tentative = (bracket.tentative_amount + (adjusted - bracket.over) * bracket.rate) / (
        periods_per_year
    )  # 2h
    after_credits = max(Fraction(0), tentative - Fraction(staff.w4_dependents) / periods_per_year)
    return after_credits + Fraction(staff.w4_extra_withholding)  # 4b


# ---------------------------------------------------------------- the calculator


@dataclass
class _Earnings:
    seconds: int = 0
    rate_seconds: Fraction = Fraction(0)
    overtime_seconds: int = 0
    double_time_seconds: int = 0
    premium: Fraction = Fraction(0)
    bonus: Fraction = Fraction(0)


def activity_span(inputs: Inputs, tenant_id: str) -> tuple[dt.date, dt.date] | None:
    """First and last date with punches or adjustments: the periods a full
    build computes (salaried staff are paid in every one of them)."""
    locations = {(loc.tenant_id, loc.location_id): loc for loc in inputs.locations}
    days: list[dt.date] = []
    for shift in inputs.attendance:
        if shift.tenant_id == tenant_id:
            zone = locations[tenant_id, shift.location_id].timezone
            days.extend(p.work_date for p in split_at_local_midnight(shift, zone))
    days.extend(a.work_date for a in inputs.adjustments if a.tenant_id == tenant_id)
    return (min(days), max(days)) if days else None


def computed_periods(inputs: Inputs, tenant: Tenant) -> list[Period]:
    """The periods a full build computes: from the first date with punches or
    adjustments to the last, extended to the period holding the last day of
    the last workweek (its overtime is paid there)."""
    span = activity_span(inputs, tenant.tenant_id)
    if span is None:
        return []
    first, last = span
    last_week_ends = workweek_start(tenant, last) + dt.timedelta(days=6)
    return periods_between(tenant, first, last_week_ends)


def compute(inputs: Inputs, tables: TaxTables) -> Result:
    payroll: dict[tuple[str, str, dt.date], PayrollRow] = {}
    workweeks: dict[tuple[str, str, dt.date], WorkweekRow] = {}
    for tenant in inputs.tenants:
        tenant_payroll, tenant_weeks = _compute_tenant(inputs, tables, tenant)
        payroll.update(tenant_payroll)
        workweeks.update(tenant_weeks)
    return Result(payroll, workweeks)


def _compute_tenant(inputs: Inputs, tables: TaxTables, tenant: Tenant):
    tid = tenant.tenant_id
    locations = {loc.location_id: loc for loc in inputs.locations if loc.tenant_id == tid}
    staff_by_id = {s.staff_id: s for s in inputs.staff if s.tenant_id == tid}
    rates = [r for r in inputs.pay_rates if r.tenant_id == tid]
    periods = computed_periods(inputs, tenant)
    per_year = PERIODS_PER_YEAR[tenant.pay_frequency]

    weeks: dict[tuple[str, dt.date], _Week] = defaultdict(_Week)
    earnings: dict[tuple[str, dt.date], _Earnings] = defaultdict(_Earnings)
    for shift in inputs.attendance:
        if shift.tenant_id != tid:
            continue
        staff = staff_by_id[shift.staff_id]
        location = locations[shift.location_id]
        for part in split_at_local_midnight(shift, location.timezone):
            paid_hourly = staff.pay_type == "hourly"
            rate = rate_on(rates, staff.staff_id, shift.role, part.work_date) if paid_hourly else 0
            week = weeks[staff.staff_id, workweek_start(tenant, part.work_date)]
            week.seconds_by_day[part.work_date] += part.seconds
            week.rate_seconds_by_day[part.work_date] += rate * part.seconds
            week.jurisdiction_by_day.setdefault(part.work_date, location.jurisdiction)
            period = period_of(tenant, part.work_date)
            earned = earnings[staff.staff_id, period.start]
            earned.seconds += part.seconds
            earned.rate_seconds += rate * part.seconds
    for adjustment in inputs.adjustments:
        if adjustment.tenant_id != tid:
            continue
        amount = Fraction(adjustment.amount)
        earnings[adjustment.staff_id, period_of(tenant, adjustment.work_date).start].bonus += amount
        if adjustment.kind == "bonus":
            weeks[adjustment.staff_id, workweek_start(tenant, adjustment.work_date)].bonus += amount

    workweek_rows: dict[tuple[str, str, dt.date], WorkweekRow] = {}
    for (staff_id, start), week in weeks.items():
        staff = staff_by_id[staff_id]
        paid_in = period_of(tenant, start + dt.timedelta(days=6))
        if not week.seconds_by_day:  # a bonus alone makes no workweek
            continue
        overtime_eligible = (
            staff.pay_type == "hourly" and not staff.flsa_exempt and week.seconds > 0
        )
        regular_rate = (
            (week.rate_seconds / HOUR + week.bonus) / Fraction(week.seconds, HOUR)
            if week.seconds
            else Fraction(0)
        )
        if overtime_eligible:
            overtime, double_time = week_overtime(week, start)
        else:
            overtime = double_time = 0
        premium = regular_rate * (Fraction(overtime, 2) + double_time) / HOUR
        earned = earnings[staff_id, paid_in.start]
        earned.overtime_seconds += overtime
        earned.double_time_seconds += double_time
        earned.premium += premium
        workweek_rows[tid, staff_id, start] = WorkweekRow(
            tenant_id=tid,
            staff_id=staff_id,
            workweek_start=start,
            period_start=paid_in.start,
            hours_worked=hours(week.seconds),
            overtime_hours=hours(overtime),
            double_time_hours=hours(double_time),
            straight_time_pay=money(week.rate_seconds / HOUR),
            bonus_pay=money(week.bonus),
            regular_rate=round_half_up(regular_rate, RATE_PLACES) if overtime_eligible else None,
            overtime_premium_pay=money(premium),
        )

    payroll_rows: dict[tuple[str, str, dt.date], PayrollRow] = {}
    known = {p.start: p for p in periods}
    for _, period_start in earnings:
        if period_start not in known:  # overtime of a workweek ending after the last period
            known[period_start] = period_of(tenant, period_start)
    for staff in sorted(staff_by_id.values(), key=lambda s: s.staff_id):
        ytd = _YearToDate.opening(inputs, staff)
        for period in sorted(known.values(), key=lambda p: p.pay_date):
            earned = earnings.get((staff.staff_id, period.start), _Earnings())
            salary = _salary(staff, period, per_year)
            has_pay = (
                earned.seconds
                or earned.overtime_seconds
                or earned.double_time_seconds
                or earned.bonus
                or salary
            )
            if not has_pay:
                continue
            row = _pay(inputs, tables, tenant, staff, period, per_year, earned, salary, ytd)
            payroll_rows[tid, staff.staff_id, period.start] = row
    return payroll_rows, workweek_rows


def _salary(staff: Staff, period: Period, per_year: int) -> Fraction:
    if staff.pay_type != "salaried" or staff.annual_salary is None:
        return Fraction(0)
    first = max(period.start, staff.hired_on or period.start)
    last = min(period.end, staff.terminated_on or period.end)
    days = max(0, (last - first).days + 1)
    return Fraction(staff.annual_salary) / per_year * days / period.days


@dataclass
class _YearToDate:
    year: int
    social_security_wages: Fraction
    medicare_wages: Fraction
    futa_wages: Fraction
    openings: dict[int, YtdOpening]

    @classmethod
    def opening(cls, inputs: Inputs, staff: Staff) -> _YearToDate:
        openings = {
            o.tax_year: o
            for o in inputs.ytd_opening
            if o.tenant_id == staff.tenant_id and o.staff_id == staff.staff_id
        }
        return cls(0, Fraction(0), Fraction(0), Fraction(0), openings)

    def roll_to(self, year: int) -> None:
        if year == self.year:
            return
        opening = self.openings.get(year)
        self.year = year
        self.social_security_wages = Fraction(opening.social_security_wages if opening else 0)
        self.medicare_wages = Fraction(opening.medicare_wages if opening else 0)
        self.futa_wages = Fraction(opening.futa_wages if opening else 0)


def _deduction(inputs: Inputs, staff: Staff, kind: str, period: Period) -> Fraction:
    return sum(
        (
            Fraction(d.amount_per_period)
            for d in inputs.deductions
            if d.tenant_id == staff.tenant_id
            and d.staff_id == staff.staff_id
            and d.kind == kind
            and _in_effect(period.end, d.effective_from, d.effective_to)
        ),
        Fraction(0),
    )


def _pay(
    inputs: Inputs,
    tables: TaxTables,
    tenant: Tenant,
    staff: Staff,
    period: Period,
    per_year: int,
    earned: _Earnings,
    salary: Fraction,
    ytd: _YearToDate,
) -> PayrollRow:
    home = next(
        loc
        for loc in inputs.locations
        if loc.tenant_id == staff.tenant_id and loc.location_id == staff.home_location_id
    )
    salary_pay = money(salary)
    straight = money(earned.rate_seconds / HOUR)
    premium = money(earned.premium)
    bonus = money(earned.bonus)
    gross = salary_pay + straight + premium + bonus
    g = Fraction(gross)

    # Section 125 first (it lowers FICA wages), capped at gross; 401(k) then
    # capped at what is left after FICA and SDI, which cannot be skipped.
    section_125 = min(_deduction(inputs, staff, "section_125", period), g)
    fica_wages = g - section_125

    ytd.roll_to(period.pay_date.year)
    ss_base = max(
        Fraction(0), min(fica_wages, tables.social_security_wage_base - ytd.social_security_wages)
    )
    social_security = money(tables.social_security_rate * ss_base)
    above_threshold = max(
        Fraction(0),
        ytd.medicare_wages
        + fica_wages
        - max(tables.additional_medicare_threshold, ytd.medicare_wages),
    )
    medicare = money(
        tables.medicare_rate * fica_wages + tables.additional_medicare_rate * above_threshold
    )
    employer_medicare = money(tables.medicare_rate * fica_wages)
    futa_base = max(Fraction(0), min(fica_wages, tables.futa_wage_base - ytd.futa_wages))
    futa = money(tables.futa_rate * futa_base)
    sdi = money(tables.state_disability_rate.get(home.jurisdiction, Fraction(0)) * fica_wages)
    retirement = min(
        _deduction(inputs, staff, "retirement_401k", period),
        max(Fraction(0), fica_wages - Fraction(social_security + medicare + sdi)),
    )
    income_wages = fica_wages - retirement
    state = money(tables.state_income_tax_rate.get(home.jurisdiction, Fraction(0)) * income_wages)
    # Income taxes never take more than the wages left after FICA and SDI.
    state = min(
        state, money(max(Fraction(0), income_wages - Fraction(social_security + medicare + sdi)))
    )

    other_taxes = Fraction(social_security + medicare + state + sdi)
    withholding = money(federal_withholding(tables, staff, income_wages, per_year))
    withholding = min(withholding, money(max(Fraction(0), income_wages - other_taxes)))
    left = income_wages - other_taxes - Fraction(withholding)
    post_tax = money(min(_deduction(inputs, staff, "post_tax", period), max(Fraction(0), left)))

    ytd.social_security_wages += fica_wages
    ytd.medicare_wages += fica_wages
    ytd.futa_wages += fica_wages

    retirement_d, section_125_d = money(retirement), money(section_125)
    net = (
        gross
        - retirement_d
        - section_125_d
        - withholding
        - social_security
        - medicare
        - state
        - sdi
        - post_tax
    )
    return PayrollRow(
        tenant_id=staff.tenant_id,
        staff_id=staff.staff_id,
        location_id=staff.home_location_id,
        period_start=period.start,
        period_end=period.end,
        pay_date=period.pay_date,
        hours_worked=hours(earned.seconds),
        overtime_hours=hours(earned.overtime_seconds),
        double_time_hours=hours(earned.double_time_seconds),
        salary_pay=salary_pay,
        straight_time_pay=straight,
        overtime_premium_pay=premium,
        bonus_pay=bonus,
        gross_pay=gross,
        retirement_401k=retirement_d,
        section_125=section_125_d,
        federal_income_tax=withholding,
        social_security_tax=social_security,
        medicare_tax=medicare,
        state_income_tax=state,
        state_disability_tax=sdi,
        post_tax_deductions=post_tax,
        net_pay=net,
        employer_social_security_tax=social_security,
        employer_medicare_tax=employer_medicare,
        futa_tax=futa,
    )
