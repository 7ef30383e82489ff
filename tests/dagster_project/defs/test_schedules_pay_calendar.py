"""The pay-calendar arithmetic behind the period-close schedule."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reference.pay_calendar import (
    CalendarError,
    PayCalendar,
    Period,
    closes_at,
    period_containing,
    periods_due,
    periods_overlapping,
)

D = dt.date
UTC = dt.UTC
WEEKLY = PayCalendar("wk", "weekly", D(2026, 3, 1), ("America/Los_Angeles",))
BIWEEKLY = PayCalendar("bw", "biweekly", D(2025, 12, 28), ("America/New_York",))
SEMIMONTHLY = PayCalendar("sm", "semimonthly", None, ("America/Chicago",))
MONTHLY = PayCalendar("mo", "monthly", None, ("America/Denver",))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def test_weekly_periods_repeat_from_the_anchor_in_both_directions():
    assert period_containing(WEEKLY, D(2026, 3, 1)) == Period("wk", D(2026, 3, 1), D(2026, 3, 7))
    assert period_containing(WEEKLY, D(2026, 2, 28)) == Period("wk", D(2026, 2, 22), D(2026, 2, 28))
    assert period_containing(WEEKLY, D(2026, 12, 31)) == Period(
        "wk", D(2026, 12, 27), D(2027, 1, 2)
    )


def test_biweekly_periods_follow_the_anchor_not_the_calendar():
    # 2026-12-27 is 52 weeks after the anchor: the period straddles the new year
    assert period_containing(BIWEEKLY, D(2027, 1, 9)) == Period(
        "bw", D(2026, 12, 27), D(2027, 1, 9)
    )
    assert period_containing(BIWEEKLY, D(2027, 1, 10)).start == D(2027, 1, 10)
    shifted = PayCalendar("bw2", "biweekly", D(2026, 1, 4), ("America/New_York",))
    assert period_containing(shifted, D(2027, 1, 9)) == Period("bw2", D(2027, 1, 3), D(2027, 1, 16))
    assert period_containing(BIWEEKLY, D(2025, 12, 27)) == Period(
        "bw", D(2025, 12, 14), D(2025, 12, 27)
    )


def test_semimonthly_periods_split_at_the_fifteenth_including_february():
    assert period_containing(SEMIMONTHLY, D(2027, 2, 15)) == Period(
        "sm", D(2027, 2, 1), D(2027, 2, 15)
    )
    assert period_containing(SEMIMONTHLY, D(2027, 2, 16)) == Period(
        "sm", D(2027, 2, 16), D(2027, 2, 28)
    )
    assert period_containing(SEMIMONTHLY, D(2028, 2, 20)).end == D(2028, 2, 29)


def test_monthly_periods_are_calendar_months():
    assert period_containing(MONTHLY, D(2026, 12, 31)) == Period(
        "mo", D(2026, 12, 1), D(2026, 12, 31)
    )
    assert period_containing(MONTHLY, D(2027, 1, 1)).end == D(2027, 1, 31)


@pytest.mark.parametrize("calendar", [WEEKLY, BIWEEKLY, SEMIMONTHLY, MONTHLY])
def test_periods_tile_the_calendar_without_gap_or_overlap(calendar):
    periods = periods_overlapping(calendar, D(2026, 11, 20), D(2027, 3, 10))
    assert periods[0].start <= D(2026, 11, 20) and periods[-1].end >= D(2027, 3, 10)
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=1)


def test_a_period_closes_at_local_midnight_after_its_last_day_across_dst():
    # PDT (UTC-7) on 2026-11-01 00:00, PST (UTC-8) a week later
    assert closes_at(WEEKLY, Period("wk", D(2026, 10, 25), D(2026, 10, 31))) == at(
        "2026-11-01T07:00:00+00:00"
    )
    assert closes_at(WEEKLY, Period("wk", D(2026, 11, 1), D(2026, 11, 7))) == at(
        "2026-11-08T08:00:00+00:00"
    )
    # spring forward: 2027-03-14
    assert closes_at(WEEKLY, Period("wk", D(2027, 3, 14), D(2027, 3, 20))) == at(
        "2027-03-21T07:00:00+00:00"
    )


def test_a_tenant_across_time_zones_closes_at_its_last_location():
    both = PayCalendar("two", "weekly", D(2026, 3, 1), ("America/New_York", "America/Los_Angeles"))
    assert closes_at(both, Period("two", D(2026, 12, 27), D(2027, 1, 2))) == at(
        "2027-01-03T08:00:00+00:00"
    )


def test_periods_due_uses_close_plus_delay_with_a_half_open_window():
    delay = dt.timedelta(hours=6, minutes=30)
    # the year-end weekly period closes 2027-01-03T08:00Z, due 14:30Z
    due = periods_due(WEEKLY, at("2027-01-03T14:00:00Z"), at("2027-01-03T15:00:00Z"), delay)
    assert due == [Period("wk", D(2026, 12, 27), D(2027, 1, 2))]
    assert periods_due(WEEKLY, at("2027-01-03T14:30:00Z"), at("2027-01-03T15:00Z"), delay) == []
    assert periods_due(WEEKLY, at("2027-01-03T14:00:00Z"), at("2027-01-03T14:30Z"), delay) == due


def test_periods_due_refuses_naive_instants():
    with pytest.raises(ValueError, match="time-zone-aware"):
        periods_due(WEEKLY, dt.datetime(2027, 1, 1), dt.datetime(2027, 1, 2), dt.timedelta())


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=1, max_value=24 * 40), min_size=1, max_size=30),
    delay_minutes=st.integers(min_value=0, max_value=24 * 60 * 3),
)
def test_consecutive_windows_return_every_period_exactly_once(cuts, delay_minutes):
    start = at("2026-10-20T00:00:00Z")
    delay = dt.timedelta(minutes=delay_minutes)
    bounds = [start]
    for hours in cuts:
        bounds.append(bounds[-1] + dt.timedelta(hours=hours))
    for calendar in (WEEKLY, BIWEEKLY, SEMIMONTHLY, MONTHLY):
        pieces = [
            period
            for after, until in zip(bounds, bounds[1:], strict=False)
            for period in periods_due(calendar, after, until, delay)
        ]
        whole = periods_due(calendar, bounds[0], bounds[-1], delay)
        assert pieces == whole
        assert len(set(pieces)) == len(pieces)


@pytest.mark.parametrize(
    ("calendar", "message"),
    [
        (("t", "fortnightly", D(2026, 1, 1), ("UTC",)), "pay_frequency 'fortnightly'"),
        (("t", "biweekly", None, ("UTC",)), "period_anchor is required for biweekly"),
        (("t", "monthly", None, ()), "no location"),
        (("t", "monthly", None, ("Mars/Olympus",)), "'Mars/Olympus' is not an IANA"),
    ],
)
def test_an_unusable_calendar_names_the_tenant_and_field(calendar, message):
    with pytest.raises(CalendarError, match=message):
        PayCalendar(*calendar)
