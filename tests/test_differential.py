"""Differential test: the dbt pipeline against the pure-Python reference
calculator (``tests/reference/payroll.py``) on a batch of random cases.

One case is one tenant: one location in a random state and time zone, 1–3
staff, 1–2 roles with rates (sometimes changing mid-week), a random pay
calendar and workweek, 1–3 weeks of shifts (overnight, on DST nights),
bonuses, deductions and year-to-date openings. Cases are drawn by hypothesis
(derandomized, so the batch is the same on every run), written to one set of
CSV files, ingested once and computed by ONE ``dbt build`` with nothing selected, which
computes every tenant and every period. Every row of ``build.fct_payroll`` and
``build.fct_workweek_hours`` must equal the reference to the cent.

The same batch carries derived tenants for metamorphic invariants:
``<case>-split`` (every shift cut in two consecutive shifts at a random
minute) must pay exactly what its base case pays, and ``<case>-double``
(every rate and bonus doubled) must pay twice the straight time and premium.

Clock times and breaks are multiples of 3 minutes, so that every hour
figure is a finite decimal (3 min = 0.05 h): the pipeline keeps hours to the
microhour, and a one-minute grid would test that rounding rather than the
pay rules (see ``test_a_one_minute_shift_is_paid_exactly``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib.util
import os
import random
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import psycopg2.extras
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dagster_project.ingest.loader import ingest_paths
from dagster_project.lib.database import dbt_env
from tests.reference.contract import CONTRACT_COLUMNS


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

STATE_ZONES = {
    "CA": "America/Los_Angeles",
    "TX": "America/Chicago",
    "NY": "America/New_York",
    "NV": "America/Los_Angeles",
    "AK": "America/Anchorage",
    "CO": "America/Denver",
    "FL": "America/New_York",
    "WA": "America/Los_Angeles",
}
ZONES = sorted({*STATE_ZONES.values(), "America/Phoenix", "Pacific/Honolulu"})
DST_DAYS = (dt.date(2026, 3, 8), dt.date(2026, 11, 1))
FIRST_DAY = dt.date(2026, 1, 5)
LAST_DAY = dt.date(2026, 11, 10)  # every punch in the past, every pay date in 2026
ROLES = ("cook", "server")
FLSA_ONLY = {"TX", "NY", "FL", "WA"}

COLUMNS = CONTRACT_COLUMNS


# ---------------------------------------------------------------- strategies


def _cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Dollars between low and high, to the cent."""
    return st.integers(low * 100, high * 100).map(lambda c: D(c).scaleb(-2))


def _local(day: dt.date, minute: int, zone: ZoneInfo) -> dt.datetime:
    """A UTC instant from a local wall time (a time skipped by DST moves on)."""
    wall = dt.datetime(day.year, day.month, day.day, tzinfo=zone) + dt.timedelta(minutes=minute)
    return wall.astimezone(UTC)


@st.composite
def _window(draw) -> tuple[dt.date, int, dt.date | None]:
    """First day and number of weeks of shifts, and the DST night to cover."""
    weeks = draw(st.integers(1, 3))
    days = 7 * weeks
    dst = draw(st.sampled_from([None, None, *DST_DAYS]))
    if dst is None:
        first = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, (LAST_DAY - FIRST_DAY).days)))
    else:
        first = dst - dt.timedelta(days=draw(st.integers(1, days - 1)))
    first = min(first, LAST_DAY - dt.timedelta(days=days - 1))
    return first, weeks, dst


@st.composite
def cases(draw) -> ref.Inputs:
    """One tenant, every row valid and every shift payable."""
    tid = "T"
    state = draw(st.sampled_from(sorted(STATE_ZONES)))
    zone_name = draw(st.sampled_from([STATE_ZONES[state]] * 3 + ZONES))
    zone = ZoneInfo(zone_name)
    frequency = draw(st.sampled_from(["weekly", "biweekly", "semimonthly", "monthly"]))
    first, weeks, dst = draw(_window())
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
    location = ref.Location(tid, "L1", zone_name, state)

    # Nevada's daily rule depends on the rate: keep a tenant's rates on one side of $18.
    if state == "NV" and draw(st.booleans()):
        rate = _cents(18, 40)
    elif state == "NV":
        rate = _cents(8, 17).filter(lambda r: r < 18)
    else:
        rate = st.one_of(
            _cents(8, 40),
            st.integers(80000, 400000).map(lambda c: D(c).scaleb(-4)),  # a 4-decimal rate
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
        if not salaried and draw(st.integers(0, 4)) == 0:
            pay_rates.append(ref.PayRate(tid, sid, works[0], draw(rate), start_of_year))

        # Shifts: a day is worked with this staff member's own probability.
        busy = draw(st.sampled_from([0.3, 0.6, 0.9, 1.0]))
        free_from = _local(first, 0, zone)
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
            clock_out = clock_in + dt.timedelta(minutes=minutes)
            if last_day:
                clock_out = min(clock_out, _local(last, 24 * 60 - 3, zone))
                minutes = (clock_out - clock_in) // dt.timedelta(minutes=1)
                if minutes < 3:
                    continue
            if hired and clock_in.astimezone(zone).date() < hired:
                continue
            end_day = clock_out.astimezone(zone).date()
            if end_day > min(last, terminated or last):
                continue
            pause = 3 * draw(st.integers(0, 20)) if draw(st.booleans()) else 0
            pause = max(0, min(pause, minutes - 3))
            shifts.append(
                ref.Shift(
                    tid,
                    f"E{sid}-{offset:02d}",
                    sid,
                    "L1",
                    draw(st.sampled_from(works)),
                    clock_in,
                    clock_out,
                    pause,
                )
            )
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

    return ref.Inputs(
        tenants=[tenant],
        locations=[location],
        staff=staff,
        pay_rates=pay_rates,
        attendance=shifts,
        adjustments=adjustments,
        deductions=deductions,
        ytd_opening=openings,
    )


def generate_cases(count: int) -> list[ref.Inputs]:
    """``count`` cases from hypothesis, derandomized: the same batch on every run.

    Each case is one hypothesis example (a batch in one example would exceed
    hypothesis' per-example data budget); the examples are collected and the
    pipeline runs once on all of them.
    """
    drawn: list[ref.Inputs] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def collect(case: ref.Inputs) -> None:
        drawn.append(case)

    collect()
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
    """Every shift cut at a random minute into two consecutive shifts; the
    break stays with the first one (it comes off the first part either way)."""
    rnd = random.Random(seed)
    shifts: list[ref.Shift] = []
    for shift in case.attendance:
        minutes = (shift.clock_out - shift.clock_in) // dt.timedelta(minutes=1)
        cut = rnd.randint(shift.break_minutes + 1, minutes - 1) if minutes > 1 else 0
        if cut <= shift.break_minutes:
            shifts.append(shift)
            continue
        middle = shift.clock_in + dt.timedelta(minutes=cut)
        shifts.append(dataclasses.replace(shift, event_id=shift.event_id + "a", clock_out=middle))
        shifts.append(
            dataclasses.replace(
                shift, event_id=shift.event_id + "b", clock_in=middle, break_minutes=0
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


def build_batch(count: int) -> dict[str, ref.Inputs]:
    """Base cases ``c000``…, plus ``-split`` and ``-double`` variants of some."""
    batch: dict[str, ref.Inputs] = {}
    for index, case in enumerate(generate_cases(count)):
        name = f"c{index:03d}"
        batch[name] = renamed(case, name)
        if index % 4 == 0:
            batch[name + "-split"] = renamed(split_shifts(case, index), name + "-split")
        state = case.locations[0].jurisdiction
        if index % 4 == 1 and state != "NV":
            batch[name + "-double"] = renamed(doubled(case), name + "-double")
    return {**batch, **HAND_CASES}


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


def _select(url: str, sql: str) -> list[dict[str, object]]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql)
            return [dict(row) for row in cur.fetchall()]
    finally:
        conn.close()


@dataclasses.dataclass
class Computed:
    batch: dict[str, ref.Inputs]
    expected: ref.Result
    payroll: dict[tuple, dict[str, object]]
    workweeks: dict[tuple, dict[str, object]]
    exceptions: list[dict[str, object]]
    rejected: list[dict[str, object]]


def run_batch(batch: dict[str, ref.Inputs], url: str, folder: Path) -> Computed:
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
    payroll = {
        (r["tenant_id"], r["staff_id"], r["period_start"]): r
        for r in _select(url, "select * from build.fct_payroll")
    }
    workweeks = {
        (r["tenant_id"], r["staff_id"], r["workweek_start"]): r
        for r in _select(url, "select * from build.fct_workweek_hours")
    }
    return Computed(
        batch=batch,
        expected=ref.compute(inputs, ref.load_tax_tables(SEEDS)),
        payroll=payroll,
        workweeks=workweeks,
        exceptions=_select(url, "select * from build.fct_attendance_exceptions"),
        rejected=_select(url, "select * from raw.rejected_rows"),
    )


@pytest.fixture(scope="module")
def computed(make_database, tmp_path_factory) -> Computed:
    url = make_database("differential")
    return run_batch(build_batch(CASES), url, tmp_path_factory.mktemp("differential"))


# ---------------------------------------------------------------- comparing


PAYROLL_COLUMNS = (
    "location_id",
    "period_end",
    "pay_date",
    *ref.PAYROLL_HOURS_COLUMNS,
    *ref.PAYROLL_MONEY_COLUMNS,
)
WORKWEEK_COLUMNS = (
    "period_start",
    "hours_worked",
    "overtime_hours",
    "double_time_hours",
    "straight_time_pay",
    "bonus_pay",
    "regular_rate",
    "overtime_premium_pay",
)


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
        parts.append(f"case {tenant}:")
        parts.extend("  " + line for line in found[tenant][:20])
        parts.append(_describe(computed.batch[tenant]))
    return "\n".join(parts)


# ---------------------------------------------------------------- tests


def test_reference_pays_the_end_to_end_fixture_like_the_hand_computation():
    """The reference itself against the figures worked out by hand in
    ``test_end_to_end.py``."""
    inputs = _read_fixture(ROOT / "tests" / "fixtures" / "e2e")
    result = ref.compute(inputs, ref.load_tax_tables(SEEDS))
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


def _generated(rows: dict[tuple, object]) -> dict[tuple, object]:
    return {key: row for key, row in rows.items() if not key[0].startswith("x-")}


def test_payroll_matches_the_reference_to_the_cent(computed):
    found = _differences(
        _generated(computed.expected.payroll), _generated(computed.payroll), PAYROLL_COLUMNS
    )
    assert not found, _report(computed, found)


def test_workweek_hours_match_the_reference(computed):
    found = _differences(
        _generated(computed.expected.workweeks), _generated(computed.workweeks), WORKWEEK_COLUMNS
    )
    assert not found, _report(computed, found)


def test_both_identities_hold_on_every_row(computed):
    bad = []
    for key, row in computed.payroll.items():
        gross = (
            row["salary_pay"]
            + row["straight_time_pay"]
            + row["overtime_premium_pay"]
            + row["bonus_pay"]
        )
        net = row["gross_pay"] - sum(
            row[c]
            for c in (
                "retirement_401k",
                "section_125",
                "federal_income_tax",
                "social_security_tax",
                "medicare_tax",
                "state_income_tax",
                "state_disability_tax",
                "post_tax_deductions",
            )
        )
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


def _weekly(computed: Computed, tenant: str) -> dict[tuple, tuple]:
    return {
        (key[1], key[2]): tuple(
            row[c]
            for c in (
                "hours_worked",
                "overtime_hours",
                "double_time_hours",
                "straight_time_pay",
                "overtime_premium_pay",
                "regular_rate",
            )
        )
        for key, row in computed.workweeks.items()
        if key[0] == tenant
    }


def _per_period(computed: Computed, tenant: str, columns: tuple[str, ...]) -> dict[tuple, tuple]:
    return {
        (key[1], key[2]): tuple(row[c] for c in columns)
        for key, row in computed.payroll.items()
        if key[0] == tenant
    }


def test_splitting_a_shift_changes_no_weekly_total(computed):
    pairs = [(name[: -len("-split")], name) for name in computed.batch if name.endswith("-split")]
    assert len(pairs) >= CASES // 4
    bad = []
    for base, split in pairs:
        if _weekly(computed, base) != _weekly(computed, split):
            bad.append((base, _weekly(computed, base), _weekly(computed, split)))
        columns = ("hours_worked", "overtime_hours", "double_time_hours", "gross_pay", "net_pay")
        if _per_period(computed, base, columns) != _per_period(computed, split, columns):
            bad.append((base, "fct_payroll differs"))
    assert not bad, bad[:5]


def test_doubling_every_rate_doubles_straight_time_and_premium(computed):
    pairs = [(name[: -len("-double")], name) for name in computed.batch if name.endswith("-double")]
    assert len(pairs) >= CASES // 8
    bad = []
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
