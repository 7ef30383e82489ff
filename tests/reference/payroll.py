"""Reference payroll calculator: CONTRACT §4 and §6 in plain Python, for differential tests.

Written from the rules, never from the dbt models, so that the two disagree
when either one is wrong. Inputs are the rows of the CSV files of CONTRACT §3
and §6 (the dataclasses below); the output is what ``marts.fct_payroll``,
``marts.fct_workweek_hours`` and ``marts.fct_pay_premiums`` must hold.

Two modes. ``compute(inputs, tables)`` is CONTRACT §4 alone: the calculation
as it was before the restaurant rules (tips, tip credit, minimum wage,
premiums), every §6 column 0. ``compute(inputs, tables, load_minimum_wages())``
adds CONTRACT §6. Data that trips no §6 rule gives the same §4/§5 columns in
both modes (``tests/reference_examples/test_restaurant_invariants.py``).

Arithmetic is exact: money and hours come in and go out as ``Decimal``;
in between they are ``Fraction`` (exact rationals), because ``Decimal``
division rounds and a regular rate such as 37/3 would otherwise turn an
exact half cent into a rounding error. Every money column is rounded half-up
to cents once, at the end.

The only things read from ``dbt_project/seeds`` are table values (tax
brackets, FICA/FUTA rates and bases, state approximation rates); every rule
that uses them is implemented here. The minimum wages are read from this
folder's own copy of ``shared/reference/minimum_wages_2026.csv``, not from the
dbt seed, so that a seed copied wrongly is caught by the differential test.

``CHOICE:`` comments mark where the contract leaves a choice open.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
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
MINIMUM_WAGES_CSV = Path(__file__).with_name("minimum_wages_2026.csv")
FEDERAL = "US"  # the jurisdiction id of the federal minimum wage
MEAL_PERIOD_HOURS = 6  # CA: a workday over 6 h needs a meal period (Labor Code 512)
MEAL_BREAK_MINUTES = 30  # a break or gap this long is a meal period
SPLIT_SHIFT_GAP_MINUTES = 60  # CA: a gap over 60 min makes a split shift
SPREAD_OF_HOURS = 10  # NY: a spread over 10 h earns one hour (12 NYCRR 146-1.6)
PREMIUM_KINDS = ("meal_period", "split_shift", "spread_of_hours")

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
# CONTRACT §6 Outputs: kept apart from the §5 columns above, which the
# differential test compares with the pipeline's marts today.
RESTAURANT_PAYROLL_MONEY_COLUMNS = (
    "minimum_wage_makeup_pay",
    "premium_pay",
    "card_tips_pay",
    "cash_tips_reported",
    "tip_credit",
    "qualified_overtime_premium",
    "uncollected_social_security_tax",
    "uncollected_medicare_tax",
)
RESTAURANT_WORKWEEK_COLUMNS = (
    "tips",
    "tip_credit",
    "minimum_wage_makeup_pay",
    "qualified_overtime_premium",
)
PREMIUM_COLUMNS = ("location_id", "hours", "rate", "amount", "period_start")
# gross_pay = the sum of these (CONTRACT §6 Outputs)
GROSS_PARTS = (
    "salary_pay",
    "straight_time_pay",
    "overtime_premium_pay",
    "bonus_pay",
    "minimum_wage_makeup_pay",
    "premium_pay",
    "card_tips_pay",
    "cash_tips_reported",
)
# net_pay = gross_pay − the sum of these
NET_SUBTRACTS = (
    "cash_tips_reported",
    "retirement_401k",
    "section_125",
    "federal_income_tax",
    "social_security_tax",
    "medicare_tax",
    "state_income_tax",
    "state_disability_tax",
    "post_tax_deductions",
)


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
    locality: str | None = None  # §6: a city/county id in reference.minimum_wages


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
    tip_credit: bool = False  # §6: a tipped cash wage; the employer takes the tip credit


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
    cash_tips: Decimal = Decimal(0)  # §6: received in cash, reported for the shift
    card_tips: Decimal = Decimal(0)  # §6: charged, paid out through payroll


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


# ---------------------------------------------------------------- minimum wages (CONTRACT §6)


@dataclass(frozen=True)
class MinimumWage:
    """One row of ``reference.minimum_wages``."""

    jurisdiction: str  # US, a state code, or a locality id
    effective_from: dt.date
    minimum_wage: Fraction
    tipped_cash_wage: Fraction | None  # None: no tip credit allowed there
    max_tip_credit: Fraction | None


@dataclass(frozen=True)
class MinimumWages:
    rows: tuple[MinimumWage, ...]

    def in_effect(self, jurisdiction: str, day: dt.date) -> MinimumWage | None:
        """The row with the latest ``effective_from`` on or before ``day``."""
        rows = [r for r in self.rows if r.jurisdiction == jurisdiction and r.effective_from <= day]
        return max(rows, key=lambda r: r.effective_from) if rows else None

    def of(self, location: Location, day: dt.date) -> MinimumWage:
        """The minimum wage of a part worked at ``location`` on ``day``: the
        highest among US, the state and the locality; on a tie the row with the
        smaller ``max_tip_credit`` (empty counting as 0) wins, and its tip-credit
        terms are the part's."""
        # CHOICE: a locality (or state) without a row in effect is simply not a
        # candidate; US always has one.
        candidates = [
            row
            for jurisdiction in (FEDERAL, location.jurisdiction, location.locality)
            if jurisdiction
            for row in [self.in_effect(jurisdiction, day)]
            if row is not None
        ]
        return max(candidates, key=lambda r: (r.minimum_wage, -(r.max_tip_credit or 0)))


def load_minimum_wages(path: Path = MINIMUM_WAGES_CSV) -> MinimumWages:
    def money_or_none(text: str) -> Fraction | None:
        return _q(text) if text.strip() else None

    return MinimumWages(
        tuple(
            MinimumWage(
                jurisdiction=row["jurisdiction"],
                effective_from=dt.date.fromisoformat(row["effective_from"]),
                minimum_wage=_q(row["minimum_wage"]),
                tipped_cash_wage=money_or_none(row["tipped_cash_wage"]),
                max_tip_credit=money_or_none(row["max_tip_credit"]),
            )
            for row in _read(path)
        )
    )


# ---------------------------------------------------------------- outputs (CONTRACT §5, §6)


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
    # CONTRACT §6 (0 when the rule does not apply)
    minimum_wage_makeup_pay: Decimal
    premium_pay: Decimal
    card_tips_pay: Decimal
    cash_tips_reported: Decimal
    tip_credit: Decimal  # informational, not in gross
    qualified_overtime_premium: Decimal  # informational, not in gross
    uncollected_social_security_tax: Decimal
    uncollected_medicare_tax: Decimal


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
    # CONTRACT §6
    tips: Decimal  # cash + card tips of the shifts whose work date is in the week
    tip_credit: Decimal
    minimum_wage_makeup_pay: Decimal
    qualified_overtime_premium: Decimal


@dataclass(frozen=True)
class PremiumRow:
    """One row of ``marts.fct_pay_premiums`` (CONTRACT §6)."""

    tenant_id: str
    staff_id: str
    work_date: dt.date
    kind: str  # meal_period | split_shift | spread_of_hours
    location_id: str
    hours: Decimal  # always 1
    rate: Decimal
    amount: Decimal
    period_start: dt.date


@dataclass
class Result:
    payroll: dict[tuple[str, str, dt.date], PayrollRow]
    workweeks: dict[tuple[str, str, dt.date], WorkweekRow]
    premiums: dict[tuple[str, str, dt.date, str], PremiumRow] = field(default_factory=dict)


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
    """The part of a shift on one local calendar day, break already taken off.

    ``start`` and ``end`` are the part's instants (UTC) on the clock, break
    included: what the §6 gaps and spreads are measured on."""

    shift: Shift
    work_date: dt.date
    seconds: int
    start: dt.datetime | None = None
    end: dt.datetime | None = None


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
        parts.append(ShiftPart(shift, local_day, seconds, cursor, part_end))
        cursor = part_end
    left = shift.break_minutes * 60
    unpaid: list[ShiftPart] = []
    for part in parts:
        taken = min(left, part.seconds)
        left -= taken
        unpaid.append(
            ShiftPart(part.shift, part.work_date, part.seconds - taken, part.start, part.end)
        )
    if left:
        raise ValueError(f"break exceeds shift {shift.event_id}")
    return unpaid


def pay_rate_on(inputs_rates: list[PayRate], staff_id: str, role: str, day: dt.date) -> PayRate:
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
            return max(candidates, key=lambda r: r.effective_from)
    raise ValueError(f"missing rate for {staff_id} {role} on {day}")


def rate_on(inputs_rates: list[PayRate], staff_id: str, role: str, day: dt.date) -> Fraction:
    return Fraction(pay_rate_on(inputs_rates, staff_id, role, day).hourly_rate)


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


@dataclass(frozen=True)
class WorkedPart:
    """A shift part with its pay terms: the rate of its shift (0 for salaried
    staff) and, under §6, the minimum wage of its work date and location."""

    part: ShiftPart
    location: Location
    rate: Fraction
    tipped_rate: bool  # the rate is a ``tip_credit`` rate
    minimum: MinimumWage | None  # None in the §4-only mode

    @property
    def hours(self) -> Fraction:
        return Fraction(self.part.seconds, HOUR)


def _most_time(parts: list[WorkedPart], key) -> str:
    """The value of ``key`` (a state, a location) with most of the parts' time;
    a tie goes to the one whose first part starts earliest (CONTRACT §6 State of
    a workday).

    CHOICE: the location of a premium is found the same way among all the
    day's parts, as §6 says, even when it lies outside the day's state."""
    seconds: dict[str, int] = defaultdict(int)
    first: dict[str, dt.datetime] = {}
    for worked in sorted(parts, key=lambda w: w.part.start):
        seconds[key(worked)] += worked.part.seconds
        first.setdefault(key(worked), worked.part.start)
    return min(seconds, key=lambda value: (-seconds[value], first[value]))


def workday_state(parts: list[WorkedPart]) -> str:
    return _most_time(parts, lambda w: w.location.jurisdiction)


def workday_location(parts: list[WorkedPart]) -> str:
    return _most_time(parts, lambda w: w.location.location_id)


@dataclass
class _Week:
    """One staff member's workweek: the parts worked on each of its dates."""

    parts_by_day: dict[dt.date, list[WorkedPart]] = field(default_factory=lambda: defaultdict(list))
    bonus: Fraction = Fraction(0)  # non-discretionary bonuses dated in the week
    tips: Fraction = Fraction(0)  # §6: cash + card tips of shifts whose work date is here

    @property
    def seconds_by_day(self) -> dict[dt.date, int]:
        return {day: sum(w.part.seconds for w in parts) for day, parts in self.parts_by_day.items()}

    @property
    def rate_seconds_by_day(self) -> dict[dt.date, Fraction]:
        return {
            day: sum((w.rate * w.part.seconds for w in parts), Fraction(0))
            for day, parts in self.parts_by_day.items()
        }

    @property
    def jurisdiction_by_day(self) -> dict[dt.date, str]:
        """The state of each workday: where most of its hours fell."""
        return {day: workday_state(parts) for day, parts in self.parts_by_day.items()}

    @property
    def parts(self) -> list[WorkedPart]:
        return [w for parts in self.parts_by_day.values() for w in parts]

    @property
    def seconds(self) -> int:
        return sum(self.seconds_by_day.values())

    @property
    def rate_seconds(self) -> Fraction:
        return sum(self.rate_seconds_by_day.values(), Fraction(0))


def week_overtime(week: _Week, start: dt.date) -> tuple[int, int]:
    """Daily state overtime first, then FLSA weekly overtime on the hours that
    are not already daily overtime or double time (no pyramiding)."""
    seconds_by_day = week.seconds_by_day
    rate_seconds_by_day = week.rate_seconds_by_day
    jurisdiction_by_day = week.jurisdiction_by_day
    worked_days = {d for d, s in seconds_by_day.items() if s > 0}
    all_seven = len(worked_days) == 7
    daily_ot = daily_dt = 0
    for day, seconds in seconds_by_day.items():
        rate = rate_seconds_by_day[day] / seconds if seconds else Fraction(0)
        seventh = all_seven and day == start + dt.timedelta(days=6)
        ot, dt_ = daily_overtime(jurisdiction_by_day[day], seconds, rate, seventh)
        daily_ot += ot
        daily_dt += dt_
    weekly = max(0, week.seconds - daily_ot - daily_dt - FLSA_WEEKLY_HOURS * HOUR)
    return daily_ot + weekly, daily_dt


# ---------------------------------------------------------------- minimum wage and tip credit (§6)


def tip_credit_capacity(week: _Week) -> Fraction:
    """Σ over parts at a ``tip_credit`` rate below their minimum wage of
    hours × min(max_tip_credit, minimum wage − rate); a part whose minimum-wage
    row allows no tip credit adds nothing."""
    return sum(
        (
            w.hours * min(w.minimum.max_tip_credit, w.minimum.minimum_wage - w.rate)
            for w in week.parts
            if w.tipped_rate
            and w.minimum.max_tip_credit is not None
            and w.rate < w.minimum.minimum_wage
        ),
        Fraction(0),
    )


def tip_credit_and_makeup(week: _Week) -> tuple[Fraction, Fraction]:
    """(tip credit taken, minimum-wage make-up) of a workweek (29 CFR 531.50-.60).

    Tip credit taken = min(capacity, tips of the week). Make-up = what the
    minimum wage of every part requires beyond the straight time and the tip
    credit: bonuses and overtime premiums do not count toward it."""
    tip_credit = min(tip_credit_capacity(week), week.tips)
    required = sum((w.hours * w.minimum.minimum_wage for w in week.parts), Fraction(0))
    # CHOICE: exact straight-time pay (not its rounded cents), as §4 Rounding asks.
    makeup = max(Fraction(0), required - week.rate_seconds / HOUR - tip_credit)
    return tip_credit, makeup


# ---------------------------------------------------------------- premiums (§6)


@dataclass(frozen=True)
class _Premium:
    kind: str
    rate: Fraction
    amount: Fraction


def day_premiums(parts: list[WorkedPart], regular_rate: Fraction) -> list[_Premium]:
    """The CA meal-period and split-shift premiums and the NY spread of hours of
    one workday of a non-exempt hourly employee, from its parts (every
    location). ``regular_rate`` is the workweek's (§6, with tip credit and
    make-up)."""
    # Consecutive parts are those of the work date in clock order; the part
    # after midnight of an overnight shift is one of them (§6 reads parts).
    parts = sorted(parts, key=lambda w: w.part.start)
    state = workday_state(parts)
    seconds = sum(w.part.seconds for w in parts)
    minimum = max(w.minimum.minimum_wage for w in parts)  # the highest among the day's parts
    gaps = [after.part.start - before.part.end for before, after in itertools.pairwise(parts)]
    premiums: list[_Premium] = []
    if state == "CA":
        meal_break = any(w.part.shift.break_minutes >= MEAL_BREAK_MINUTES for w in parts) or any(
            gap >= dt.timedelta(minutes=MEAL_BREAK_MINUTES) for gap in gaps
        )
        if seconds > MEAL_PERIOD_HOURS * HOUR and not meal_break:
            # Labor Code 226.7(c), Ferra v. Loews: one hour at the regular rate.
            premiums.append(_Premium("meal_period", regular_rate, regular_rate))
        if any(gap > dt.timedelta(minutes=SPLIT_SHIFT_GAP_MINUTES) for gap in gaps):
            # DLSE: the minimum wage for the hours worked plus one hour, less
            # what the day's straight time already paid.
            straight = sum((w.rate * w.hours for w in parts), Fraction(0))
            amount = max(Fraction(0), minimum * (Fraction(seconds, HOUR) + 1) - straight)
            premiums.append(_Premium("split_shift", minimum, amount))
    if state == "NY":
        # CHOICE: the spread runs from the first part's start to the last
        # part's end of the work date (a part after midnight starts at 00:00).
        spread = max(w.part.end for w in parts) - min(w.part.start for w in parts)
        if spread > dt.timedelta(hours=SPREAD_OF_HOURS):
            # 12 NYCRR 146-1.6: one hour at the basic minimum hourly rate,
            # never the tipped cash wage, whatever the employee's rate.
            premiums.append(_Premium("spread_of_hours", minimum, minimum))
    return premiums


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
    """What one staff member earned in one pay period, exact."""

    seconds: int = 0
    rate_seconds: Fraction = Fraction(0)
    overtime_seconds: int = 0
    double_time_seconds: int = 0
    premium: Fraction = Fraction(0)  # overtime and double-time premium
    bonus: Fraction = Fraction(0)
    # §6: the workweek items of the workweeks ending in the period ...
    # CHOICE: make-up, tip credit and qualified overtime are summed exact over
    # the period's workweeks and rounded once, as the overtime premium is.
    makeup: Fraction = Fraction(0)
    tip_credit: Fraction = Fraction(0)
    qualified_overtime: Fraction = Fraction(0)
    # CHOICE: premium_pay is the sum of the fct_pay_premiums amounts, each
    # rounded to cents, so that those rows add up to it exactly.
    pay_premiums: Decimal = Decimal(0)
    # ... and the tips of the work dates in the period
    cash_tips: Fraction = Fraction(0)
    card_tips: Fraction = Fraction(0)

    @property
    def has_pay(self) -> bool:
        # CHOICE: a tip credit alone (a workweek ending in this period whose
        # hours were all in the previous one) makes a row too, so that
        # fct_payroll.tip_credit sums to fct_workweek_hours.tip_credit.
        return bool(
            self.seconds
            or self.overtime_seconds
            or self.double_time_seconds
            or self.bonus
            or self.makeup
            or self.tip_credit
            or self.pay_premiums
            or self.cash_tips
            or self.card_tips
        )


def activity_span(inputs: Inputs, tenant: Tenant) -> tuple[dt.date, dt.date] | None:
    """First and last date with data: punches (a shift's workweek is paid in
    the period of the workweek's last day, so the span runs to it) and
    adjustments (their own work date: a bonus alone makes no workweek)."""
    tenant_id = tenant.tenant_id
    locations = {(loc.tenant_id, loc.location_id): loc for loc in inputs.locations}
    first: list[dt.date] = []
    last: list[dt.date] = []
    for shift in inputs.attendance:
        if shift.tenant_id == tenant_id:
            zone = ZoneInfo(locations[tenant_id, shift.location_id].timezone)
            first.append(shift.clock_in.astimezone(zone).date())
            # CHOICE (dim_pay_periods): the local date of the clock-out itself
            clock_out_day = shift.clock_out.astimezone(zone).date()
            last.append(workweek_start(tenant, clock_out_day) + dt.timedelta(days=6))
    for adjustment in inputs.adjustments:
        if adjustment.tenant_id == tenant_id:
            first.append(adjustment.work_date)
            last.append(adjustment.work_date)
    return (min(first), max(last)) if first else None


def computed_periods(inputs: Inputs, tenant: Tenant) -> list[Period]:
    """The periods a full build computes (``dim_pay_periods``): from the first
    date with data to the last (salaried staff are paid in every one of them)."""
    span = activity_span(inputs, tenant)
    if span is None:
        return []
    return periods_between(tenant, *span)


def compute(inputs: Inputs, tables: TaxTables, minimum_wages: MinimumWages | None = None) -> Result:
    """CONTRACT §4 alone, or with ``minimum_wages`` (``load_minimum_wages()``) §6 too."""
    result = Result({}, {}, {})
    for tenant in inputs.tenants:
        _compute_tenant(inputs, tables, tenant, minimum_wages, result)
    return result


def _compute_tenant(
    inputs: Inputs,
    tables: TaxTables,
    tenant: Tenant,
    minimum_wages: MinimumWages | None,
    result: Result,
) -> None:
    tid = tenant.tenant_id
    restaurant = minimum_wages is not None  # CONTRACT §6 applies
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
        parts = split_at_local_midnight(shift, location.timezone)
        for part in parts:
            paid_hourly = staff.pay_type == "hourly"
            pay_rate = (
                pay_rate_on(rates, staff.staff_id, shift.role, part.work_date)
                if paid_hourly
                else None
            )
            rate = Fraction(pay_rate.hourly_rate) if pay_rate else Fraction(0)
            worked = WorkedPart(
                part=part,
                location=location,
                rate=rate,
                tipped_rate=bool(pay_rate and pay_rate.tip_credit),
                minimum=minimum_wages.of(location, part.work_date) if restaurant else None,
            )
            weeks[staff.staff_id, workweek_start(tenant, part.work_date)].parts_by_day[
                part.work_date
            ].append(worked)
            earned = earnings[staff.staff_id, period_of(tenant, part.work_date).start]
            earned.seconds += part.seconds
            earned.rate_seconds += rate * part.seconds
        if restaurant:  # CHOICE: the §4-only mode ignores tips, as §4 knows none
            # A shift's tips belong to the work date of its first part (its clock-in);
            # CHOICE: they are wages of every staff member, exempt and salaried too.
            tips_day = parts[0].work_date
            weeks[staff.staff_id, workweek_start(tenant, tips_day)].tips += Fraction(
                shift.cash_tips + shift.card_tips
            )
            earned = earnings[staff.staff_id, period_of(tenant, tips_day).start]
            earned.cash_tips += Fraction(shift.cash_tips)
            earned.card_tips += Fraction(shift.card_tips)
    for adjustment in inputs.adjustments:
        if adjustment.tenant_id != tid:
            continue
        amount = Fraction(adjustment.amount)
        earnings[adjustment.staff_id, period_of(tenant, adjustment.work_date).start].bonus += amount
        if adjustment.kind == "bonus":
            weeks[adjustment.staff_id, workweek_start(tenant, adjustment.work_date)].bonus += amount

    for (staff_id, start), week in weeks.items():
        if not week.parts_by_day:  # a bonus alone makes no workweek
            continue
        staff = staff_by_id[staff_id]
        paid_in = period_of(tenant, start + dt.timedelta(days=6))
        overtime_eligible = (
            staff.pay_type == "hourly" and not staff.flsa_exempt and week.seconds > 0
        )
        # §6: tip credit, make-up, qualified overtime and premiums are for
        # non-exempt hourly staff. CHOICE: salaried non-exempt staff earn none of
        # them, as they earn no overtime under §4.
        restaurant_rules = restaurant and overtime_eligible
        tip_credit, makeup = (
            tip_credit_and_makeup(week) if restaurant_rules else (Fraction(0), Fraction(0))
        )
        regular_rate = (
            (week.rate_seconds / HOUR + week.bonus + tip_credit + makeup)
            / Fraction(week.seconds, HOUR)
            if week.seconds
            else Fraction(0)
        )
        if overtime_eligible:
            overtime, double_time = week_overtime(week, start)
        else:
            overtime = double_time = 0
        premium = regular_rate * (Fraction(overtime, 2) + double_time) / HOUR
        # Qualified overtime (W-2 code TT): what the FLSA alone requires.
        qualified = (
            regular_rate / 2 * Fraction(max(0, week.seconds - FLSA_WEEKLY_HOURS * HOUR), HOUR)
            if restaurant_rules
            else Fraction(0)
        )
        earned = earnings[staff_id, paid_in.start]
        earned.overtime_seconds += overtime
        earned.double_time_seconds += double_time
        earned.premium += premium
        earned.makeup += makeup
        earned.tip_credit += tip_credit
        earned.qualified_overtime += qualified
        if restaurant_rules:
            for day, parts in sorted(week.parts_by_day.items()):
                for found in day_premiums(parts, regular_rate):
                    amount = money(found.amount)
                    if amount <= 0:  # CHOICE: a row only when the rounded amount is above 0
                        continue
                    earned.pay_premiums += amount
                    result.premiums[tid, staff_id, day, found.kind] = PremiumRow(
                        tenant_id=tid,
                        staff_id=staff_id,
                        work_date=day,
                        kind=found.kind,
                        location_id=workday_location(parts),
                        hours=Decimal(1),
                        rate=round_half_up(found.rate, RATE_PLACES),  # CHOICE: like regular_rate
                        amount=amount,
                        period_start=paid_in.start,
                    )
        result.workweeks[tid, staff_id, start] = WorkweekRow(
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
            tips=money(week.tips),
            tip_credit=money(tip_credit),
            minimum_wage_makeup_pay=money(makeup),
            qualified_overtime_premium=money(qualified),
        )

    known = {p.start: p for p in periods}
    for _, period_start in earnings:
        if period_start not in known:  # overtime of a workweek ending after the last period
            known[period_start] = period_of(tenant, period_start)
    for staff in sorted(staff_by_id.values(), key=lambda s: s.staff_id):
        ytd = _YearToDate.opening(inputs, staff)
        for period in sorted(known.values(), key=lambda p: p.pay_date):
            earned = earnings.get((staff.staff_id, period.start), _Earnings())
            salary = _salary(staff, period, per_year)
            if not (earned.has_pay or salary):
                continue
            row = _pay(inputs, tables, tenant, staff, period, per_year, earned, salary, ytd)
            result.payroll[tid, staff.staff_id, period.start] = row


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


class _Cash:
    """The cash a period's withholding may take, taken step by step: each step
    is capped at what the earlier ones left (CONTRACT §6, Publication 15 §6)."""

    def __init__(self, amount: Fraction) -> None:
        self.left = amount

    def take(self, wanted: Fraction | Decimal) -> Fraction:
        taken = min(max(Fraction(0), Fraction(wanted)), max(Fraction(0), self.left))
        self.left -= taken
        return taken


def _fica_and_sdi(
    tables: TaxTables, ytd: _YearToDate, jurisdiction: str, wages: Fraction
) -> tuple[Decimal, Decimal, Decimal]:
    """Employee Social Security, Medicare (with the additional 0.9 % above the
    threshold) and state disability on ``wages``, each rounded to cents."""
    ss_base = max(
        Fraction(0), min(wages, tables.social_security_wage_base - ytd.social_security_wages)
    )
    above_threshold = max(
        Fraction(0),
        ytd.medicare_wages + wages - max(tables.additional_medicare_threshold, ytd.medicare_wages),
    )
    return (
        money(tables.social_security_rate * ss_base),
        money(tables.medicare_rate * wages + tables.additional_medicare_rate * above_threshold),
        money(tables.state_disability_rate.get(jurisdiction, Fraction(0)) * wages),
    )


def _income_taxes(
    tables: TaxTables, staff: Staff, jurisdiction: str, wages: Fraction, per_year: int
) -> tuple[Decimal, Decimal]:
    """(state, federal) income tax on ``wages``, each rounded to cents."""
    return (
        money(tables.state_income_tax_rate.get(jurisdiction, Fraction(0)) * wages),
        money(federal_withholding(tables, staff, wages, per_year)),
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
    state_code = home.jurisdiction
    salary_pay = money(salary)
    straight = money(earned.rate_seconds / HOUR)
    premium = money(earned.premium)
    bonus = money(earned.bonus)
    makeup = money(earned.makeup)
    pay_premiums = earned.pay_premiums
    card_tips = money(earned.card_tips)
    cash_tips = money(earned.cash_tips)
    gross = salary_pay + straight + premium + bonus + makeup + pay_premiums + card_tips + cash_tips
    g = Fraction(gross)
    tips = Fraction(card_tips + cash_tips)
    ytd.roll_to(period.pay_date.year)

    # Withholding takes only the cash paid: gross − the cash tips the employee
    # already holds. Without tips this is today's order: section 125, Social
    # Security, Medicare, SDI, 401(k), state, federal, post-tax, each capped.
    cash = _Cash(g - Fraction(cash_tips))
    # (1) section 125 (it lowers the FICA, FUTA and SDI wages)
    section_125 = cash.take(_deduction(inputs, staff, "section_125", period))
    wages = g - section_125
    wages_other = max(Fraction(0), g - tips - section_125)  # as if the period had no tips
    ss_all, medicare_all, sdi_all = _fica_and_sdi(tables, ytd, state_code, wages)
    ss_other, medicare_other, sdi_other = _fica_and_sdi(tables, ytd, state_code, wages_other)
    # (2) the taxes on the wages other than tips, and the 401(k) in today's place
    social_security = cash.take(ss_other)
    medicare = cash.take(medicare_other)
    sdi = cash.take(sdi_other)
    retirement = cash.take(_deduction(inputs, staff, "retirement_401k", period))
    income_wages = wages - retirement
    income_other = max(Fraction(0), wages_other - retirement)
    state_all, federal_all = _income_taxes(tables, staff, state_code, income_wages, per_year)
    state_other, federal_other = _income_taxes(tables, staff, state_code, income_other, per_year)
    state = cash.take(state_other)
    federal = cash.take(federal_other)
    # (3) Social Security, Medicare and SDI on the tips. CHOICE: SDI that
    # cannot be withheld is simply not withheld (only SS and Medicare have an
    # "uncollected" column, W-2 box 12 codes A and B).
    social_security += cash.take(ss_all - ss_other)
    medicare += cash.take(medicare_all - medicare_other)
    sdi += cash.take(sdi_all - sdi_other)
    # (4) state and federal income tax on the tips
    state += cash.take(state_all - state_other)
    federal += cash.take(federal_all - federal_other)
    # (5) post-tax deductions
    post_tax = cash.take(_deduction(inputs, staff, "post_tax", period))

    employer_medicare = money(tables.medicare_rate * wages)
    futa_base = max(Fraction(0), min(wages, tables.futa_wage_base - ytd.futa_wages))
    futa = money(tables.futa_rate * futa_base)

    ytd.social_security_wages += wages
    ytd.medicare_wages += wages
    ytd.futa_wages += wages

    withheld = {
        name: money(amount)
        for name, amount in (
            ("retirement_401k", retirement),
            ("section_125", section_125),
            ("federal_income_tax", federal),
            ("social_security_tax", social_security),
            ("medicare_tax", medicare),
            ("state_income_tax", state),
            ("state_disability_tax", sdi),
            ("post_tax_deductions", post_tax),
        )
    }
    net = gross - cash_tips - sum(withheld.values())
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
        **withheld,
        net_pay=net,
        employer_social_security_tax=ss_all,
        employer_medicare_tax=employer_medicare,
        futa_tax=futa,
        minimum_wage_makeup_pay=makeup,
        premium_pay=pay_premiums,
        card_tips_pay=card_tips,
        cash_tips_reported=cash_tips,
        tip_credit=money(earned.tip_credit),
        qualified_overtime_premium=money(earned.qualified_overtime),
        uncollected_social_security_tax=ss_all - withheld["social_security_tax"],
        uncollected_medicare_tax=medicare_all - withheld["medicare_tax"],
    )
