"""The naive baseline: the row-by-row design the project replaced.

For every pay period and every staff member employed in it, one ORM query
fetches that person's punches, and Python walks them: checks, split at local
midnight, breaks, rates, daily and weekly overtime, regular rate, gross. It
is written to be correct and reasonably careful (reference data is loaded
once per tenant, arithmetic is exact), not to be slow: it produces the same
rows as ``marts.fct_workweek_hours``, which the harness checks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, Integer, Numeric, Text, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

UTC = dt.UTC
HOUR = 3600
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
LOOKBACK = dt.timedelta(days=8)  # a workweek before the period, plus a day of time zones
LOOKAHEAD = dt.timedelta(days=2)
MAX_SHIFT = dt.timedelta(hours=24)
PLACES = 40  # Decimal precision: divisions exact far beyond the cent


class _Base(DeclarativeBase):
    pass


class Tenant(_Base):
    __tablename__ = "tenants"
    __table_args__ = {"schema": "raw"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    workweek_start: Mapped[str] = mapped_column(Text)


class Location(_Base):
    __tablename__ = "locations"
    __table_args__ = {"schema": "raw"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    location_id: Mapped[str] = mapped_column(Text, primary_key=True)
    timezone: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(Text)


class Staff(_Base):
    __tablename__ = "staff"
    __table_args__ = {"schema": "raw"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    staff_id: Mapped[str] = mapped_column(Text, primary_key=True)
    pay_type: Mapped[str] = mapped_column(Text)
    flsa_exempt: Mapped[bool] = mapped_column(Boolean)
    hired_on: Mapped[dt.date | None] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)


class PayRate(_Base):
    __tablename__ = "pay_rates"
    __table_args__ = {"schema": "raw"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    staff_id: Mapped[str] = mapped_column(Text, primary_key=True)
    role: Mapped[str] = mapped_column(Text, primary_key=True)
    effective_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric)


class Attendance(_Base):
    __tablename__ = "attendance"
    __table_args__ = {"schema": "raw"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    staff_id: Mapped[str] = mapped_column(Text)
    location_id: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    clock_in: Mapped[dt.datetime] = mapped_column()
    clock_out: Mapped[dt.datetime | None] = mapped_column()
    break_minutes: Mapped[int] = mapped_column(Integer)


class Adjustment(_Base):
    __tablename__ = "adjustments"
    __table_args__ = {"schema": "raw"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    adjustment_id: Mapped[str] = mapped_column(Text, primary_key=True)
    staff_id: Mapped[str] = mapped_column(Text)
    work_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric)


class OvertimeRule(_Base):
    __tablename__ = "overtime_rules"
    __table_args__ = {"schema": "reference"}
    jurisdiction: Mapped[str] = mapped_column(Text, primary_key=True)
    effective_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    weekly_overtime_threshold_hours: Mapped[Decimal | None] = mapped_column(Numeric)
    daily_overtime_threshold_hours: Mapped[Decimal | None] = mapped_column(Numeric)
    daily_double_time_threshold_hours: Mapped[Decimal | None] = mapped_column(Numeric)
    seventh_day_rule: Mapped[bool | None] = mapped_column(Boolean)
    daily_rule_max_hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric)


class PayPeriod(_Base):
    __tablename__ = "dim_pay_periods"
    __table_args__ = {"schema": "marts"}
    tenant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    is_closed: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True)
class WorkweekRow:
    """One row of ``fct_workweek_hours`` as the naive code computes it."""

    tenant_id: str
    staff_id: str
    workweek_start: dt.date
    period_start: dt.date
    hours_worked: Decimal
    overtime_hours: Decimal
    double_time_hours: Decimal
    straight_time_pay: Decimal
    bonus_pay: Decimal
    regular_rate: Decimal | None
    overtime_premium_pay: Decimal


@dataclass(frozen=True)
class NaiveRun:
    rows: list[WorkweekRow]
    seconds: float
    queries: int
    shifts_read: int


@dataclass
class _Part:
    work_date: dt.date
    jurisdiction: str
    seconds: Decimal
    pay_x3600: Decimal  # rate × seconds


@dataclass
class _Reference:
    """What a careful developer loads once per tenant instead of per staff."""

    workweek_start_dow: int
    locations: dict[str, Location]
    rates: dict[tuple[str, str], list[PayRate]]  # (staff_id or '', role)
    bonuses: dict[tuple[str, dt.date], Decimal]  # (staff_id, workweek start)
    rules: list[OvertimeRule]


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _week_start(day: dt.date, start_dow: int) -> dt.date:
    dow = (day.weekday() + 1) % 7  # 0 = Sunday, as extract(dow)
    return day - dt.timedelta(days=(dow - start_dow + 7) % 7)


def _rate(ref: _Reference, staff_id: str, role: str, day: dt.date) -> Decimal | None:
    """A personal rate beats the role default; the latest start wins."""
    for key in ((staff_id, role), ("", role)):
        found = [
            r
            for r in ref.rates.get(key, ())
            if r.effective_from <= day and (r.effective_to is None or day <= r.effective_to)
        ]
        if found:
            return max(found, key=lambda r: r.effective_from).hourly_rate
    return None


def _rule(rules: Iterable[OvertimeRule], jurisdiction: str, day: dt.date) -> OvertimeRule | None:
    for rule in rules:
        if (
            rule.jurisdiction == jurisdiction
            and rule.effective_from <= day
            and (rule.effective_to is None or day <= rule.effective_to)
        ):
            return rule
    return None


def _weekly_threshold(rules: list[OvertimeRule], jurisdiction: str, day: dt.date) -> Decimal:
    for candidate in (jurisdiction, "US"):
        matching = [
            r
            for r in rules
            if r.jurisdiction == candidate
            and r.weekly_overtime_threshold_hours is not None
            and r.effective_from <= day
            and (r.effective_to is None or day <= r.effective_to)
        ]
        if matching:
            best = max(matching, key=lambda r: r.effective_from)
            return Decimal(best.weekly_overtime_threshold_hours) * HOUR
    raise ValueError(f"no weekly overtime rule for {jurisdiction} on {day}")


def _load_reference(session: Session, tenant: Tenant) -> _Reference:
    tid = tenant.tenant_id
    locations = {
        loc.location_id: loc
        for loc in session.scalars(select(Location).where(Location.tenant_id == tid))
    }
    rates: dict[tuple[str, str], list[PayRate]] = defaultdict(list)
    for rate in session.scalars(select(PayRate).where(PayRate.tenant_id == tid)):
        rates[(rate.staff_id, rate.role)].append(rate)
    start_dow = WEEKDAYS.index(tenant.workweek_start)
    bonuses: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    for adjustment in session.scalars(
        select(Adjustment).where(Adjustment.tenant_id == tid, Adjustment.kind == "bonus")
    ):
        week = _week_start(adjustment.work_date, start_dow)
        bonuses[(adjustment.staff_id, week)] += adjustment.amount
    rules = list(session.scalars(select(OvertimeRule)))
    return _Reference(start_dow, locations, dict(rates), dict(bonuses), rules)


def _payable(
    shifts: list[Attendance], member: Staff, ref: _Reference, now: dt.datetime
) -> list[Attendance]:
    """The punches that pass every check, then without the overlapping ones."""
    salaried = member.pay_type == "salaried"
    passing = []
    for shift in shifts:
        location = ref.locations.get(shift.location_id)
        if location is None or shift.clock_out is None or shift.clock_in > now:
            continue
        elapsed = shift.clock_out - shift.clock_in
        if elapsed <= dt.timedelta(0) or elapsed > MAX_SHIFT:
            continue
        if dt.timedelta(minutes=shift.break_minutes) > elapsed:
            continue
        zone = ZoneInfo(location.timezone)
        first = shift.clock_in.astimezone(zone).date()
        last = (shift.clock_out - dt.timedelta(microseconds=1)).astimezone(zone).date()
        if member.terminated_on is not None and first > member.terminated_on:
            continue
        if not salaried and (
            _rate(ref, member.staff_id, shift.role, first) is None
            or _rate(ref, member.staff_id, shift.role, last) is None
        ):
            continue
        passing.append(shift)
    passing.sort(key=lambda s: (s.clock_in, s.event_id))
    kept = []
    latest_out: dt.datetime | None = None
    for shift in passing:
        if latest_out is None or latest_out <= shift.clock_in:
            kept.append(shift)
        latest_out = shift.clock_out if latest_out is None else max(latest_out, shift.clock_out)
    return kept


def _parts(shift: Attendance, member: Staff, ref: _Reference) -> Iterator[_Part]:
    location = ref.locations[shift.location_id]
    zone = ZoneInfo(location.timezone)
    clock_in, clock_out = shift.clock_in.astimezone(UTC), shift.clock_out.astimezone(UTC)
    day = clock_in.astimezone(zone).date()
    last = (clock_out - dt.timedelta(microseconds=1)).astimezone(zone).date()
    break_left = Decimal(shift.break_minutes * 60)
    while day <= last:
        next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        midnight = dt.datetime.combine(day, dt.time(), zone)
        start = max(clock_in, midnight.astimezone(UTC))
        end = min(clock_out, next_midnight.astimezone(UTC))
        elapsed = Decimal((end - start) // dt.timedelta(microseconds=1)) / 1_000_000
        worked = elapsed - min(elapsed, break_left)
        break_left = max(Decimal(0), break_left - elapsed)
        rate = (
            Decimal(0)
            if member.pay_type == "salaried"
            else _rate(ref, member.staff_id, shift.role, day)
        )
        yield _Part(day, location.jurisdiction, worked, rate * worked)
        day += dt.timedelta(days=1)


def _workweeks(
    tenant_id: str,
    member: Staff,
    parts: list[_Part],
    ref: _Reference,
    period: PayPeriod,
) -> list[WorkweekRow]:
    """Workweeks whose last day falls in ``period``."""
    eligible = member.pay_type != "salaried" and not member.flsa_exempt
    by_day: dict[dt.date, dict[str, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    for part in parts:
        sums = by_day[part.work_date][part.jurisdiction]
        sums[0] += part.seconds
        sums[1] += part.pay_x3600
    weeks: dict[dt.date, list[tuple[dt.date, str, Decimal, Decimal]]] = defaultdict(list)
    for day, jurisdictions in by_day.items():
        main = sorted(jurisdictions.items(), key=lambda item: (-item[1][0], item[0]))[0][0]
        seconds = sum((v[0] for v in jurisdictions.values()), Decimal(0))
        pay = sum((v[1] for v in jurisdictions.values()), Decimal(0))
        weeks[_week_start(day, ref.workweek_start_dow)].append((day, main, seconds, pay))
    rows = []
    for week, days in sorted(weeks.items()):
        week_end = week + dt.timedelta(days=6)
        if not period.period_start <= week_end <= period.period_end:
            continue
        rows.append(_workweek_row(tenant_id, member.staff_id, week, days, eligible, ref, period))
    return rows


def _daily_overtime(
    day: dt.date, jurisdiction: str, seconds: Decimal, pay: Decimal, seventh: bool, ref: _Reference
) -> tuple[Decimal, Decimal]:
    rule = _rule(ref.rules, jurisdiction, day)
    if rule is None or rule.daily_overtime_threshold_hours is None:
        return Decimal(0), Decimal(0)
    if (
        rule.daily_rule_max_hourly_rate is not None
        and pay >= rule.daily_rule_max_hourly_rate * seconds
    ):
        return Decimal(0), Decimal(0)
    threshold = rule.daily_overtime_threshold_hours * HOUR
    if seventh and rule.seventh_day_rule:
        return min(seconds, threshold), max(Decimal(0), seconds - threshold)
    double = (
        rule.daily_double_time_threshold_hours * HOUR
        if rule.daily_double_time_threshold_hours is not None
        else seconds
    )
    return max(Decimal(0), min(seconds, double) - threshold), max(Decimal(0), seconds - double)


def _workweek_row(
    tenant_id: str,
    staff_id: str,
    week: dt.date,
    days: list[tuple[dt.date, str, Decimal, Decimal]],
    eligible: bool,
    ref: _Reference,
    period: PayPeriod,
) -> WorkweekRow:
    worked_days = sum(1 for _, _, seconds, _ in days if seconds > 0)
    seconds = pay = daily_ot = daily_dt = Decimal(0)
    jurisdictions = []
    for day, jurisdiction, day_seconds, day_pay in days:
        jurisdictions.append(jurisdiction)
        seconds += day_seconds
        pay += day_pay
        if eligible:
            seventh = worked_days == 7 and day == week + dt.timedelta(days=6)
            ot, dt_ = _daily_overtime(day, jurisdiction, day_seconds, day_pay, seventh, ref)
            daily_ot += ot
            daily_dt += dt_
    # mode(): the most frequent day jurisdiction, the first in order on a tie
    counts = {j: jurisdictions.count(j) for j in sorted(set(jurisdictions))}
    main = max(counts, key=lambda j: (counts[j], -sorted(counts).index(j)))
    bonus = ref.bonuses.get((staff_id, week), Decimal(0))
    overtime = double_time = premium = Decimal(0)
    regular_rate = None
    if eligible:
        threshold = _weekly_threshold(ref.rules, main, week)
        overtime = daily_ot + max(Decimal(0), seconds - daily_ot - daily_dt - threshold)
        double_time = daily_dt
        if seconds > 0:
            regular_rate = _round((pay + HOUR * bonus) / seconds, 4)  # once, like the mart
            premium = (
                (Decimal("0.5") * overtime + double_time) * (pay + HOUR * bonus) / (HOUR * seconds)
            )
    return WorkweekRow(
        tenant_id=tenant_id,
        staff_id=staff_id,
        workweek_start=week,
        period_start=period.period_start,
        hours_worked=_round(_round(seconds / HOUR, 6), 4),
        overtime_hours=_round(_round(overtime / HOUR, 6), 4),
        double_time_hours=_round(_round(double_time / HOUR, 6), 4),
        straight_time_pay=_round(pay / HOUR, 2),
        bonus_pay=_round(bonus, 2),
        regular_rate=regular_rate,
        overtime_premium_pay=_round(premium, 2),
    )


def _employed_in(member: Staff, start: dt.date, end: dt.date) -> bool:
    hired = member.hired_on is None or member.hired_on <= end
    # after-termination punches are refused, so a leaver's last weeks still count
    return hired and (member.terminated_on is None or member.terminated_on >= start)


def run_naive(url: str, staff_ids: dict[str, set[str]] | None = None) -> NaiveRun:
    """Every closed period of every tenant, one ORM query per staff member
    and period; ``staff_ids`` (per tenant) limits the run to a sample."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    rows: list[WorkweekRow] = []
    queries = shifts_read = 0
    started = time.perf_counter()
    with localcontext() as context, Session(engine) as session:
        context.prec = PLACES
        now = session.scalar(select(func.now()))  # the database's clock, as the pipeline's
        for tenant in session.scalars(select(Tenant).order_by(Tenant.tenant_id)).all():
            if staff_ids is not None and tenant.tenant_id not in staff_ids:
                continue
            ref = _load_reference(session, tenant)
            staff = session.scalars(
                select(Staff).where(Staff.tenant_id == tenant.tenant_id).order_by(Staff.staff_id)
            ).all()
            if staff_ids is not None:
                staff = [m for m in staff if m.staff_id in staff_ids[tenant.tenant_id]]
            periods = session.scalars(
                select(PayPeriod)
                .where(PayPeriod.tenant_id == tenant.tenant_id, PayPeriod.is_closed)
                .order_by(PayPeriod.period_start)
            ).all()
            for period in periods:
                window_start = period.period_start - LOOKBACK
                window_end = period.period_end + LOOKAHEAD
                for member in staff:
                    if not _employed_in(member, window_start, window_end):
                        continue
                    shifts = session.scalars(
                        select(Attendance).where(
                            Attendance.tenant_id == tenant.tenant_id,
                            Attendance.staff_id == member.staff_id,
                            Attendance.clock_in >= window_start,
                            Attendance.clock_in < window_end,
                        )
                    ).all()
                    queries += 1
                    shifts_read += len(shifts)
                    parts = [
                        part
                        for shift in _payable(list(shifts), member, ref, now)
                        for part in _parts(shift, member, ref)
                    ]
                    rows.extend(_workweeks(tenant.tenant_id, member, parts, ref, period))
                session.expunge_all()
    engine.dispose()
    return NaiveRun(rows, time.perf_counter() - started, queries, shifts_read)
