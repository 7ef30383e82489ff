"""Differential test: the dbt pipeline against the pure-Python reference
calculator (``tests/reference/payroll.py``, CONTRACT §4 and §6) on a batch of
random cases.

One case is one tenant: one location in a random state and time zone, 1–3
staff, 1–2 roles with rates (sometimes changing mid-week), a random pay
calendar and workweek, 1–3 weeks of shifts (overnight, on DST nights),
bonuses, deductions and year-to-date openings. Cases are drawn by hypothesis
(derandomized, so the batch is the same on every run), written to one set of
CSV files, ingested once and computed by ONE ``dbt build`` with nothing selected, which
computes every tenant and every period. Every row of ``build.fct_payroll``,
``build.fct_workweek_hours`` and ``build.fct_pay_premiums`` must equal the
reference to the cent.

A share of the cases (``RESTAURANT_SHARE``) draws the §6 restaurant inputs:
a location with a locality, cash and card tips (none, short of the tip-credit
capacity, plenty, more cash than wages), staff rates taking the tip credit
(for non-exempt hourly staff only), rates below and above the minimum wage,
second shifts on the same day after a gap (under 30 minutes, a meal period,
a split shift), long days with and without a break, windows across a minimum
wage change. The other cases draw no §6 input and trip no §6 rule, so that
they compute exactly as CONTRACT §4 alone (checked in the reference, and
in the pipeline's §4/§5 columns on their own). ``RULES`` counts how many
cases trip each §6 rule and requires a minimum of each.

The same batch carries derived tenants for metamorphic invariants:
``<case>-split`` (every shift cut in two consecutive shifts at a random
minute of the 3-minute grid, tips on the first piece) must pay exactly what
its base case pays (in the reference too), and ``<case>-double`` (every
rate and bonus doubled, cases that trip no §6 rule only: a minimum wage does
not double) must pay twice the straight time and premium.

Clock times and breaks are multiples of 3 minutes, so that every hour
figure is a finite decimal (3 min = 0.05 h): the pipeline keeps hours to the
microhour, and a one-minute grid would test that rounding rather than the
pay rules (see ``test_a_one_minute_shift_is_paid_exactly``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import importlib.util
import itertools
import math
import os
import random
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import psycopg2.errors
import psycopg2.extras
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dagster_project.ingest.loader import ingest_paths
from dagster_project.lib.database import dbt_env
from tests.reference.contract import ALL_INPUT_COLUMNS


def _load_reference():
    """``--import-mode=importlib`` puts no test folder on ``sys.path``."""
    path = Path(__file__).parent / "reference" / "payroll.py"
    spec = importlib.util.spec_from_file_location("payroll_reference", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

D = Decimal
CASES = 200
ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT = ROOT / "dbt_project"
SEEDS = DBT_PROJECT / "seeds"
DBT = str(Path(sys.executable).with_name("dbt"))
UTC = dt.UTC
CENT = D("0.01")
TABLES = ref.load_tax_tables(SEEDS)
MINIMUM_WAGES = ref.load_minimum_wages()

STATE_ZONES = {
    "CA": "America/Los_Angeles",
    "TX": "America/Chicago",
    "NY": "America/New_York",
    "NV": "America/Los_Angeles",
    "AK": "America/Anchorage",
    "CO": "America/Denver",
    "FL": "America/New_York",
    "WA": "America/Los_Angeles",
    "IL": "America/Chicago",
}
ZONES = sorted({*STATE_ZONES.values(), "America/Phoenix", "Pacific/Honolulu"})
DST_DAYS = (dt.date(2026, 3, 8), dt.date(2026, 11, 1))
FIRST_DAY = dt.date(2026, 1, 5)
LAST_DAY = dt.date(2026, 11, 10)  # every punch in the past, every pay date in 2026
ROLES = ("cook", "server")
FLSA_ONLY = {"TX", "NY", "FL", "WA", "IL"}

# §6: the share of cases (in %) drawing restaurant inputs, and where they are:
# a state, with or without a locality of that state in reference.minimum_wages
# (California and New York, with their premiums, more often).
RESTAURANT_SHARE = 60
RESTAURANT_LOCATIONS = (
    *[("CA", None)] * 5,
    *[("NY", None)] * 3,
    *[("NY", "nyc")] * 2,
    *[("TX", None)] * 3,
    ("FL", None),
    ("CO", None),
    ("CO", "denver"),
    ("IL", None),
    ("IL", "chicago"),
    ("WA", None),
    ("WA", "seattle"),
    ("AK", None),
    ("AK", None),
    ("FL", None),
    ("NV", None),
)
# the least number of drawn cases that trip no §6 rule
SECTION_6_FREE_AT_LEAST = CASES // 4

COLUMNS = ALL_INPUT_COLUMNS


# ---------------------------------------------------------------- strategies


@functools.cache
def _cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Dollars between low and high, to the cent."""
    return _in_cents(low * 100, high * 100)


@functools.cache  # one strategy object per range: hypothesis validates each new one
def _in_cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Between low and high cents."""
    return st.integers(low, high).map(lambda c: D(c).scaleb(-2))


def _cents_up(value: Fraction) -> int:
    """``value`` dollars in cents, rounded up."""
    return math.ceil(value * 100)


def _local(day: dt.date, minute: int, zone: ZoneInfo) -> dt.datetime:
    """A UTC instant from a local wall time (a time skipped by DST moves on)."""
    wall = dt.datetime(day.year, day.month, day.day, tzinfo=zone) + dt.timedelta(minutes=minute)
    return wall.astimezone(UTC)


def _minimum_wage_changes(state: str, locality: str | None) -> list[dt.date]:
    """The days inside the drawn range on which a minimum wage of the location changes."""
    return sorted(
        row.effective_from
        for row in MINIMUM_WAGES.rows
        if row.jurisdiction in (ref.FEDERAL, state, locality)
        and FIRST_DAY < row.effective_from < LAST_DAY
    )


@st.composite
def _window(draw, changes: list[dt.date]) -> tuple[dt.date, int, dt.date | None]:
    """First day and number of weeks of shifts, and the DST night to cover;
    the window may instead straddle a minimum wage change (``changes``)."""
    weeks = draw(st.integers(1, 3))
    days = 7 * weeks
    pivot = draw(st.sampled_from([None, None, *DST_DAYS, *changes * 4]))
    if pivot is None:
        first = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, (LAST_DAY - FIRST_DAY).days)))
    else:
        first = pivot - dt.timedelta(days=draw(st.integers(1, days - 1)))
    first = min(first, LAST_DAY - dt.timedelta(days=days - 1))
    return first, weeks, pivot if pivot in DST_DAYS else None


def _tips_for(draw, profile: str) -> tuple[Decimal, Decimal]:
    """(cash, card) tips of one shift: 0 often; ``short`` tips stay below what
    the tip credit could take (at least $5.12 an hour where it is allowed at
    all, for shifts of 3 h or more); ``huge`` cash tips leave too little cash
    for the withholding (uncollected Social Security and Medicare)."""
    if profile == "none":
        return D(0), D(0)
    cash, card = TIPS[profile]
    return draw(cash), draw(card)


TIPS = {
    profile: (
        st.one_of(st.just(D(0)), _cents(0, high)),
        st.one_of(st.just(D(0)), _cents(0, min(high, 200))),
    )
    for profile, high in (("short", 12), ("normal", 200), ("huge", 1500))
}
# minutes between two shifts of a day: no meal period (under 30), a meal
# period (30-60), a split shift (over 60)
SAME_DAY_GAPS = st.one_of(st.integers(1, 9), st.integers(10, 20), st.integers(21, 100)).map(
    lambda n: 3 * n
)


@st.composite
def cases(draw) -> tuple[ref.Inputs, bool]:
    """One tenant, every row valid and every shift payable; and whether it was
    drawn without §6 (no §6 input and nothing that trips a §6 rule).

    A share of the cases (``RESTAURANT_SHARE``) draws the CONTRACT §6 inputs
    and shapes that trip its rules; the others draw no §6 input and trip no §6
    rule: no tips, no ``tip_credit`` rate, no locality, every rate at least the
    location's minimum wage, in California a 30-minute break in every shift
    over 6 h and 30 to 60 minutes between a shift and the part after midnight
    of the one before, in New York no work date's parts spread over 10 h.
    """
    tid = "T"
    restaurant = draw(st.integers(0, 99)) < RESTAURANT_SHARE
    if restaurant:
        state, locality = draw(st.sampled_from(RESTAURANT_LOCATIONS))
    else:
        state, locality = draw(st.sampled_from(sorted(STATE_ZONES))), None
    zone_name = draw(st.sampled_from([STATE_ZONES[state]] * 3 + ZONES))
    zone = ZoneInfo(zone_name)
    frequency = draw(st.sampled_from(["weekly", "biweekly", "semimonthly", "monthly"]))
    changes = _minimum_wage_changes(state, locality) if restaurant else []
    first, weeks, dst = draw(_window(changes))
    week_starts_on = draw(st.sampled_from(ref.WEEKDAYS))
    last = first + dt.timedelta(days=7 * weeks - 1)
    # Often the window ends on a workweek's last day and someone works that
    # day; otherwise the last workweek's overtime is paid in a later period.
    end_weekday = (ref.WEEKDAYS.index(week_starts_on) + 6) % 7
    aligned = draw(st.booleans())
    if aligned:
        last += dt.timedelta(days=(end_weekday - last.weekday()) % 7)
    anchor = first + dt.timedelta(days=draw(st.integers(-13, 13)))
    tenant = ref.Tenant(
        tenant_id=tid,
        pay_frequency=frequency,
        period_anchor=anchor if frequency in ("weekly", "biweekly") else None,
        workweek_start=week_starts_on,
        pay_date_lag_days=draw(st.integers(0, 10)),
    )
    location = ref.Location(tid, "L1", zone_name, state, locality)
    window = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    floor = _cents_up(max(MINIMUM_WAGES.of(location, day).minimum_wage for day in window))

    # Nevada's daily rule depends on the rate: keep a tenant's rates on one side of $18.
    if state == "NV" and draw(st.booleans()):
        rate = _cents(18, 40)
    elif state == "NV":
        rate = _in_cents(800 if restaurant else floor, 1799)
    elif restaurant:  # below, at and above the minimum wage
        rate = st.one_of(
            _cents(8, 40),
            _in_cents(max(200, floor - 600), floor + 300),
            st.integers(80000, 400000).map(lambda c: D(c).scaleb(-4)),  # a 4-decimal rate
        )
    else:  # at least the minimum wage
        rate = st.one_of(
            _in_cents(floor, 4000),
            st.integers(100 * floor, 400000).map(lambda c: D(c).scaleb(-4)),
        )
    # a tip_credit rate: the tipped cash wage, near it, or above the minimum
    # wage; where no tip credit is allowed (CA, WA, AK...), any low rate
    terms = MINIMUM_WAGES.of(location, first)
    if state == "NV":
        tipped_rate = rate
    elif terms.max_tip_credit is None:
        tipped_rate = _in_cents(213, floor + 300)
    else:
        cash_wage = _cents_up(terms.minimum_wage - terms.max_tip_credit)
        tipped_rate = st.one_of(
            st.just(D(cash_wage).scaleb(-2)),
            st.just(D(cash_wage).scaleb(-2)),
            _in_cents(max(100, cash_wage - 150), cash_wage + 400),
            _in_cents(floor, floor + 500),
        )
    roles = ROLES[: draw(st.integers(1, 2))]
    pay_rates: list[ref.PayRate] = []
    start_of_year = dt.date(2026, 1, 1)
    for role in roles:
        if draw(st.integers(0, 3)) == 0:  # a raise on some day of the window
            change = first + dt.timedelta(days=draw(st.integers(1, 7 * weeks - 1)))
            pay_rates.append(
                ref.PayRate(
                    tid, None, role, draw(rate), start_of_year, change - dt.timedelta(days=1)
                )
            )
            pay_rates.append(ref.PayRate(tid, None, role, draw(rate), change))
        else:
            pay_rates.append(ref.PayRate(tid, None, role, draw(rate), start_of_year))

    staff: list[ref.Staff] = []
    shifts: list[ref.Shift] = []
    adjustments: list[ref.Adjustment] = []
    deductions: list[ref.Deduction] = []
    openings: list[ref.YtdOpening] = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        sid = f"S{number}"
        salaried = draw(st.integers(0, 4)) == 0
        hired, terminated = dt.date(2025, 1, 6), None
        if salaried and draw(st.booleans()):
            hired = first + dt.timedelta(days=draw(st.integers(-3, 6)))
        if salaried and number > 1 and draw(st.integers(0, 2)) == 0:
            terminated = max(hired, last - dt.timedelta(days=draw(st.integers(0, 10))))
        member = ref.Staff(
            tenant_id=tid,
            staff_id=sid,
            home_location_id="L1",
            pay_type="salaried" if salaried else "hourly",
            flsa_exempt=draw(st.booleans()) if salaried else draw(st.integers(0, 9)) == 0,
            annual_salary=draw(_cents(20000, 260000)) if salaried else None,
            filing_status=draw(st.sampled_from(["single", "married_jointly", "head_of_household"])),
            w4_step2=draw(st.integers(0, 4)) == 0,
            w4_dependents=D(draw(st.sampled_from([0, 0, 0, 500, 2000, 4000]))),
            w4_other_income=D(draw(st.sampled_from([0, 0, 0, 1000, 12000]))),
            w4_deductions=D(draw(st.sampled_from([0, 0, 0, 3000, 25000]))),
            w4_extra_withholding=draw(st.sampled_from([D(0), D(0), D(0), D(15), D("2500.00")])),
            hired_on=hired,
            terminated_on=terminated,
        )
        staff.append(member)
        works = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2, unique=True))
        # Only non-exempt hourly staff may be paid at a tip_credit rate
        # (otherwise the shift is the exception tip_credit_not_allowed).
        tipped = (
            restaurant and not salaried and not member.flsa_exempt and draw(st.integers(0, 9)) < 7
        )
        if tipped:  # a staff rate of the first role; sometimes replaced mid-window
            if draw(st.integers(0, 3)) == 0:
                change = first + dt.timedelta(days=draw(st.integers(1, 7 * weeks - 1)))
                pay_rates.append(
                    ref.PayRate(
                        tid,
                        sid,
                        works[0],
                        draw(tipped_rate),
                        start_of_year,
                        change - dt.timedelta(days=1),
                        tip_credit=True,
                    )
                )
                pay_rates.append(ref.PayRate(tid, sid, works[0], draw(rate), change))
            else:
                pay_rates.append(
                    ref.PayRate(
                        tid, sid, works[0], draw(tipped_rate), start_of_year, tip_credit=True
                    )
                )
        elif not salaried and draw(st.integers(0, 4)) == 0:
            pay_rates.append(ref.PayRate(tid, sid, works[0], draw(rate), start_of_year))
        if not restaurant:
            tips = "none"
        elif tipped:
            tips = draw(st.sampled_from(["none", "short", "short", "normal", "normal", "huge"]))
        else:
            tips = draw(st.sampled_from(["none", "none", "short", "normal", "huge"]))

        def add(
            event_id: str,
            clock_in: dt.datetime,
            minutes: int,
            last_day: bool,
            *,
            sid=sid,
            works=works,
            tips=tips,
            hired=hired,
            terminated=terminated,
        ) -> dt.datetime | None:
            """Append a shift of ``minutes`` from ``clock_in`` unless it falls
            outside employment or the window; its clock-out, or None."""
            clock_out = clock_in + dt.timedelta(minutes=minutes)
            if last_day:
                clock_out = min(clock_out, _local(last, 24 * 60 - 3, zone))
                minutes = (clock_out - clock_in) // dt.timedelta(minutes=1)
                if minutes < 3:
                    return None
            if hired and clock_in.astimezone(zone).date() < hired:
                return None
            end_day = clock_out.astimezone(zone).date()
            if end_day > min(last, terminated or last):
                return None
            if not restaurant and state == "CA" and minutes > 6 * 60:
                pause = 30 + 3 * draw(st.integers(0, 10))  # the meal period
            else:
                pause = 3 * draw(st.integers(0, 20)) if draw(st.booleans()) else 0
            pause = max(0, min(pause, minutes - 3))
            cash, card = _tips_for(draw, tips)
            shifts.append(
                ref.Shift(
                    tid,
                    event_id,
                    sid,
                    "L1",
                    draw(st.sampled_from(works)),
                    clock_in,
                    clock_out,
                    pause,
                    cash_tips=cash,
                    card_tips=card,
                )
            )
            return clock_out

        # Shifts: a day is worked with this staff member's own probability.
        busy = draw(st.sampled_from([0.3, 0.6, 0.9, 1.0]))
        free_from = _local(first, 0, zone)
        previous_out: dt.datetime | None = None
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            dst_night = dst is not None and number == 1 and day == dst - dt.timedelta(days=1)
            last_day = aligned and number == 1 and day == last
            if not (dst_night or last_day) and draw(st.floats(0, 1)) >= busy:
                continue
            if dst_night:  # across 02:00 of the DST night
                start_minute = 3 * draw(st.integers(400, 479))
                minutes = 3 * draw(st.integers(120, 260))
            elif last_day:  # ends before midnight
                start_minute = 3 * draw(st.integers(100, 300))
                minutes = 3 * draw(st.integers(20, 120))
            else:
                start_minute = 3 * draw(st.integers(0, 479))
                minutes = 3 * draw(st.integers(5, 260))
            clock_in = max(_local(day, start_minute, zone), free_from)
            midnight = _local(day, 0, zone)
            # the part after midnight of the shift before, on this work date
            spill = previous_out is not None and previous_out > midnight
            if not restaurant and state == "CA" and spill:
                # 30-60 minutes after it: a meal period, not a split shift
                if not (dst_night or last_day) and draw(st.booleans()):
                    continue
                clock_in = previous_out + dt.timedelta(minutes=3 * draw(st.integers(10, 20)))
            if not restaurant and state == "NY":
                # no work date's parts spread over 10 hours (real time)
                minutes = min(minutes, 10 * 60)
                if spill:
                    limit = midnight + dt.timedelta(hours=10)
                    minutes = min(minutes, (limit - clock_in) // dt.timedelta(minutes=1))
                    if minutes < 3:
                        continue
            clock_out = add(f"E{sid}-{offset:02d}", clock_in, minutes, last_day)
            if clock_out is None:
                continue
            previous_out = clock_out
            # §6: a second shift the same day, after a gap that is no meal
            # period (under 30 min), a meal period, or a split (over 60 min)
            if restaurant and draw(st.integers(0, 5)) < (2 if state in ("CA", "NY") else 1):
                gap = draw(SAME_DAY_GAPS)
                second_out = add(
                    f"E{sid}-{offset:02d}-2",
                    clock_out + dt.timedelta(minutes=gap),
                    3 * draw(st.integers(20, 160)),
                    last_day,
                )
                if second_out is not None:
                    clock_out = previous_out = second_out
            free_from = clock_out + dt.timedelta(minutes=3 * draw(st.integers(1, 100)))

        for n in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
            adjustments.append(
                ref.Adjustment(
                    tid,
                    f"A{sid}-{n}",
                    sid,
                    first + dt.timedelta(days=draw(st.integers(0, (last - first).days))),
                    draw(st.sampled_from(["bonus", "bonus", "discretionary_bonus"])),
                    draw(_cents(5, 400)),
                )
            )
        for kind, high in (("retirement_401k", 300), ("section_125", 120), ("post_tax", 80)):
            if draw(st.integers(0, 3)) == 0:
                starts = draw(st.sampled_from([start_of_year, first + dt.timedelta(days=5)]))
                ends = draw(st.sampled_from([None, None, last - dt.timedelta(days=6)]))
                if ends is not None and ends < starts:
                    ends = None
                deductions.append(
                    ref.Deduction(tid, sid, kind, draw(_cents(1, high)), starts, ends)
                )
        if draw(st.integers(0, 4)) == 0:
            ss = D(draw(st.one_of(st.integers(0, 184_500), st.integers(183_000, 186_000))))
            medicare = ss + D(draw(st.sampled_from([0, 500, 15_000, 30_000])))
            openings.append(
                ref.YtdOpening(
                    tid,
                    sid,
                    2026,
                    gross_wages=medicare,
                    social_security_wages=ss,
                    medicare_wages=medicare,
                    futa_wages=D(draw(st.sampled_from([0, 3000, 6900, 7000, 9000]))),
                    sdi_wages=medicare,
                )
            )

    inputs = ref.Inputs(
        tenants=[tenant],
        locations=[location],
        staff=staff,
        pay_rates=pay_rates,
        attendance=shifts,
        adjustments=adjustments,
        deductions=deductions,
        ytd_opening=openings,
    )
    return inputs, not restaurant


def generate_cases(count: int) -> list[tuple[ref.Inputs, bool]]:
    """``count`` cases from hypothesis, derandomized: the same batch on every run.

    Each case is one hypothesis example (a batch in one example would exceed
    hypothesis' per-example data budget); the examples are collected and the
    pipeline runs once on all of them.

    Hypothesis follows each example it generates with up to 5 mutants of it
    (one span of its draws copied over another of the same kind), so that 5
    cases in 6 would be near copies of another one. It copies no span inside
    a unique collection, so each case is drawn as the element of a unique
    list of one: every case is its own random example.
    """
    drawn: list[tuple[ref.Inputs, bool]] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(cases(), min_size=1, max_size=1, unique_by=id).map(lambda one: one[0]))
    def collect(case: tuple[ref.Inputs, bool]) -> None:
        drawn.append(case)

    collect()
    assert len(drawn) >= count, f"hypothesis drew {len(drawn)} cases, not {count}"
    return drawn[:count]


# ---------------------------------------------------------------- derived cases


def renamed(case: ref.Inputs, tenant_id: str) -> ref.Inputs:
    return ref.Inputs(
        **{
            f.name: [dataclasses.replace(row, tenant_id=tenant_id) for row in getattr(case, f.name)]
            for f in dataclasses.fields(case)
        }
    )


def split_shifts(case: ref.Inputs, seed: int) -> ref.Inputs:
    """Every shift cut at a random minute of the 3-minute grid into two
    consecutive shifts: a 0-minute gap, neither a meal period nor a split
    shift, and the same spread (CONTRACT §6). The break stays with the first
    one (it comes off the first part either way), and so do the tips (they
    belong to the work date of the clock-in, the first piece's).

    A shift with a break of 30 minutes or more is a meal period on every work
    date it has a part on; it is cut after its last local midnight, so that
    the second piece (no break) takes no work date away from it."""
    rnd = random.Random(seed)
    zones = {loc.location_id: loc.timezone for loc in case.locations}
    shifts: list[ref.Shift] = []
    for shift in case.attendance:
        minutes = (shift.clock_out - shift.clock_in) // dt.timedelta(minutes=1)
        low = shift.break_minutes + 3
        if shift.break_minutes >= ref.MEAL_BREAK_MINUTES:
            last_part = ref.split_at_local_midnight(shift, zones[shift.location_id])[-1]
            low = max(low, (last_part.start - shift.clock_in) // dt.timedelta(minutes=1) + 3)
        cuts = range(low, minutes - 2, 3)
        if not cuts:
            shifts.append(shift)
            continue
        middle = shift.clock_in + dt.timedelta(minutes=rnd.choice(cuts))
        shifts.append(dataclasses.replace(shift, event_id=shift.event_id + "a", clock_out=middle))
        shifts.append(
            dataclasses.replace(
                shift,
                event_id=shift.event_id + "b",
                clock_in=middle,
                break_minutes=0,
                cash_tips=D(0),
                card_tips=D(0),
            )
        )
    return dataclasses.replace(case, attendance=shifts)


def doubled(case: ref.Inputs) -> ref.Inputs:
    """Every rate and every bonus twice as high."""
    return dataclasses.replace(
        case,
        pay_rates=[dataclasses.replace(r, hourly_rate=2 * r.hourly_rate) for r in case.pay_rates],
        adjustments=[dataclasses.replace(a, amount=2 * a.amount) for a in case.adjustments],
    )


def has_restaurant_input(case: ref.Inputs) -> bool:
    """Whether the case has any CONTRACT §6 input: a tip, a tip_credit rate, a locality."""
    return (
        any(s.cash_tips or s.card_tips for s in case.attendance)
        or any(r.tip_credit for r in case.pay_rates)
        or any(loc.locality for loc in case.locations)
    )


def build_batch(count: int) -> tuple[dict[str, ref.Inputs], set[str]]:
    """Base cases ``c000``…, plus ``-split`` and ``-double`` variants of some;
    and the names of the base cases drawn without §6.

    Only cases without §6 input are doubled: a minimum wage, a tip credit or a
    spread-of-hours premium does not double with the rates."""
    batch: dict[str, ref.Inputs] = {}
    quiet: set[str] = set()
    for index, (case, drawn_quiet) in enumerate(generate_cases(count)):
        name = f"c{index:03d}"
        if drawn_quiet:
            quiet.add(name)
        batch[name] = renamed(case, name)
        if index % 4 == 0:
            batch[name + "-split"] = renamed(split_shifts(case, index), name + "-split")
        state = case.locations[0].jurisdiction
        if index % 2 == 1 and state != "NV" and not has_restaurant_input(case):
            batch[name + "-double"] = renamed(doubled(case), name + "-double")
    return {**batch, **HAND_CASES}, quiet


def _one_staff_case(
    tenant_id: str, anchor: dt.date, workweek: str, rate: str, shifts: list[tuple[str, str]]
) -> ref.Inputs:
    """A Texas tenant (FLSA only), weekly pay, one hourly staff member."""
    zone = ZoneInfo("America/Chicago")
    return ref.Inputs(
        tenants=[ref.Tenant(tenant_id, "weekly", anchor, workweek, 5)],
        locations=[ref.Location(tenant_id, "L1", "America/Chicago", "TX")],
        staff=[ref.Staff(tenant_id, "S1", "L1", "hourly", hired_on=dt.date(2025, 1, 6))],
        pay_rates=[ref.PayRate(tenant_id, None, "cook", D(rate), dt.date(2026, 1, 1))],
        attendance=[
            ref.Shift(
                tenant_id,
                f"E{n}",
                "S1",
                "L1",
                "cook",
                dt.datetime.fromisoformat(start).replace(tzinfo=zone),
                dt.datetime.fromisoformat(end).replace(tzinfo=zone),
            )
            for n, (start, end) in enumerate(shifts)
        ],
    )


HAND_CASES = {
    # 4 × 11 h Wednesday–Saturday: 4 h of overtime in the workweek ending on
    # Tuesday 06-16, which lies in the pay period 06-14..06-20, after the last punch.
    "x-lastweek": _one_staff_case(
        "x-lastweek",
        dt.date(2026, 6, 7),
        "wednesday",
        "20.00",
        [(f"2026-06-{d}T09:00:00", f"2026-06-{d}T20:00:00") for d in (10, 11, 12, 13)],
    ),
    # 1 h 41 min at $12.30 = 101/60 × 12.30 = $20.705 exactly, so $20.71.
    "x-minute": _one_staff_case(
        "x-minute",
        dt.date(2026, 5, 3),
        "sunday",
        "12.30",
        [("2026-05-04T09:00:00", "2026-05-04T10:41:00")],
    ),
}


def merged(batch: dict[str, ref.Inputs]) -> ref.Inputs:
    out = ref.Inputs()
    for case in batch.values():
        for f in dataclasses.fields(out):
            getattr(out, f.name).extend(getattr(case, f.name))
    return out


# ---------------------------------------------------------------- CSV files


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row(kind: str, row: object) -> dict[str, object]:
    values = dataclasses.asdict(row)
    if kind in ("tenants", "locations"):
        values["name"] = values["tenant_id"]
    if kind == "staff":
        values["full_name"] = f"{values['staff_id']} of {values['tenant_id']}"
    if kind == "attendance":
        zone = ZoneInfo("America/New_York")
        values["clock_in"] = row.clock_in.astimezone(zone)  # any offset is the same instant
        values["updated_at"] = row.clock_out + dt.timedelta(hours=1)
    return values


def write_csvs(inputs: ref.Inputs, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, columns in COLUMNS.items():
        with (folder / f"{kind}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in getattr(inputs, kind):
                values = _row(kind, row)
                writer.writerow([_cell(values[c]) for c in columns])


# ---------------------------------------------------------------- the pipeline


def dbt_build(url: str, target: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [
            DBT,
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(target),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _select(url: str, sql: str) -> tuple[list[str], list[dict[str, object]]]:
    """The column names and the rows of a query."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql)
            return [c.name for c in cur.description], [dict(row) for row in cur.fetchall()]
    finally:
        conn.close()


@dataclasses.dataclass
class Computed:
    batch: dict[str, ref.Inputs]
    drawn_quiet: set[str]  # the base cases drawn without §6
    expected: ref.Result  # the reference, CONTRACT §4 and §6, every case
    by_case: dict[str, ref.Result]  # the same, per case
    section_4: dict[str, ref.Result]  # the reference in its §4-only mode, §6-free cases
    rules: dict[str, set[str]]  # the §6 rules each case trips (RULES)
    payroll: dict[tuple, dict[str, object]]
    workweeks: dict[tuple, dict[str, object]]
    premiums: dict[tuple, dict[str, object]] | None  # None: no build.fct_pay_premiums
    premiums_error: str | None
    columns: dict[str, list[str]]  # of each build table read
    exceptions: list[dict[str, object]]
    rejected: list[dict[str, object]]

    @property
    def section_6_free(self) -> set[str]:
        """The cases with no §6 input that trip no §6 rule."""
        return {name for name, rules in self.rules.items() if not rules & SECTION_6_TRIGGERS}


def merged_result(results: dict[str, ref.Result]) -> ref.Result:
    out = ref.Result({}, {}, {})
    for result in results.values():
        out.payroll.update(result.payroll)
        out.workweeks.update(result.workweeks)
        out.premiums.update(result.premiums)
    return out


def run_batch(
    batch: dict[str, ref.Inputs], drawn_quiet: set[str], url: str, folder: Path
) -> Computed:
    inputs = merged(batch)
    write_csvs(inputs, folder / "input")
    ingest_paths(url, [folder / "input"])
    # the calendar spans the cases' data only, as the reference does: its
    # clock is set before every case (a tenant's periods through "today"
    # would pay salaries the reference never computes)
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "insert into control.pay_calendar (only_row, as_of) values (true, '2000-01-01') "
            "on conflict (only_row) do update set as_of = excluded.as_of"
        )
    conn.close()
    result = dbt_build(url, folder / "target")
    assert result.returncode == 0, result.stdout[-6000:]
    columns: dict[str, list[str]] = {}
    columns["fct_payroll"], payroll_rows = _select(url, "select * from build.fct_payroll")
    columns["fct_workweek_hours"], week_rows = _select(
        url, "select * from build.fct_workweek_hours"
    )
    try:
        columns["fct_pay_premiums"], premium_rows = _select(
            url, "select * from build.fct_pay_premiums"
        )
        premiums, premiums_error = {}, None
        for r in premium_rows:
            premiums[r["tenant_id"], r["staff_id"], r["work_date"], r["kind"]] = r
    except psycopg2.errors.UndefinedTable as error:  # a clear failure in the premium tests
        premiums, premiums_error = None, str(error).strip()
    # The reference per case (a tenant is computed on its own either way).
    by_case = {name: ref.compute(case, TABLES, MINIMUM_WAGES) for name, case in batch.items()}
    rules = {name: rules_tripped(batch[name], by_case[name]) for name in batch}
    return Computed(
        batch=batch,
        drawn_quiet=drawn_quiet,
        expected=merged_result(by_case),
        by_case=by_case,
        section_4={
            name: ref.compute(batch[name], TABLES)
            for name, tripped in rules.items()
            if not tripped & SECTION_6_TRIGGERS
        },
        rules=rules,
        payroll={(r["tenant_id"], r["staff_id"], r["period_start"]): r for r in payroll_rows},
        workweeks={(r["tenant_id"], r["staff_id"], r["workweek_start"]): r for r in week_rows},
        premiums=premiums,
        premiums_error=premiums_error,
        columns=columns,
        exceptions=_select(url, "select * from build.fct_attendance_exceptions")[1],
        rejected=_select(url, "select * from raw.rejected_rows")[1],
    )


@pytest.fixture(scope="module")
def computed(make_database, tmp_path_factory) -> Computed:
    url = make_database("differential")
    batch, drawn_quiet = build_batch(CASES)
    return run_batch(batch, drawn_quiet, url, tmp_path_factory.mktemp("differential"))


# ---------------------------------------------------------------- the §6 rules a case trips


# The §6 rules (and near misses) a case can trip, each with the least number
# of drawn cases that must trip it: about half of what the draw gives today
# (the derandomized draw is the same on every run), so that a change to the
# strategies cannot silently stop covering a rule.
RULES = {
    "cash_tips": ("cash tips reported", 60),
    "card_tips": ("card tips paid out", 60),
    "tip_credit": ("a tip credit taken", 18),
    "tips_short": ("a tipped week whose tips fall short of the tip-credit capacity", 14),
    "tips_cover": ("a tipped week whose tips cover the tip-credit capacity", 14),
    "tip_credit_not_allowed_there": ("a tip_credit rate where the law allows none", 20),
    "makeup": ("a minimum-wage make-up", 45),
    "makeup_with_tip_credit": ("a make-up on top of a tip credit", 15),
    "overtime_with_tip_credit_or_makeup": ("overtime, its regular rate with them", 35),
    "locality": ("a locality's minimum wage changes the pay", 11),
    "minimum_wage_change": ("a minimum wage change inside the case, with make-up", 6),
    "meal_period": ("a CA meal-period premium", 12),
    "meal_break_by_break": ("a CA day over 6 h with a 30-minute break: no premium", 12),
    "meal_break_by_gap": ("a CA day over 6 h with a 30-minute gap only: no premium", 12),
    "split_shift": ("a CA split-shift premium", 11),
    "split_shift_paid_enough": ("a CA split shift whose straight time covers the premium", 4),
    "spread_of_hours": ("a NY spread-of-hours premium", 11),
    "uncollected_taxes": ("uncollected Social Security or Medicare (cash short)", 17),
    "qualified_overtime": ("qualified overtime (informational)", 55),
    "qualified_overtime_differs": ("qualified overtime unlike the state's premium", 20),
}


# What makes a case not §6-free: a §6 input, or a rule that changes the pay
# (CONTRACT §6: "data that trips no new rule ... computes exactly as before").
# A CA split shift counts even when its premium is 0.
SECTION_6_TRIGGERS = {
    "section_6_input",
    "tip_credit",
    "makeup",
    "meal_period",
    "split_shift",
    "split_shift_paid_enough",
    "spread_of_hours",
}


def _workdays(case: ref.Inputs) -> dict[tuple[str, dt.date], list[ref.ShiftPart]]:
    """The parts of every workday of the non-exempt hourly staff."""
    zones = {loc.location_id: loc.timezone for loc in case.locations}
    eligible = {s.staff_id for s in case.staff if s.pay_type == "hourly" and not s.flsa_exempt}
    days: dict[tuple[str, dt.date], list[ref.ShiftPart]] = defaultdict(list)
    for shift in case.attendance:
        if shift.staff_id in eligible:
            for part in ref.split_at_local_midnight(shift, zones[shift.location_id]):
                days[shift.staff_id, part.work_date].append(part)
    return days


def rules_tripped(case: ref.Inputs, result: ref.Result) -> set[str]:
    """The §6 rules (RULES) the case trips, read off the reference's result
    (and, for the inputs' side, off the inputs); plus ``section_6_input`` when
    the case has any §6 input."""
    weeks = list(result.workweeks.values())
    pay = list(result.payroll.values())
    found = {kind for (*_, kind) in result.premiums}
    checks = {
        "cash_tips": any(p.cash_tips_reported > 0 for p in pay),
        "card_tips": any(p.card_tips_pay > 0 for p in pay),
        "tip_credit": any(w.tip_credit > 0 for w in weeks),
        "tips_short": any(0 < w.tip_credit == w.tips for w in weeks),
        "tips_cover": any(0 < w.tip_credit < w.tips for w in weeks),
        "makeup": any(w.minimum_wage_makeup_pay > 0 for w in weeks),
        "makeup_with_tip_credit": any(
            w.minimum_wage_makeup_pay > 0 and w.tip_credit > 0 for w in weeks
        ),
        "overtime_with_tip_credit_or_makeup": any(
            w.overtime_hours + w.double_time_hours > 0
            and w.tip_credit + w.minimum_wage_makeup_pay > 0
            for w in weeks
        ),
        "uncollected_taxes": any(
            p.uncollected_social_security_tax + p.uncollected_medicare_tax > 0 for p in pay
        ),
        "qualified_overtime": any(w.qualified_overtime_premium > 0 for w in weeks),
        "qualified_overtime_differs": any(
            0 < w.qualified_overtime_premium != w.overtime_premium_pay for w in weeks
        ),
        "section_6_input": has_restaurant_input(case),
    }
    tripped = {rule for rule, hit in checks.items() if hit} | found
    location = case.locations[0]
    if any(r.tip_credit for r in case.pay_rates):
        days = {p.work_date for parts in _workdays(case).values() for p in parts}
        if any(MINIMUM_WAGES.of(location, day).max_tip_credit is None for day in days):
            tripped.add("tip_credit_not_allowed_there")
    if location.locality:
        plain = dataclasses.replace(
            case, locations=[dataclasses.replace(loc, locality=None) for loc in case.locations]
        )
        if ref.compute(plain, TABLES, MINIMUM_WAGES) != result:
            tripped.add("locality")
    if "makeup" in tripped:
        dates = [p.work_date for parts in _workdays(case).values() for p in parts]
        changes = _minimum_wage_changes(location.jurisdiction, location.locality)
        if any(min(dates) < change <= max(dates) for change in changes):
            tripped.add("minimum_wage_change")
    if location.jurisdiction == "CA":
        tid = location.tenant_id
        for (staff_id, day), parts in _workdays(case).items():
            parts.sort(key=lambda p: p.start)
            seconds = sum(p.seconds for p in parts)
            gaps = [b.start - a.end for a, b in itertools.pairwise(parts)]
            meal_gap = any(g >= dt.timedelta(minutes=ref.MEAL_BREAK_MINUTES) for g in gaps)
            if seconds > ref.MEAL_PERIOD_HOURS * ref.HOUR:
                if any(p.shift.break_minutes >= ref.MEAL_BREAK_MINUTES for p in parts):
                    tripped.add("meal_break_by_break")
                elif meal_gap:
                    tripped.add("meal_break_by_gap")
            split = any(g > dt.timedelta(minutes=ref.SPLIT_SHIFT_GAP_MINUTES) for g in gaps)
            if split and (tid, staff_id, day, "split_shift") not in result.premiums:
                tripped.add("split_shift_paid_enough")
    return tripped


# ---------------------------------------------------------------- comparing


SECTION_4_PAYROLL_COLUMNS = (
    "location_id",
    "period_end",
    "pay_date",
    *ref.PAYROLL_HOURS_COLUMNS,
    *ref.PAYROLL_MONEY_COLUMNS,
)
PAYROLL_COLUMNS = (*SECTION_4_PAYROLL_COLUMNS, *ref.RESTAURANT_PAYROLL_MONEY_COLUMNS)
SECTION_4_WORKWEEK_COLUMNS = (
    "period_start",
    "hours_worked",
    "overtime_hours",
    "double_time_hours",
    "straight_time_pay",
    "bonus_pay",
    "regular_rate",
    "overtime_premium_pay",
)
WORKWEEK_COLUMNS = (*SECTION_4_WORKWEEK_COLUMNS, *ref.RESTAURANT_WORKWEEK_COLUMNS)
PREMIUM_COLUMNS = ref.PREMIUM_COLUMNS


def _require(computed: Computed, table: str, columns: tuple[str, ...]) -> None:
    """Fail, naming them, when the pipeline's table lacks contract columns."""
    if table == "fct_pay_premiums" and computed.premiums is None:
        pytest.fail(
            f"build.fct_pay_premiums cannot be read (CONTRACT §6 Outputs): "
            f"{computed.premiums_error}"
        )
    missing = [c for c in dict.fromkeys(columns) if c not in computed.columns[table]]
    if missing:
        pytest.fail(f"build.{table} has no column(s) {missing} (CONTRACT §6 Outputs)")


def _describe(case: ref.Inputs) -> str:
    """The case's input rows, as they were written to the CSV files."""
    lines = []
    for kind, columns in COLUMNS.items():
        rows = getattr(case, kind)
        if rows:
            lines.append(f"  {kind}.csv: " + ",".join(columns))
            for row in rows:
                values = _row(kind, row)
                lines.append("    " + ",".join(_cell(values[c]) for c in columns))
    return "\n".join(lines)


def _differences(
    expected: dict[tuple, object], actual: dict[tuple, dict[str, object]], columns: tuple
) -> dict[str, list[str]]:
    """Per tenant (case), one line per differing row and column."""
    found: dict[str, list[str]] = defaultdict(list)
    for key in sorted(set(expected) | set(actual), key=str):
        tenant = key[0]
        if key not in actual:
            found[tenant].append(f"{key[1:]}: missing from the pipeline: {expected[key]}")
            continue
        if key not in expected:
            found[tenant].append(f"{key[1:]}: not expected, pipeline has {actual[key]}")
            continue
        want = dataclasses.asdict(expected[key])
        for column in columns:
            if want[column] != actual[key][column]:
                found[tenant].append(
                    f"{key[1:]} {column}: reference {want[column]} pipeline {actual[key][column]}"
                )
    return found


def _report(computed: Computed, found: dict[str, list[str]], limit: int = 6) -> str:
    parts = [f"{len(found)} case(s) differ: {sorted(found)}"]
    for tenant in sorted(found)[:limit]:
        rules = sorted(computed.rules.get(tenant, ()))
        parts.append(f"case {tenant} (§6: {', '.join(rules) or 'none'}):")
        parts.extend("  " + line for line in found[tenant][:20])
        parts.append(_describe(computed.batch[tenant]))
    return "\n".join(parts)


def _generated(rows: dict[tuple, object], tenants: set[str] | None = None) -> dict[tuple, object]:
    """The rows of the drawn cases (not the hand-made ``x-`` ones), or of ``tenants``."""
    return {
        key: row
        for key, row in rows.items()
        if not key[0].startswith("x-") and (tenants is None or key[0] in tenants)
    }


# ---------------------------------------------------------------- tests


def test_reference_pays_the_end_to_end_fixture_like_the_hand_computation():
    """The reference itself against the figures worked out by hand in
    ``test_end_to_end.py``."""
    inputs = _read_fixture(ROOT / "tests" / "fixtures" / "e2e")
    result = ref.compute(inputs, TABLES)
    s1 = result.payroll["acme", "S1", dt.date(2026, 3, 1)]
    assert (s1.gross_pay, s1.overtime_premium_pay, s1.federal_income_tax) == (
        D("588.00"),
        D("36.00"),
        D("28.64"),
    )
    assert (s1.social_security_tax, s1.medicare_tax, s1.net_pay, s1.futa_tax) == (
        D("36.46"),
        D("8.53"),
        D("514.37"),
        D("3.53"),
    )
    s2 = result.payroll["acme", "S2", dt.date(2026, 3, 1)]
    assert (s2.bonus_pay, s2.overtime_premium_pay, s2.gross_pay) == (
        D("46.00"),
        D("39.00"),
        D("637.00"),
    )
    assert result.workweeks["acme", "S3", dt.date(2026, 3, 1)].regular_rate == D("14.0000")
    b1 = result.payroll["brew", "B1", dt.date(2026, 3, 1)]
    assert (b1.pay_date, b1.federal_income_tax, b1.social_security_tax) == (
        dt.date(2026, 3, 19),
        D("96.15"),
        D("93.00"),
    )


def test_generated_cases_are_valid_and_every_shift_is_paid(computed):
    assert len([name for name in computed.batch if "-" not in name]) == CASES
    assert computed.rejected == []
    assert computed.exceptions == []


def _base_cases(computed: Computed) -> list[str]:
    return sorted(name for name in computed.batch if name.startswith("c") and "-" not in name)


def test_the_draw_covers_every_section_6_rule(computed):
    """How many of the drawn cases trip each §6 rule (printed; ``pytest -s``
    shows it), and at least RULES' minimum each, so that a change to the
    strategies cannot silently stop covering a rule."""
    bases = _base_cases(computed)
    counts = {rule: sum(rule in computed.rules[name] for name in bases) for rule in RULES}
    free = len(computed.section_6_free & set(bases))
    with_input = sum("section_6_input" in computed.rules[name] for name in bases)
    lines = [
        f"differential draw: {len(bases)} cases, {len(computed.batch)} tenants in the build; "
        f"{with_input} with §6 inputs, {free} §6-free",
        *(f"  {counts[rule]:4d}  {rule}: {what}" for rule, (what, _) in RULES.items()),
    ]
    print("\n" + "\n".join(lines))
    short = [
        f"{rule}: {counts[rule]} < {least}"
        for rule, (_, least) in RULES.items()
        if counts[rule] < least
    ]
    assert not short, "the draw no longer covers: " + "; ".join(short) + "\n" + "\n".join(lines)
    assert free >= SECTION_6_FREE_AT_LEAST, "\n".join(lines)


def test_cases_drawn_without_section_6_trip_no_section_6_rule(computed):
    """The strategies' §6-free cases are §6-free by the reference too."""
    tripping = {
        name: sorted(computed.rules[name] & SECTION_6_TRIGGERS)
        for name in computed.drawn_quiet
        if name not in computed.section_6_free
    }
    assert not tripping, tripping


def test_the_reference_computes_section_6_free_cases_as_section_4_alone(computed):
    """CONTRACT §6: data that trips no new rule computes exactly as before;
    every new column is 0 (qualified overtime, informational, aside)."""
    bad = []
    for name, before in computed.section_4.items():
        now = computed.by_case[name]
        if set(now.payroll) != set(before.payroll) or set(now.workweeks) != set(before.workweeks):
            bad.append((name, "rows differ"))
            continue
        bad += [
            (name, key, column)
            for key, row in now.payroll.items()
            for column in (*SECTION_4_PAYROLL_COLUMNS, *ref.RESTAURANT_PAYROLL_MONEY_COLUMNS)
            if getattr(row, column)
            != (
                getattr(before.payroll[key], column)
                if column != "qualified_overtime_premium"
                else row.qualified_overtime_premium
            )
        ]
        bad += [
            (name, key, column)
            for key, row in now.workweeks.items()
            for column in (*SECTION_4_WORKWEEK_COLUMNS, *ref.RESTAURANT_WORKWEEK_COLUMNS)
            if getattr(row, column)
            != (
                getattr(before.workweeks[key], column)
                if column != "qualified_overtime_premium"
                else row.qualified_overtime_premium
            )
        ]
        if now.premiums:
            bad.append((name, "premiums", sorted(now.premiums)))
    assert len(computed.section_4) >= SECTION_6_FREE_AT_LEAST
    assert not bad, bad[:10]


def test_payroll_matches_the_reference_to_the_cent(computed):
    _require(computed, "fct_payroll", PAYROLL_COLUMNS)
    found = _differences(
        _generated(computed.expected.payroll), _generated(computed.payroll), PAYROLL_COLUMNS
    )
    assert not found, _report(computed, found)


def test_workweek_hours_match_the_reference(computed):
    _require(computed, "fct_workweek_hours", WORKWEEK_COLUMNS)
    found = _differences(
        _generated(computed.expected.workweeks), _generated(computed.workweeks), WORKWEEK_COLUMNS
    )
    assert not found, _report(computed, found)


def test_pay_premiums_match_the_reference(computed):
    _require(computed, "fct_pay_premiums", PREMIUM_COLUMNS)
    found = _differences(
        _generated(computed.expected.premiums), _generated(computed.premiums), PREMIUM_COLUMNS
    )
    assert not found, _report(computed, found)


def test_section_6_free_cases_match_the_reference_in_every_section_5_column(computed):
    """The §4/§5 columns of the cases that trip no §6 rule: what the pipeline
    computed before §6, whatever the state of its §6 columns."""
    free = computed.section_6_free
    found = _differences(
        _generated(computed.expected.payroll, free),
        _generated(computed.payroll, free),
        SECTION_4_PAYROLL_COLUMNS,
    )
    found.update(
        _differences(
            _generated(computed.expected.workweeks, free),
            _generated(computed.workweeks, free),
            SECTION_4_WORKWEEK_COLUMNS,
        )
    )
    assert len(free & set(_base_cases(computed))) >= SECTION_6_FREE_AT_LEAST
    assert not found, _report(computed, found)


def test_both_identities_hold_on_every_row(computed):
    """CONTRACT §6 Outputs: gross = the sum of its parts, net = gross − cash
    tips − deductions and taxes; net never negative."""
    _require(computed, "fct_payroll", (*ref.GROSS_PARTS, *ref.NET_SUBTRACTS))
    bad = []
    for key, row in computed.payroll.items():
        gross = sum(row[c] for c in ref.GROSS_PARTS)
        net = row["gross_pay"] - sum(row[c] for c in ref.NET_SUBTRACTS)
        if gross != row["gross_pay"] or net != row["net_pay"]:
            bad.append((key, gross, row["gross_pay"], net, row["net_pay"]))
        if row["net_pay"] < 0:
            bad.append((key, "negative net pay", row["net_pay"]))
    assert not bad, bad[:10]


def _aligned(case: ref.Inputs) -> bool:
    """Whether every workweek lies inside one pay period (weekly or biweekly
    periods starting on the workweek's first day); otherwise a period may hold
    the overtime of a workweek whose hours were mostly in the previous one."""
    tenant = case.tenants[0]
    return (
        tenant.pay_frequency in ("weekly", "biweekly")
        and ref.WEEKDAYS[tenant.period_anchor.weekday()] == tenant.workweek_start
    )


def test_overtime_never_exceeds_hours_worked(computed):
    bad = [
        ("workweek", key)
        for key, row in computed.workweeks.items()
        if row["overtime_hours"] + row["double_time_hours"] > row["hours_worked"]
    ]
    totals: dict[tuple, list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for key, row in computed.payroll.items():
        totals[key[:2]][0] += row["hours_worked"]
        totals[key[:2]][1] += row["overtime_hours"] + row["double_time_hours"]
        if (
            _aligned(computed.batch[key[0]])
            and row["overtime_hours"] + row["double_time_hours"] > row["hours_worked"]
        ):
            bad.append(("period", key))
    bad += [("all periods", key) for key, (worked, extra) in totals.items() if extra > worked]
    assert not bad, bad[:10]


WEEKLY_TOTALS = (
    "hours_worked",
    "overtime_hours",
    "double_time_hours",
    "straight_time_pay",
    "overtime_premium_pay",
    "regular_rate",
)


def _weekly(
    computed: Computed, tenant: str, columns: tuple[str, ...] = WEEKLY_TOTALS
) -> dict[tuple, tuple]:
    return {
        (key[1], key[2]): tuple(row[c] for c in columns)
        for key, row in computed.workweeks.items()
        if key[0] == tenant
    }


def _per_period(computed: Computed, tenant: str, columns: tuple[str, ...]) -> dict[tuple, tuple]:
    return {
        (key[1], key[2]): tuple(row[c] for c in columns)
        for key, row in computed.payroll.items()
        if key[0] == tenant
    }


def _split_pairs(computed: Computed) -> list[tuple[str, str]]:
    pairs = [(name[: -len("-split")], name) for name in computed.batch if name.endswith("-split")]
    assert len(pairs) >= CASES // 4
    return pairs


def test_splitting_a_shift_changes_no_weekly_total(computed):
    bad = []
    for base, split in _split_pairs(computed):
        if _weekly(computed, base) != _weekly(computed, split):
            bad.append((base, _weekly(computed, base), _weekly(computed, split)))
        columns = ("hours_worked", "overtime_hours", "double_time_hours", "gross_pay", "net_pay")
        if _per_period(computed, base, columns) != _per_period(computed, split, columns):
            bad.append((base, "fct_payroll differs"))
    assert not bad, bad[:5]


def _premiums_of(result: dict[tuple, object], tenant: str) -> dict[tuple, tuple]:
    def value(row, column):
        return row[column] if isinstance(row, dict) else getattr(row, column)

    return {
        key[1:]: tuple(value(row, c) for c in PREMIUM_COLUMNS)
        for key, row in result.items()
        if key[0] == tenant
    }


def test_splitting_a_shift_changes_no_section_6_total(computed):
    """A 0-minute gap is neither a meal period nor a split shift, the spread
    is the same and the tips stay on the first piece (CONTRACT §6)."""
    _require(computed, "fct_workweek_hours", ref.RESTAURANT_WORKWEEK_COLUMNS)
    _require(computed, "fct_payroll", ref.RESTAURANT_PAYROLL_MONEY_COLUMNS)
    _require(computed, "fct_pay_premiums", PREMIUM_COLUMNS)
    bad = []
    for base, split in _split_pairs(computed):
        columns = ref.RESTAURANT_WORKWEEK_COLUMNS
        if _weekly(computed, base, columns) != _weekly(computed, split, columns):
            bad.append((base, "fct_workweek_hours differs"))
        columns = ref.RESTAURANT_PAYROLL_MONEY_COLUMNS
        if _per_period(computed, base, columns) != _per_period(computed, split, columns):
            bad.append((base, "fct_payroll differs"))
        if _premiums_of(computed.premiums, base) != _premiums_of(computed.premiums, split):
            bad.append((base, "fct_pay_premiums differs"))
    assert not bad, bad[:5]


def test_the_reference_pays_a_split_case_like_its_base(computed):
    """The metamorphic invariant holds in the reference, §6 included, so
    that the pipeline's split cases test the pipeline."""

    def rows(result: dict[tuple, object], tenant: str) -> dict[tuple, dict]:
        return {
            key[1:]: {**dataclasses.asdict(row), "tenant_id": None}
            for key, row in result.items()
            if key[0] == tenant
        }

    bad = []
    for base, split in _split_pairs(computed):
        one, two = computed.by_case[base], computed.by_case[split]
        for table in ("payroll", "workweeks", "premiums"):
            if rows(getattr(one, table), base) != rows(getattr(two, table), split):
                bad.append((base, table))
    assert not bad, bad[:10]


def test_doubling_every_rate_doubles_straight_time_and_premium(computed):
    """On cases that trip no §6 rule: a minimum wage does not double."""
    pairs = [
        (name[: -len("-double")], name)
        for name in computed.batch
        if name.endswith("-double") and name[: -len("-double")] in computed.section_6_free
    ]
    assert len(pairs) >= CASES // 8
    bad = [(twice, "trips a §6 rule") for _, twice in pairs if twice not in computed.section_6_free]
    for base, twice in pairs:
        state = computed.batch[base].locations[0].jurisdiction
        columns = ("straight_time_pay", "overtime_premium_pay")
        one, two = _per_period(computed, base, columns), _per_period(computed, twice, columns)
        weeks_one = {k: v[3:5] for k, v in _weekly(computed, base).items()}
        weeks_two = {k: v[3:5] for k, v in _weekly(computed, twice).items()}
        hours_one = {k: v[:3] for k, v in _weekly(computed, base).items()}
        hours_two = {k: v[:3] for k, v in _weekly(computed, twice).items()}
        if set(one) != set(two) or set(weeks_one) != set(weeks_two) or hours_one != hours_two:
            bad.append((base, state, "rows or hours differ"))
            continue
        for key in one:
            for a, b in zip(one[key], two[key], strict=True):
                if abs(2 * a - b) > CENT:
                    bad.append((base, state, "period", key, a, b))
        for key in weeks_one:
            for a, b in zip(weeks_one[key], weeks_two[key], strict=True):
                if abs(2 * a - b) > CENT:
                    bad.append((base, state, "week", key, a, b))
    assert not bad, bad[:10]


def test_overtime_of_a_workweek_ending_after_the_last_punch_is_paid(computed):
    """CONTRACT §4: overtime belongs to the period holding the workweek's last
    day, even when nobody punches in that period (a last week before leaving)."""
    tenant, week = "x-lastweek", ("x-lastweek", "S1", dt.date(2026, 6, 10))
    expected = computed.expected.workweeks[week]
    assert (expected.overtime_hours, expected.overtime_premium_pay) == (D("4"), D("40.00"))
    assert expected.period_start == dt.date(2026, 6, 14)
    paid = [row for key, row in computed.payroll.items() if key[0] == tenant]
    assert sum(row["straight_time_pay"] for row in paid) == D("880.00")
    assert computed.workweeks.get(week, {}).get("period_start") == dt.date(2026, 6, 14), (
        f"workweek row: {computed.workweeks.get(week)}"
    )
    assert (
        sum(row["overtime_hours"] for row in paid),
        sum(row["overtime_premium_pay"] for row in paid),
    ) == (D("4"), D("40.00")), f"fct_payroll rows: {paid}"


def test_a_one_minute_shift_is_paid_exactly(computed):
    """1 h 41 min at $12.30 is exactly $20.705: half-up, $20.71 (CONTRACT §4
    Rounding: compute exactly, round once)."""
    key = ("x-minute", "S1", dt.date(2026, 5, 3))
    assert computed.expected.payroll[key].straight_time_pay == D("20.71")
    row = computed.payroll[key]
    assert (row["hours_worked"], row["straight_time_pay"]) == (D("1.6833"), D("20.71"))


# ---------------------------------------------------------------- reading the e2e fixture


def _read_fixture(folder: Path) -> ref.Inputs:
    def rows(name: str) -> list[dict[str, str]]:
        path = folder / f"{name}.csv"
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def date(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return ref.Inputs(
        tenants=[
            ref.Tenant(
                r["tenant_id"],
                r["pay_frequency"],
                date(r["period_anchor"]),
                r["workweek_start"],
                int(r["pay_date_lag_days"] or 5),
            )
            for r in rows("tenants")
        ],
        locations=[
            ref.Location(r["tenant_id"], r["location_id"], r["timezone"], r["jurisdiction"])
            for r in rows("locations")
        ],
        staff=[
            ref.Staff(
                r["tenant_id"],
                r["staff_id"],
                r["home_location_id"],
                r["pay_type"],
                r["flsa_exempt"] == "true",
                D(r["annual_salary"]) if r["annual_salary"] else None,
                r["filing_status"],
                r["w4_step2"] == "true",
                D(r["w4_dependents"] or 0),
                D(r["w4_other_income"] or 0),
                D(r["w4_deductions"] or 0),
                D(r["w4_extra_withholding"] or 0),
                date(r["hired_on"]),
                date(r["terminated_on"]),
            )
            for r in rows("staff")
        ],
        pay_rates=[
            ref.PayRate(
                r["tenant_id"],
                r["staff_id"] or None,
                r["role"],
                D(r["hourly_rate"]),
                date(r["effective_from"]),
                date(r["effective_to"]),
            )
            for r in rows("pay_rates")
        ],
        attendance=[
            ref.Shift(
                r["tenant_id"],
                r["event_id"],
                r["staff_id"],
                r["location_id"],
                r["role"],
                dt.datetime.fromisoformat(r["clock_in"]),
                dt.datetime.fromisoformat(r["clock_out"]),
                int(r["break_minutes"] or 0),
            )
            for r in rows("attendance")
        ],
        adjustments=[
            ref.Adjustment(
                r["tenant_id"],
                r["adjustment_id"],
                r["staff_id"],
                date(r["work_date"]),
                r["kind"],
                D(r["amount"]),
            )
            for r in rows("adjustments")
        ],
    )
