"""Corrections after payday: a finalized period never changes; what its
corrected inputs change is paid, once, in the first open period after it,
as `marts.fct_payroll_adjustments` lines added into that period's pay.

Tenant `adj` is paid weekly (Sunday to Saturday, workweeks alike), in Texas
(FLSA overtime only). S1 earns $20.00/h, S2 $15.00/h."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app

D = Decimal
P1, P2, P3 = "2026-03-01", "2026-03-08", "2026-03-15"

MASTER_FILES = {
    "tenants.csv": (
        "tenant_id,name,pay_frequency,period_anchor,workweek_start,pay_date_lag_days\n"
        "adj,Adjusted Diner,weekly,2026-03-01,sunday,5\n"
    ),
    "locations.csv": (
        "tenant_id,location_id,name,timezone,jurisdiction\nadj,AUS,Austin,America/Chicago,TX\n"
    ),
    "staff.csv": (
        "tenant_id,staff_id,full_name,home_location_id,pay_type,flsa_exempt,annual_salary,"
        "filing_status,w4_step2,w4_dependents,w4_other_income,w4_deductions,"
        "w4_extra_withholding,hired_on,terminated_on\n"
        "adj,S1,Ann Sample,AUS,hourly,false,,single,false,0,0,0,0,2025-01-06,\n"
        "adj,S2,Ben Sample,AUS,hourly,false,,single,false,0,0,0,0,2025-01-06,\n"
    ),
    "pay_rates.csv": (
        "tenant_id,staff_id,role,hourly_rate,effective_from,effective_to\n"
        "adj,S1,cook,20.00,2026-01-01,\n"
        "adj,S2,cook,15.00,2026-01-01,\n"
    ),
}
ATTENDANCE_HEADER = (
    "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at\n"
)


def _punch(event: str, staff: str, day: str, start: str, end: str, updated: str) -> str:
    return (
        f"adj,{event},{staff},AUS,cook,2026-03-{day}T{start}:00-06:00,"
        f"2026-03-{day}T{end}:00-06:00,0,2026-03-{updated}T23:00:00-06:00\n"
    )


# Week 1 (P1): S1 works Monday to Friday, 9 h a day = 45 h (5 h overtime).
# Weeks 2 and 3 (P2, P3): S1 works 8 h on Monday.
FIRST_DELIVERY = (
    "".join(
        _punch(f"E{day}", "S1", day, "08:00", "17:00", day)
        for day in ("02", "03", "04", "05", "06")
    )
    + _punch("E09", "S1", "09", "09:00", "17:00", "09")
    + _punch("E16", "S1", "16", "09:00", "17:00", "16")
)


def _deliver(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _rows(url: str, sql: str, *params: object) -> list[tuple]:
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    conn.close()
    return rows


def _payroll(url: str, period: str) -> dict[str, tuple]:
    rows = _rows(
        url,
        "select staff_id, hours_worked, overtime_hours, straight_time_pay, "
        "overtime_premium_pay, gross_pay, net_pay, run_id from marts.fct_payroll "
        "where tenant_id = 'adj' and period_start = %s order by staff_id",
        period,
    )
    return {row[0]: row[1:] for row in rows}


def _adjustments(url: str, applied: str) -> list[tuple]:
    return _rows(
        url,
        "select staff_id, original_period_start::text, reason, delta_hours_worked, "
        "delta_overtime_hours, delta_double_time_hours, delta_straight_time_pay, "
        "delta_overtime_premium_pay, delta_bonus_pay, delta_gross_pay, source_ids "
        "from marts.fct_payroll_adjustments "
        "where tenant_id = 'adj' and applied_period_start = %s order by staff_id",
        applied,
    )


@pytest.fixture(scope="module")
def warehouse(make_database, tmp_path_factory):
    url = make_database("adjustments")
    home = tmp_path_factory.mktemp("payroll_home")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    from dagster_project.settings import get_settings

    get_settings.cache_clear()
    yield url, CliRunner(), tmp_path_factory.mktemp("deliveries")
    patch.undo()
    get_settings.cache_clear()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_corrections_to_a_finalized_period_are_paid_once_in_the_next_open_period(warehouse):
    url, runner, deliveries = warehouse
    first = _deliver(
        deliveries / "first", {**MASTER_FILES, "attendance.csv": ATTENDANCE_HEADER + FIRST_DELIVERY}
    )
    _ok(runner, "ingest", str(first))
    _ok(runner, "run", "--period", P1, "--tenant", "adj")
    paid_p1 = _payroll(url, P1)
    # 45 h × $20 = $900 straight time, 5 h × $10 premium = $50
    assert paid_p1["S1"][:5] == (D("45.0000"), D("5.0000"), D("900.00"), D("50.00"), D("950.00"))
    _ok(runner, "finalize", "--period", P1, "--tenant", "adj")

    # After payday: Friday's punch of S1 is corrected to end 2 h later, and a
    # forgotten Tuesday shift of S2 (5 h) arrives.
    late = _deliver(
        deliveries / "late",
        {
            "attendance.csv": ATTENDANCE_HEADER
            + _punch("E06", "S1", "06", "08:00", "19:00", "10")
            + _punch("L03", "S2", "03", "10:00", "15:00", "10")
        },
    )
    _ok(runner, "ingest", str(late))
    _ok(runner, "run", "--period", P2, "--tenant", "adj")

    assert _payroll(url, P1) == paid_p1, "a finalized period changed"
    # S1's week 1 is now 47 h: +2 h straight time ($40) and +2 h overtime
    # ($20 premium); S2's late shift is 5 h × $15 = $75 of straight time.
    assert _adjustments(url, P2) == [
        ("S1", P1, "corrected_punch", D("2.0000"), D("2.0000"), D("0.0000"),
         D("40.00"), D("20.00"), D("0.00"), D("60.00"), ["E06"]),
        ("S2", P1, "late_punch", D("5.0000"), D("0.0000"), D("0.0000"),
         D("75.00"), D("0.00"), D("0.00"), D("75.00"), ["L03"]),
    ]  # fmt: skip
    p2 = _payroll(url, P2)
    # S1's own week 2 (8 h, $160) plus the deltas; S2 is paid only the delta
    assert p2["S1"][:5] == (D("10.0000"), D("2.0000"), D("200.00"), D("20.00"), D("220.00"))
    assert p2["S2"][:5] == (D("5.0000"), D("0.0000"), D("75.00"), D("0.00"), D("75.00"))
    # every dollar of the adjusted row sums from earnings lines of the events
    lines = _rows(
        url,
        "select earning_kind, amount, source_ids from marts.fct_earnings "
        "where tenant_id = 'adj' and period_start = %s and staff_id = 'S1' "
        "and earning_kind like 'adjustment%%' order by earning_kind",
        P2,
    )
    assert lines == [
        ("adjustment_overtime_premium", D("20.00"), ["E06"]),
        ("adjustment_straight_time", D("40.00"), ["E06"]),
    ]

    # the statement of P2 names the period each correction is for (CONTRACT §7)
    (p1_end,) = _rows(
        url, "select distinct period_end from marts.fct_payroll where period_start = %s", P1
    )[0]
    statement = _rows(
        url,
        "select line_kind, description, hours, amount from marts.fct_pay_stub_lines "
        "where tenant_id = 'adj' and period_start = %s and staff_id = 'S1' "
        "and line_kind in ('earning', 'adjustment', 'gross') order by line_kind, description",
        P2,
    )
    assert [row for row in statement if row[0] != "earning"] == [
        ("adjustment", f"Correction to period {P1} – {p1_end}", D("2.0000"), D("60.00")),
        ("gross", "Gross pay", None, D("220.00")),
    ]
    assert sum(row[3] for row in statement if row[0] == "earning") == D("160.00")
    p1_statement = _rows(
        url,
        "select count(*), sum(amount) filter (where line_kind = 'gross') "
        "from marts.fct_pay_stub_lines where period_start = %s and staff_id = 'S1'",
        P1,
    )
    assert p1_statement[0][1] == D("950.00")

    # Rerunning the open period pays the corrections once, not twice.
    _ok(runner, "run", "--period", P2, "--tenant", "adj")
    assert len(_adjustments(url, P2)) == 2
    assert _payroll(url, P2)["S1"][4] == D("220.00")

    # Once P2 is final, P3 owes nothing more for P1 ...
    _ok(runner, "finalize", "--period", P2, "--tenant", "adj")
    _ok(runner, "run", "--period", P3, "--tenant", "adj")
    assert _adjustments(url, P3) == []
    assert _payroll(url, P3)["S1"][:5] == (
        D("8.0000"), D("0.0000"), D("160.00"), D("0.00"), D("160.00"),
    )  # fmt: skip

    # ... until P1 is corrected again: Monday's punch +1 h makes week 1 48 h,
    # so +1 h straight time ($20) and +1 h overtime ($10), net of what P2 paid.
    again = _deliver(
        deliveries / "again",
        {"attendance.csv": ATTENDANCE_HEADER + _punch("E02", "S1", "02", "08:00", "18:00", "16")},
    )
    _ok(runner, "ingest", str(again))
    _ok(runner, "run", "--period", P3, "--tenant", "adj")
    assert _adjustments(url, P3) == [
        ("S1", P1, "corrected_punch", D("1.0000"), D("1.0000"), D("0.0000"),
         D("20.00"), D("10.00"), D("0.00"), D("30.00"), ["E02"]),
    ]  # fmt: skip
    # S1's own Monday (8 h, $160) plus the new deltas
    assert _payroll(url, P3)["S1"][:5] == (
        D("9.0000"), D("1.0000"), D("180.00"), D("10.00"), D("190.00"),
    )  # fmt: skip
    assert _payroll(url, P1) == paid_p1
