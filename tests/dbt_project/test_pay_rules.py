"""Pay rules of the dbt project on a real warehouse, asserted to the cent.

Raw rows are inserted with SQL (no ingest), the seeds are loaded once for the
module, then ``dbt build`` runs the way the orchestrator runs it: the pay
calendar (staging + ``dim_pay_periods``), then every period at once (nothing
selected in ``control.pay_period_build``) or one period at a time (the
period selected there, then staged and published as a run does: later
periods' year-to-date figures read what was published).

Tenants:

* ``W`` — weekly, Sunday workweeks, Texas: the FLSA worked examples in the
  week of Sunday 2026-03-01.
* ``B`` — biweekly, Texas: gross 1,500.00, single, W-4 standard.
* ``S`` — semimonthly, Monday workweeks, Texas: a workweek straddling the
  15th, and Social Security wages near the wage base, run period by period.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest

from dagster_project.lib.database import dbt_env

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))
CALENDAR_SELECT = ["--select", "path:models/staging", "dim_pay_periods"]
PERIOD_SELECT = [
    "--select",
    "path:models/intermediate",
    "path:models/marts",
    "--exclude",
    "dim_pay_periods",
]
# As the orchestrator builds: a test runs with the build that selects all its
# models (or whose other models are upstream); dbt unit tests are run by
# test_dbt_project.py, here the data is the point.
NO_UNIT_TESTS = [
    "--indirect-selection",
    "buildable",
    "--exclude-resource-type",
    "unit_test",
]
CHICAGO = dt.timezone(dt.timedelta(hours=-6))  # CST, before 2026-03-08
CHICAGO_SUMMER = dt.timezone(dt.timedelta(hours=-5))  # CDT

D = Decimal


# --------------------------------------------------------------------------- helpers


def _dbt(url: str, target: Path, *args: str) -> str:
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [
            DBT,
            *args,
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    return result.stdout


def _build_period(url: str, target: Path, tenant_id: str, period_start: str) -> None:
    """One period the way a run computes it: selected, built, staged, published."""
    import uuid

    from dagster_project.core.periods import PayPeriodKey
    from dagster_project.lib.build_selection import clear_selection, select_periods
    from dagster_project.lib.database import transaction
    from dagster_project.lib.publish import publish_periods, stage_periods

    period = PayPeriodKey(tenant_id, dt.date.fromisoformat(period_start))
    run_id = str(uuid.uuid4())
    with transaction(url) as conn:
        select_periods(conn, run_id, [period])
    try:
        _dbt(url, target, "build", *PERIOD_SELECT, *NO_UNIT_TESTS)
        stage_periods(url, run_id, [period])
    finally:
        with transaction(url) as conn:
            clear_selection(conn)
    publish_periods(url, run_id)


def _execute(url: str, sql: str, rows: list[tuple] | None = None) -> None:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        if rows is None:
            cur.execute(sql)
        else:
            cur.executemany(sql, rows)
    conn.close()


def _query(url: str, sql: str, params: tuple = ()) -> list[dict[str, object]]:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(sql, params)
        names = [column.name for column in cur.description]
        found = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    conn.close()
    return found


def _payroll(url: str, tenant_id: str, staff_id: str, period_start: str) -> dict[str, object]:
    rows = _query(
        url,
        "select * from build.fct_payroll"
        " where tenant_id = %s and staff_id = %s and period_start = %s",
        (tenant_id, staff_id, period_start),
    )
    assert len(rows) == 1, rows
    return rows[0]


def _workweek(url: str, tenant_id: str, staff_id: str, week_start: str) -> dict[str, object]:
    rows = _query(
        url,
        "select * from build.fct_workweek_hours"
        " where tenant_id = %s and staff_id = %s and workweek_start = %s",
        (tenant_id, staff_id, week_start),
    )
    assert len(rows) == 1, rows
    return rows[0]


def _check(row: dict[str, object], **expected: str) -> None:
    actual = {name: row[name] for name in expected}
    assert actual == {name: D(value) for name, value in expected.items()}


def _check_identities(row: dict[str, object]) -> None:
    assert row["gross_pay"] == (
        row["salary_pay"]
        + row["straight_time_pay"]
        + row["overtime_premium_pay"]
        + row["bonus_pay"]
    )
    assert row["net_pay"] == row["gross_pay"] - sum(
        row[name]
        for name in (
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


# --------------------------------------------------------------------------- fixtures


def _shift(staff_id: str, role: str, day: dt.date, hours: int, tz: dt.timezone):
    clock_in = dt.datetime.combine(day, dt.time(8), tz)
    return (staff_id, role, clock_in, clock_in + dt.timedelta(hours=hours))


def _weekdays(first: str, count: int) -> list[dt.date]:
    day = dt.date.fromisoformat(first)
    found: list[dt.date] = []
    while len(found) < count:
        if day.weekday() < 5:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def _raw_rows() -> dict[str, list[tuple]]:
    week = _weekdays("2026-03-02", 5)  # Mon 2 .. Fri 6 March
    saturday = dt.date(2026, 3, 7)
    shifts: list[tuple[str, tuple]] = []
    for staff_id in ("flsa", "bonus"):
        shifts += [("W", _shift(staff_id, "server", day, 8, CHICAGO)) for day in week]
        shifts.append(("W", _shift(staff_id, "server", saturday, 6, CHICAGO)))
    shifts += [("W", _shift("two_roles", "cook", day, 8, CHICAGO)) for day in week]
    shifts.append(("W", _shift("two_roles", "dishwasher", saturday, 8, CHICAGO)))
    # biweekly 2026-03-01..03-14: ten 8-hour weekdays at $18.75 = 1,500.00
    shifts += [
        ("B", _shift("withheld", "clerk", day, 8, CHICAGO if day.day < 8 else CHICAGO_SUMMER))
        for day in _weekdays("2026-03-02", 10)
    ]
    # semimonthly, Monday workweek of 13 April: 8 h Mon–Fri, 6 h Sat
    straddle = [dt.date(2026, 4, 13) + dt.timedelta(days=n) for n in range(6)]
    shifts += [
        ("S", _shift("straddler", "server", day, 6 if day.day == 18 else 8, CHICAGO_SUMMER))
        for day in straddle
    ]
    # a second staff member paid only in period 2 (removed in a test)
    shifts.append(("S", _shift("dropped", "server", dt.date(2026, 4, 20), 4, CHICAGO_SUMMER)))
    attendance = [
        (tenant, f"{tenant}-{n}", staff_id, f"{tenant}-store", role, clock_in, clock_out, n)
        for n, (tenant, (staff_id, role, clock_in, clock_out)) in enumerate(shifts, start=1)
    ]
    return {
        "tenants": [
            ("W", "Weekly", "weekly", "2026-03-01", "sunday"),
            ("B", "Biweekly", "biweekly", "2026-03-01", "sunday"),
            ("S", "Semimonthly", "semimonthly", None, "monday"),
        ],
        "locations": [(tenant, f"{tenant}-store") for tenant in ("W", "B", "S")],
        "staff": [
            ("W", "flsa"),
            ("W", "bonus"),
            ("W", "two_roles"),
            ("B", "withheld"),
            ("S", "straddler"),
            ("S", "dropped"),
        ],
        "pay_rates": [
            ("W", "flsa", "server", D("12.00")),
            ("W", "", "server", D("12.00")),
            ("W", "", "cook", D("15.00")),
            ("W", "two_roles", "dishwasher", D("9.00")),
            ("W", "", "dishwasher", D("8.00")),
            ("B", "", "clerk", D("18.75")),
            ("S", "", "server", D("12.00")),
        ],
        "attendance": attendance,
    }


@pytest.fixture(scope="module")
def warehouse(make_database, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """Raw rows of the three tenants, seeds loaded, every period built (nothing selected)."""
    url = make_database("dbt_pay_rules")
    target = tmp_path_factory.mktemp("dbt_target")
    rows = _raw_rows()
    _execute(
        url,
        "insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor,"
        " workweek_start, source_file, source_row) values (%s, %s, %s, %s, %s, 't.csv', 1)",
        rows["tenants"],
    )
    _execute(
        url,
        "insert into raw.locations (tenant_id, location_id, name, timezone, jurisdiction,"
        " source_file, source_row) values (%s, %s, 'Store', 'America/Chicago', 'TX',"
        " 'l.csv', 1)",
        rows["locations"],
    )
    _execute(
        url,
        "insert into raw.staff (tenant_id, staff_id, full_name, home_location_id, pay_type,"
        " source_file, source_row) values (%s, %s, 'A Person', %s || '-store', 'hourly',"
        " 's.csv', 1)",
        [(tenant, staff, tenant) for tenant, staff in rows["staff"]],
    )
    _execute(
        url,
        "insert into raw.pay_rates (tenant_id, staff_id, role, hourly_rate, effective_from,"
        " source_file, source_row) values (%s, %s, %s, %s, '2026-01-01', 'r.csv', 1)",
        rows["pay_rates"],
    )
    _execute(
        url,
        "insert into raw.attendance (tenant_id, event_id, staff_id, location_id, role,"
        " clock_in, clock_out, break_minutes, updated_at, source_file, source_row)"
        " values (%s, %s, %s, %s, %s, %s, %s, 0, now(), 'a.csv', %s)",
        rows["attendance"],
    )
    _execute(
        url,
        "insert into raw.adjustments (tenant_id, adjustment_id, staff_id, work_date, kind,"
        " amount, source_file, source_row) values"
        " ('W', 'b1', 'bonus', '2026-03-04', 'bonus', 46.00, 'adj.csv', 1)",
    )
    # $184,000 of Social Security wages paid before this pipeline
    _execute(
        url,
        "insert into raw.ytd_opening (tenant_id, staff_id, tax_year, gross_wages,"
        " social_security_wages, medicare_wages, futa_wages, source_file, source_row)"
        " values ('S', 'straddler', 2026, 184000, 184000, 184000, 7000, 'y.csv', 1)",
    )
    _dbt(url, target, "seed")
    _dbt(url, target, "build", *CALENDAR_SELECT, *NO_UNIT_TESTS)
    _dbt(url, target, "build", *PERIOD_SELECT, *NO_UNIT_TESTS)
    yield url, target


# --------------------------------------------------------------------------- worked examples


def test_flsa_overtime_is_half_the_regular_rate_on_hours_over_40(warehouse):
    url, _ = warehouse
    # $12.00 × 46 h: straight time 552.00, 6 h overtime, premium 0.5 × 12 × 6
    row = _payroll(url, "W", "flsa", "2026-03-01")
    _check(
        row,
        hours_worked="46",
        overtime_hours="6",
        straight_time_pay="552.00",
        overtime_premium_pay="36.00",
        bonus_pay="0.00",
        gross_pay="588.00",
    )
    _check_identities(row)
    week = _workweek(url, "W", "flsa", "2026-03-01")
    _check(week, regular_rate="12", overtime_hours="6", overtime_premium_pay="36.00")
    assert week["period_start"] == dt.date(2026, 3, 1)


def test_non_discretionary_bonus_raises_the_regular_rate(warehouse):
    url, _ = warehouse
    # (552 + 46) / 46 = 13.00; premium 0.5 × 13 × 6 = 39.00; 552 + 39 + 46
    row = _payroll(url, "W", "bonus", "2026-03-01")
    _check(
        row,
        straight_time_pay="552.00",
        overtime_premium_pay="39.00",
        bonus_pay="46.00",
        gross_pay="637.00",
    )
    _check_identities(row)
    _check(_workweek(url, "W", "bonus", "2026-03-01"), regular_rate="13")


def test_two_roles_weight_the_regular_rate(warehouse):
    url, _ = warehouse
    # 40 h × $15 cook + 8 h × $9 dishwasher (staff rate beats the $8 default):
    # (600 + 72) / 48 = 14.00; premium 0.5 × 14 × 8 = 56.00; gross 728.00
    row = _payroll(url, "W", "two_roles", "2026-03-01")
    _check(
        row,
        hours_worked="48",
        overtime_hours="8",
        straight_time_pay="672.00",
        overtime_premium_pay="56.00",
        gross_pay="728.00",
    )
    _check_identities(row)
    _check(_workweek(url, "W", "two_roles", "2026-03-01"), regular_rate="14")


def test_biweekly_single_standard_withholding_matches_pub_15t(warehouse):
    url, _ = warehouse
    # (1,500 × 26 − 8,600 − 19,900) × 12 % + 1,240 = 2,500 / 26 = 96.15
    row = _payroll(url, "B", "withheld", "2026-03-01")
    _check(
        row,
        hours_worked="80",
        gross_pay="1500.00",
        federal_income_tax="96.15",
        social_security_tax="93.00",
        medicare_tax="21.75",
        state_income_tax="0.00",
        employer_social_security_tax="93.00",
        employer_medicare_tax="21.75",
        futa_tax="9.00",
        net_pay="1289.10",
    )
    _check_identities(row)
    assert row["period_end"] == dt.date(2026, 3, 14)
    assert row["pay_date"] == dt.date(2026, 3, 19)


def test_every_row_holds_both_identities(warehouse):
    url, _ = warehouse
    rows = _query(url, "select * from build.fct_payroll")
    assert len(rows) == 7
    for row in rows:
        _check_identities(row)


# --------------------------------------------------------------------------- period by period


def test_periods_run_one_at_a_time_split_pay_use_ytd_and_replace_rows(warehouse):
    url, target = warehouse
    # start as if tenant S had never been computed (nothing of it published)
    for mart in ("fct_payroll", "fct_workweek_hours", "rpt_location_labor_cost"):
        _execute(url, f"delete from build.{mart} where tenant_id = 'S'")

    # period 2 first: nothing earlier computed, so only the $184,000 opening
    # counts → all of its 300.00 is under the base: 6.2 % × 300 = 18.60
    _build_period(url, target, "S", "2026-04-16")
    _check(_payroll(url, "S", "straddler", "2026-04-16"), social_security_tax="18.60")

    # (a) straight time by work date: Mon 13–Wed 15 April = 24 h = 288.00,
    # no overtime (the workweek ends Sunday 19 April, in period 2)
    _build_period(url, target, "S", "2026-04-01")
    first = _payroll(url, "S", "straddler", "2026-04-01")
    _check(
        first,
        hours_worked="24",
        overtime_hours="0",
        straight_time_pay="288.00",
        overtime_premium_pay="0.00",
        gross_pay="288.00",
        social_security_tax="17.86",  # all under the base: 6.2 % × 288 = 17.856
    )
    _check_identities(first)

    # (b) period 2 again: 184,000 + 288 before it leaves 212.00 under the
    # base → 6.2 % × 212 = 13.144 → 13.14; Medicare is not capped
    _build_period(url, target, "S", "2026-04-16")
    second = _payroll(url, "S", "straddler", "2026-04-16")
    _check(
        second,
        hours_worked="22",
        overtime_hours="6",
        straight_time_pay="264.00",
        overtime_premium_pay="36.00",
        gross_pay="300.00",
        social_security_tax="13.14",
        medicare_tax="4.35",
        futa_tax="0.00",
    )
    _check_identities(second)
    week = _workweek(url, "S", "straddler", "2026-04-13")
    _check(week, hours_worked="46", overtime_hours="6", overtime_premium_pay="36.00")
    assert week["period_start"] == dt.date(2026, 4, 16)

    # (c) a rerun replaces the period's rows: no duplicates, and a staff member
    # whose only shift was removed disappears
    _execute(url, "delete from raw.attendance where tenant_id = 'S' and staff_id = 'dropped'")
    _build_period(url, target, "S", "2026-04-16")
    counts = _query(
        url,
        "select period_start, count(*) as staff_paid from build.fct_payroll"
        " where tenant_id = 'S' group by period_start order by period_start",
    )
    assert [(r["period_start"].isoformat(), r["staff_paid"]) for r in counts] == [
        ("2026-04-01", 1),
        ("2026-04-16", 1),
    ]
    _check(_payroll(url, "S", "straddler", "2026-04-16"), social_security_tax="13.14")
    labor = _query(
        url,
        "select period_start, hours_worked, gross_pay from build.rpt_location_labor_cost"
        " where tenant_id = 'S' order by period_start",
    )
    assert [(r["period_start"].isoformat(), r["gross_pay"]) for r in labor] == [
        ("2026-04-01", D("288.00")),
        ("2026-04-16", D("300.00")),
    ]
    # the other tenants' rows were left alone
    assert len(_query(url, "select 1 from build.fct_payroll where tenant_id <> 'S'")) == 4
