"""What the harness reads from a command's output: nothing it needs. The
pay-calendar refresh `payroll ingest` used to print is reported when it is
there and never required."""

from __future__ import annotations

from bench.harness import _calendar_seconds

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
