"""The correction cascade's bookkeeping, on a warehouse laid out by hand:
which punch carries the correction, the corrected row it writes, which
periods a run recomputed, and the check that the 0.25 h arrived."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import psycopg2
import pytest

from bench import cascade
from bench.generator import CONTRACT_COLUMNS

CHICAGO = "America/Chicago"  # UTC-6 in January
MARTS = """
    create table marts.dim_pay_periods (
        tenant_id text, period_start date, period_end date, is_closed boolean
    );
    create table marts.fct_attendance_exceptions (tenant_id text, event_id text);
    create table marts.fct_payroll (
        tenant_id text, staff_id text, period_start date, pay_date date,
        hours_worked numeric(12, 4), run_id text
    );
"""
STAFF = (
    # staff_id, pay_type, annual_salary, terminated_on
    ("C1", "hourly", None, None),
    ("C2", "salaried", 60000, None),
    ("C3", "hourly", None, "2026-01-10"),
)
# event_id, staff_id, clock_in, clock_out (UTC): every one but E8 is unfit
PUNCHES = (
    ("E1", "C1", "2026-01-04T15:00Z", "2026-01-04T23:00Z"),  # the period's first day
    ("E2", "C1", "2026-01-06T23:00Z", "2026-01-07T05:50Z"),  # +15 min: past local midnight
    ("E3", "C1", "2026-01-08T15:00Z", "2026-01-08T23:00Z"),  # an exception
    ("E4", "C1", "2026-01-09T15:00Z", "2026-01-09T20:00Z"),  # E5 starts an hour later
    ("E5", "C1", "2026-01-09T21:00Z", "2026-01-10T01:00Z"),
    ("E6", "C2", "2026-01-12T15:00Z", "2026-01-12T23:00Z"),  # salaried
    ("E7", "C3", "2026-01-07T15:00Z", "2026-01-07T23:00Z"),  # terminated in the period
    ("E8", "C1", "2026-01-13T15:00Z", "2026-01-13T23:00Z"),
    ("E9", "C1", "2026-01-17T15:00Z", "2026-01-17T23:00Z"),  # the period's last day
)
PAYROLL = (
    # staff_id, period_start, pay_date, hours_worked, run_id
    ("C1", "2025-12-07", "2025-12-26", "70.0000", "r0"),  # another pay-date year
    ("C1", "2026-01-04", "2026-01-23", "40.0000", "r1"),
    ("C1", "2026-01-04", "2026-01-23", "0.5000", "r1"),  # the rows of a staff member add up
    ("C2", "2026-01-04", "2026-01-23", "80.0000", "r1"),
    ("C1", "2026-01-18", "2026-02-06", "38.0000", "r2"),
)


@pytest.fixture
def warehouse(database_url):
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute(MARTS)
        cur.execute(
            "insert into raw.locations values ('chain', 'L1', 'Diner', %s, 'TX', 'f', 1), "
            "('bistro', 'B1', 'Bistro', %s, 'OR', 'f', 1)",
            (CHICAGO, "America/Los_Angeles"),
        )
        for staff_id, pay_type, salary, terminated in STAFF:
            cur.execute(
                "insert into raw.staff (tenant_id, staff_id, full_name, home_location_id, "
                "pay_type, annual_salary, terminated_on, source_file, source_row) "
                "values ('chain', %s, 'N', 'L1', %s, %s, %s, 'f', 1)",
                (staff_id, pay_type, salary, terminated),
            )
        rows = [("chain", e, s, "L1", i, o) for e, s, i, o in PUNCHES]
        rows.append(("bistro", "X1", "B0001", "B1", "2026-01-13T17:00Z", "2026-01-14T01:00Z"))
        for n, (tenant_id, event_id, staff_id, location, clock_in, clock_out) in enumerate(rows):
            cur.execute(
                "insert into raw.attendance (tenant_id, event_id, staff_id, location_id, role, "
                "clock_in, clock_out, break_minutes, updated_at, source_file, source_row) "
                "values (%s, %s, %s, %s, 'cook', %s, %s, 30, "
                "%s::timestamptz + interval '10 minutes', 'f', %s)",
                (tenant_id, event_id, staff_id, location, clock_in, clock_out, clock_out, n),
            )
        cur.execute(
            "insert into marts.dim_pay_periods values ('chain', '2026-01-04', '2026-01-17', true), "
            "('chain', '2026-01-18', '2026-01-31', true)"
        )
        cur.execute("insert into marts.fct_attendance_exceptions values ('chain', 'E3')")
        for staff_id, start, pay_date, hours, run_id in PAYROLL:
            cur.execute(
                "insert into marts.fct_payroll values ('chain', %s, %s, %s, %s, %s)",
                (staff_id, start, pay_date, hours, run_id),
            )
    conn.close()
    return database_url


def _execute(url: str, sql: str) -> None:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def test_the_first_period_of_the_year_of_the_biggest_tenant(warehouse):
    assert cascade.biggest_tenant(warehouse) == "chain"
    assert cascade.first_period_of_year(warehouse, "chain") == (dt.date(2026, 1, 4), 2026)


def test_the_correction_lengthens_a_plain_mid_period_day_shift(warehouse, tmp_path):
    correction = cascade.prepare(warehouse, tmp_path / "correction")
    assert (correction.event_id, correction.staff_id) == ("E8", "C1")
    assert correction.period_start == dt.date(2026, 1, 4)
    assert correction.hours_before == Decimal("40.5")
    assert correction.periods_expected == 2  # 2026-01-04 and 2026-01-18, not 2025's
    with correction.file.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == CONTRACT_COLUMNS["attendance"]
        (row,) = list(reader)
    assert correction.file.name == "attendance.csv"
    assert row == {
        "tenant_id": "chain",
        "event_id": "E8",
        "staff_id": "C1",
        "location_id": "L1",
        "role": "cook",
        "clock_in": "2026-01-13T15:00:00Z",
        "clock_out": "2026-01-13T23:15:00Z",
        "break_minutes": "30",
        "updated_at": "2026-01-14T23:10:00Z",  # a day newer than the row loaded
    }


def test_no_fit_punch_stops_the_bench(warehouse, tmp_path):
    _execute(warehouse, "insert into marts.fct_attendance_exceptions values ('chain', 'E8')")
    with pytest.raises(RuntimeError, match="no punch of chain 2026-01-04"):
        cascade.prepare(warehouse, tmp_path)


def test_periods_recomputed_are_those_a_new_run_stamped(warehouse):
    before = cascade.run_ids(warehouse)
    assert before == ["r0", "r1", "r2"]
    assert cascade.periods_recomputed(warehouse, before) == []
    _execute(
        warehouse, "update marts.fct_payroll set run_id = 'r9' where period_start >= '2026-01-04'"
    )
    assert cascade.periods_recomputed(warehouse, before) == [
        ("chain", dt.date(2026, 1, 4)),
        ("chain", dt.date(2026, 1, 18)),
    ]


def _cascade(url: str, extra_hours: str, periods_from: str) -> None:
    _execute(
        url,
        f"update marts.fct_payroll set run_id = 'r9' where period_start >= '{periods_from}'; "
        f"update marts.fct_payroll set hours_worked = hours_worked + {extra_hours} "
        "where staff_id = 'C1' and period_start = '2026-01-04' and hours_worked = 40",
    )


def _prepared(url: str, tmp_path) -> tuple[cascade.Correction, list[str]]:
    return cascade.prepare(url, tmp_path), cascade.run_ids(url)


def test_the_check_passes_when_the_quarter_hour_arrived_everywhere(warehouse, tmp_path):
    correction, before = _prepared(warehouse, tmp_path)
    _cascade(warehouse, "0.25", "2026-01-04")
    check = cascade.verify(warehouse, correction, cascade.periods_recomputed(warehouse, before))
    assert check["matches"] is True
    assert (check["hours_before"], check["hours_after"]) == ("40.5000", "40.7500")
    assert (check["periods_recomputed"], check["periods_expected"]) == (2, 2)


def test_the_check_fails_without_the_quarter_hour(warehouse, tmp_path):
    correction, before = _prepared(warehouse, tmp_path)
    _cascade(warehouse, "0.5", "2026-01-04")
    check = cascade.verify(warehouse, correction, cascade.periods_recomputed(warehouse, before))
    assert check["matches"] is False
    assert check["hours_after"] == "41.0000"


def test_the_check_fails_when_a_later_period_was_not_recomputed(warehouse, tmp_path):
    correction, before = _prepared(warehouse, tmp_path)
    _cascade(warehouse, "0.25", "2026-01-04")
    _execute(
        warehouse, "update marts.fct_payroll set run_id = 'r2' where period_start = '2026-01-18'"
    )
    check = cascade.verify(warehouse, correction, cascade.periods_recomputed(warehouse, before))
    assert check["matches"] is False
    assert check["periods_recomputed"] == 1
