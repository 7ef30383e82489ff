"""What the harness reads from a command's output: nothing it needs (the
pay-calendar refresh `payroll ingest` used to print is reported when it is
there, never required); and the periods it picks from the warehouse."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest

from bench.harness import Bench, _calendar_seconds, _last_full_period, _require_closed_periods

OLD_INGEST = """  attendance.csv: ok, done in 4.0s
loaded 3,067 rows
• building reference data and the pay calendar …
  done in 11.3s (run 1234)
"""


def test_the_calendar_refresh_is_read_when_printed():
    # the first "done in" after the marker, not one printed before it
    assert _calendar_seconds(OLD_INGEST) == 11.3


def test_an_ingest_without_calendar_refresh_has_none():
    assert _calendar_seconds("  attendance.csv: ok\nloaded 3,067 rows\n") is None
    # a timing printed by something else is not the calendar's
    assert _calendar_seconds("attendance.csv: ok, done in 4.0s\n") is None


# --- the periods the harness picks, on a warehouse laid out by hand

PERIODS = (
    # period_start, period_end, is_closed, punches of chain in it
    ("2026-01-04", "2026-01-17", True, 10),
    ("2026-01-18", "2026-01-31", True, 12),
    ("2026-02-01", "2026-02-14", True, 5),  # the data ends a few days into it
    ("2026-02-15", "2026-02-28", True, 0),  # the calendar goes on, salaried pay only
    ("2026-03-01", "2026-03-14", False, 0),  # today's period
)


@pytest.fixture
def laid_out(database_url, tmp_path):
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "create table marts.dim_pay_periods (tenant_id text, period_start date, "
            "period_end date, is_closed boolean);"
            "create table marts.fct_payroll (tenant_id text, staff_id text, period_start date)"
        )
        event = 0
        for start, end, closed, punches in PERIODS:
            cur.execute(
                "insert into marts.dim_pay_periods values ('chain', %s, %s, %s)",
                (start, end, closed),
            )
            if closed:
                cur.execute("insert into marts.fct_payroll values ('chain', 'M1', %s)", (start,))
            for n in range(punches):
                event += 1
                cur.execute(
                    "insert into raw.attendance (tenant_id, event_id, staff_id, location_id, "
                    "role, clock_in, clock_out, updated_at, source_file, source_row) values "
                    "('chain', %s, 'C1', 'L1', 'cook', %s::date + %s * interval '1 day' "
                    "+ interval '15 hours', null, now(), 'f', %s)",
                    (f"E{event}", start, n % 14, event),
                )
    conn.close()
    return Bench("S", database_url, tmp_path / "home", tmp_path / "dbt")


def test_one_period_is_the_last_full_one_even_when_the_calendar_goes_on(laid_out):
    assert _last_full_period(laid_out, "chain") == (dt.date(2026, 1, 18), 12)


def test_an_open_period_after_the_data_is_no_reason_to_stop(laid_out):
    _require_closed_periods(laid_out, dt.date(2026, 2, 5))  # returns
    with pytest.raises(RuntimeError, match="1 pay periods of the benchmark data are not closed"):
        _require_closed_periods(laid_out, dt.date(2026, 3, 2))
