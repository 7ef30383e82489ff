"""CONTRACT §6 invariants of the reference calculator, over random weeks drawn
by hypothesis (derandomized: the same examples on every run).

One tenant, weekly pay periods that start on the workweek's first day (a
Monday), so one workweek is paid in one period; one location drawn from the
minimum-wage table's jurisdictions (with and without a locality), one hourly
staff member with random deductions, shifts on a 3-minute grid (overnight
ones too), breaks, card and cash tips, tipped and plain rates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reference import payroll as ref
from tests.reference_examples.builder import (
    MINIMUM_WAGES,
    MON,
    TABLES,
    ZONES,
    D,
    identities_hold,
)

EXAMPLES = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TENANT = "t"
LOCATIONS = (
    ("AUS", "TX", None),
    ("LA", "CA", None),
    ("NYC", "NY", "nyc"),
    ("ALB", "NY", None),
    ("DEN", "CO", "denver"),
    ("CHI", "IL", "chicago"),
    ("SEA", "WA", "seattle"),
    ("MIA", "FL", None),
    ("ANC", "AK", None),
)
SECTION_4_PAYROLL = (*ref.PAYROLL_HOURS_COLUMNS, *ref.PAYROLL_MONEY_COLUMNS)
SECTION_4_WORKWEEK = (
    "hours_worked",
    "overtime_hours",
    "double_time_hours",
    "straight_time_pay",
    "bonus_pay",
    "regular_rate",
    "overtime_premium_pay",
)
EMPLOYEE_TAXES = (
    "federal_income_tax",
    "social_security_tax",
    "medicare_tax",
    "state_income_tax",
    "state_disability_tax",
    "uncollected_social_security_tax",
    "uncollected_medicare_tax",
)


def _cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda c: D(c).scaleb(-2))


def _floor(location: ref.Location, days: list[dt.date], tipped: bool) -> Decimal:
    """The lowest lawful rate for the week: the minimum wage, or with the tip
    credit the tipped cash wage of the winning row, on its highest day."""
    rows = [MINIMUM_WAGES.of(location, day) for day in days]
    wages = [r.minimum_wage - (r.max_tip_credit or 0) if tipped else r.minimum_wage for r in rows]
    return ref.money(max(wages))


@st.composite
def weeks(draw, *, tips: bool = True, lawful: bool = False, quiet: bool = False) -> ref.Inputs:
    """One workweek of one staff member.

    ``lawful``: every rate at least its floor (the tipped cash wage for a
    tip_credit rate). ``quiet``: nothing that trips a §6 rule: no tips, no
    tip_credit rate, rates at least the minimum wage, one shift a day from
    06:00 to 22:00 at most, 10 h at most, and a 30-minute break in any shift
    over 6 h.
    """
    location_id, state, locality = draw(st.sampled_from(LOCATIONS))
    zone = ZoneInfo(ZONES[state])
    location = ref.Location(TENANT, location_id, ZONES[state], state, locality)
    monday = MON + dt.timedelta(days=7 * draw(st.integers(0, 38)))
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    exempt = not quiet and draw(st.integers(0, 9)) == 0
    staff = ref.Staff(
        TENANT,
        "S",
        location_id,
        "hourly",
        flsa_exempt=exempt,
        filing_status=draw(st.sampled_from(["single", "married_jointly", "head_of_household"])),
        w4_step2=draw(st.integers(0, 4)) == 0,
        w4_extra_withholding=draw(st.sampled_from([D(0), D(0), D(0), D(15), D(400)])),
        hired_on=dt.date(2025, 1, 6),
    )
    tipped = not quiet and draw(st.booleans())
    if lawful or quiet:
        floor = _floor(location, days, tipped)
        rate = floor + draw(_cents(0, 1500))
    else:
        rate = draw(_cents(213, 3000))
    pay_rates = [ref.PayRate(TENANT, None, "server", rate, dt.date(2026, 1, 1), tip_credit=tipped)]

    shifts: list[ref.Shift] = []
    free_from = dt.datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    for number, day in enumerate(days):
        for second in range(draw(st.integers(0, 1 if quiet else 2))):
            if quiet:
                start_minute = 3 * draw(st.integers(120, 240))  # 06:00-12:00
                minutes = 3 * draw(st.integers(20, 200))  # 1-10 h
            else:
                start_minute = 3 * draw(st.integers(0, 479))
                minutes = 3 * draw(st.integers(5, 240))
            wall = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
            clock_in = max(wall + dt.timedelta(minutes=start_minute), free_from)
            if quiet and clock_in.astimezone(zone).date() != day:
                continue
            clock_out = clock_in + dt.timedelta(minutes=minutes)
            if quiet and state in ("CA", "NY") and minutes > 6 * 60:
                pause = 30 + 3 * draw(st.integers(0, 10))
            elif draw(st.booleans()):
                pause = min(3 * draw(st.integers(0, 20)), minutes - 3)
            else:
                pause = 0
            # sometimes far more cash tips than cash wages: uncollected taxes
            cash = draw(st.one_of(st.just(D(0)), _cents(0, 30000), _cents(0, 150000)))
            cash = cash if tips else D(0)
            card = draw(st.one_of(st.just(D(0)), _cents(0, 30000))) if tips else D(0)
            shifts.append(
                ref.Shift(
                    TENANT,
                    f"E{number}{second}",
                    "S",
                    location_id,
                    "server",
                    clock_in.astimezone(dt.UTC),
                    clock_out.astimezone(dt.UTC),
                    pause,
                    cash_tips=cash if not quiet else D(0),
                    card_tips=card if not quiet else D(0),
                )
            )
            free_from = clock_out + dt.timedelta(minutes=3 * draw(st.integers(1, 120)))
    deductions = [
        ref.Deduction(TENANT, "S", kind, draw(_cents(100, high)), dt.date(2026, 1, 1))
        for kind, high in (("section_125", 12000), ("retirement_401k", 40000), ("post_tax", 8000))
        if draw(st.integers(0, 2)) == 0
    ]
    adjustments = []
    if draw(st.integers(0, 3)) == 0:
        day, amount = draw(st.sampled_from(days)), draw(_cents(500, 20000))
        adjustments.append(ref.Adjustment(TENANT, "A1", "S", day, "bonus", amount))
    return ref.Inputs(
        tenants=[ref.Tenant(TENANT, "weekly", MON, "monday", 5)],
        locations=[location],
        staff=[staff],
        pay_rates=pay_rates,
        attendance=shifts,
        adjustments=adjustments,
        deductions=deductions,
    )


def _restaurant(inputs: ref.Inputs) -> ref.Result:
    return ref.compute(inputs, TABLES, MINIMUM_WAGES)


def _section_4(inputs: ref.Inputs) -> ref.Result:
    return ref.compute(inputs, TABLES)


def _columns(row: object, columns: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(row, name) for name in columns}


# ---------------------------------------------------------------- invariants


@EXAMPLES
@given(weeks(lawful=True), st.integers(0, 100))
def test_a_week_with_tips_at_least_its_capacity_pays_no_makeup(inputs, extra):
    """With lawful rates, tips of at least the largest tip credit the table
    allows (6.00 an hour, Illinois) for every hour worked cover any capacity:
    the make-up is 0. (A shift's tips stay in the workweek of its clock-in.)"""
    shifts = []
    for shift in inputs.attendance:
        hours_on_clock = D((shift.clock_out - shift.clock_in).total_seconds()) / 3600
        shifts.append(
            dataclasses.replace(shift, card_tips=(6 * hours_on_clock + extra).quantize(D("0.01")))
        )
    result = _restaurant(dataclasses.replace(inputs, attendance=shifts))
    for key, week in result.workweeks.items():
        if week.tips >= 6 * week.hours_worked:
            assert week.minimum_wage_makeup_pay == 0, key


@EXAMPLES
@given(weeks(), st.data())
def test_raising_tips_never_lowers_net_pay_below_the_previous_net_minus_the_taxes_on_them(
    inputs, data
):
    """Raise one shift's card or cash tips. The employee's total (net pay plus
    the cash tips in hand) never falls by more than the added employee taxes
    (withheld or uncollected); nor does the check (net pay) itself while the
    make-up stays as it was. When added cash tips replace make-up the
    employer no longer owes, the check shrinks by that make-up, which the
    employee now holds in cash."""
    if not inputs.attendance:
        return
    index = data.draw(st.integers(0, len(inputs.attendance) - 1))
    kind = data.draw(st.sampled_from(["cash_tips", "card_tips"]))
    added = data.draw(_cents(1, 50000))
    raised = list(inputs.attendance)
    raised[index] = dataclasses.replace(
        raised[index], **{kind: getattr(raised[index], kind) + added}
    )
    before = _restaurant(inputs)
    after = _restaurant(dataclasses.replace(inputs, attendance=raised))
    assert set(before.payroll) <= set(after.payroll)
    for key, old in before.payroll.items():
        new = after.payroll[key]
        taxes = sum(getattr(new, c) for c in EMPLOYEE_TAXES) - sum(
            getattr(old, c) for c in EMPLOYEE_TAXES
        )
        total_before = old.net_pay + old.cash_tips_reported
        total_after = new.net_pay + new.cash_tips_reported
        assert total_after >= total_before - taxes, (key, old, new)
        if new.minimum_wage_makeup_pay == old.minimum_wage_makeup_pay:
            assert new.net_pay >= old.net_pay - taxes, (key, old, new)


@EXAMPLES
@given(weeks(quiet=True))
def test_a_week_that_trips_no_section_6_rule_computes_exactly_as_section_4(inputs):
    restaurant, before = _restaurant(inputs), _section_4(inputs)
    assert set(restaurant.payroll) == set(before.payroll)
    assert set(restaurant.workweeks) == set(before.workweeks)
    assert restaurant.premiums == {}
    for key, row in restaurant.payroll.items():
        assert _columns(row, SECTION_4_PAYROLL) == _columns(before.payroll[key], SECTION_4_PAYROLL)
        for column in ref.RESTAURANT_PAYROLL_MONEY_COLUMNS:
            if column != "qualified_overtime_premium":  # informational, owed by the FLSA alone
                assert getattr(row, column) == 0, (key, column)
    for key, week in restaurant.workweeks.items():
        assert _columns(week, SECTION_4_WORKWEEK) == _columns(
            before.workweeks[key], SECTION_4_WORKWEEK
        )
        assert (week.tips, week.tip_credit, week.minimum_wage_makeup_pay) == (0, 0, 0)


@EXAMPLES
@given(weeks())
def test_whatever_adds_nothing_under_section_6_leaves_the_section_4_columns_alone(inputs):
    """Any week (tips, tipped rates, low rates, long days): where §6 adds
    nothing (no tips, tip credit, make-up or premium), §4's columns are as
    before."""
    restaurant, before = _restaurant(inputs), _section_4(inputs)
    for key, row in restaurant.payroll.items():
        adds = (
            row.card_tips_pay,
            row.cash_tips_reported,
            row.tip_credit,
            row.minimum_wage_makeup_pay,
            row.premium_pay,
        )
        if not any(adds):
            assert _columns(row, SECTION_4_PAYROLL) == _columns(
                before.payroll[key], SECTION_4_PAYROLL
            )


@EXAMPLES
@given(weeks())
def test_the_identities_and_the_withholding_bounds_hold_on_every_row(inputs):
    result = _restaurant(inputs)
    for key, row in result.payroll.items():
        assert identities_hold(row), key  # gross = its eight parts; net = gross - cash tips - ...
        assert row.net_pay >= 0, key  # withholding never goes beyond the cash paid
        assert row.uncollected_social_security_tax >= 0 and row.uncollected_medicare_tax >= 0
        assert row.employer_social_security_tax == (
            row.social_security_tax + row.uncollected_social_security_tax
        )
        premiums = [p for p in result.premiums.values() if p.period_start == key[2]]
        assert sum(p.amount for p in premiums) == row.premium_pay, key
        assert all(p.amount > 0 and p.hours == 1 for p in premiums)
        week = result.workweeks.get(key)  # weekly periods: the week starting on the same day
        if week is not None:
            assert (week.tip_credit, week.minimum_wage_makeup_pay) == (
                row.tip_credit,
                row.minimum_wage_makeup_pay,
            ), key
            # the FLSA's hours over 40 are among the overtime and double-time hours
            assert week.qualified_overtime_premium <= week.overtime_premium_pay, key
