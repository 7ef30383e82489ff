"""The period-close schedule, tick by tick, on a test instance and a test
warehouse: four calendars, across the 2026 DST change and the new year."""

import datetime as dt

import dagster as dg
import psycopg2
import pytest
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.utils import make_new_run_id

from dagster_project.core.names import PAY_PERIOD_JOB
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource
from dagster_project.defs.schedules.schedules import pay_period_close_schedule
from dagster_project.lib.launch import refresh_calendar

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
TENANTS = [
    # tenant, name, frequency, anchor, workweek start
    ("wk", "Weekly Diner", "weekly", "2026-03-01", "sunday"),
    ("bw", "Biweekly Bistro", "biweekly", "2025-12-28", "sunday"),
    ("sm", "Semimonthly Cafe", "semimonthly", None, "monday"),
    ("mo", "Monthly Grill", "monthly", None, "monday"),
]
LOCATIONS = [
    ("wk", "LAX", "America/Los_Angeles", "CA"),
    ("bw", "NYC", "America/New_York", "NY"),
    ("bw", "SFO", "America/Los_Angeles", "CA"),  # bw closes when San Francisco does
    ("sm", "CHI", "America/Chicago", "IL"),
    ("mo", "DEN", "America/Denver", "CO"),
]


# Every period whose close (+6.5 h) falls in the two tick ranges of the first
# test (or the 72 h catch-up before each), worked out by hand from the calendars.
DST_PERIODS = {
    "wk|2026-10-18",  # due 2026-10-25T13:30Z
    "wk|2026-10-25",
    "wk|2026-11-01",
    "bw|2026-10-18",
    "sm|2026-10-16",
    "mo|2026-10-01",
}
NEW_YEAR_PERIODS = {
    "wk|2026-12-20",
    "wk|2026-12-27",
    "wk|2027-01-03",
    "bw|2026-12-13",
    "bw|2026-12-27",
    "sm|2026-12-16",
    "mo|2026-12-01",
}
# between the two ranges, never evaluated: a control that nothing leaks across
BETWEEN_PERIODS = {
    "wk|2026-11-22",
    "wk|2026-11-29",
    "bw|2026-11-15",
    "sm|2026-11-16",
    "sm|2026-12-01",
    "mo|2026-11-01",
}
EXPECTED_PERIODS = DST_PERIODS | NEW_YEAR_PERIODS
# the calendar reaches the period of its clock: past the last tick
CALENDAR_AS_OF = "2027-01-12T00:00:00+00:00"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def hourly(first: str, last: str) -> list[dt.datetime]:
    ticks, tick = [], at(first)
    while tick <= at(last):
        ticks.append(tick)
        tick += HOUR
    return ticks


def repository_defs(resources=None) -> dg.Definitions:
    from dagster_project.definitions import build_defs

    return build_defs(resources)


@pytest.fixture(scope="module")
def repository():
    return repository_defs().get_repository_def()


@pytest.fixture
def settings(tmp_path):
    return PayrollSettingsResource(
        home=str(tmp_path), schedule_close_delay_hours=6.5, schedule_catchup_hours=72
    )


@pytest.fixture
def warehouse(database_url, settings, tmp_path):
    """The four tenants, one hire each from September 2026, and their
    calendar built and published as of the last tick: the schedule reads the
    published calendar."""
    warehouse = WarehouseResource(database_url=database_url)
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        for tenant_id, name, frequency, anchor, workweek in TENANTS:
            cur.execute(
                "insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor, "
                "workweek_start, source_file, source_row) values (%s, %s, %s, %s, %s, 't.csv', 1)",
                (tenant_id, name, frequency, anchor, workweek),
            )
        for tenant_id, location_id, timezone, state in LOCATIONS:
            cur.execute(
                "insert into raw.locations (tenant_id, location_id, name, timezone, "
                "jurisdiction, source_file, source_row) values (%s, %s, %s, %s, %s, 'l.csv', 1)",
                (tenant_id, location_id, location_id, timezone, state),
            )
        for tenant_id, *_ in TENANTS:
            home = next(location for tenant, location, *_ in LOCATIONS if tenant == tenant_id)
            cur.execute(
                "insert into raw.staff (tenant_id, staff_id, full_name, home_location_id, "
                "pay_type, hired_on, source_file, source_row) "
                "values (%s, 'S1', 'Staff One', %s, 'hourly', '2026-09-01', 's.csv', 1)",
                (tenant_id, home),
            )
    conn.close()
    resources = {"warehouse": warehouse, "payroll_settings": settings}
    with dg.instance_for_test() as calendar_instance:
        built = refresh_calendar(
            repository_defs(resources),
            calendar_instance,
            CALENDAR_AS_OF,
            log_path=tmp_path / "logs" / "runs.log",
        )
        assert built.success, built
    return warehouse


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        test_instance.add_dynamic_partitions(
            PAY_PERIODS.name, sorted(EXPECTED_PERIODS | BETWEEN_PERIODS)
        )
        yield test_instance


def tick(instance, repository, warehouse, when: dt.datetime):
    """One tick as the daemon runs it: evaluate, then create the runs requested
    (the close delay is 6.5 hours, the catch-up window 72)."""
    settings = PayrollSettingsResource(schedule_close_delay_hours=6.5, schedule_catchup_hours=72)
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=when,
        resources={"warehouse": warehouse, "payroll_settings": settings},
        repository_def=repository,
    )
    # The daemon rebuilds the instance from its ref at every tick (250 ms on
    # sqlite); under test every tick shares the open one.
    context._instance = instance
    data = pay_period_close_schedule.evaluate_tick(context)
    for request in data.run_requests:
        instance.add_run(
            DagsterRun(job_name=PAY_PERIOD_JOB, run_id=make_new_run_id(), tags=request.tags)
        )
    return data


def test_every_calendar_launches_each_period_once_after_close_plus_delay(
    instance, repository, warehouse
):
    """Hourly ticks over the 2026-11-01 DST change and over the new year."""
    ticks = hourly("2026-10-25T00:00:00+00:00", "2026-11-09T00:00:00+00:00") + hourly(
        "2026-12-26T00:00:00+00:00", "2027-01-11T00:00:00+00:00"
    )
    launched: dict[str, list[dt.datetime]] = {}
    for when in ticks:
        for request in tick(instance, repository, warehouse, when).run_requests:
            assert request.run_key == request.partition_key
            assert request.tags["dagster/partition"] == request.partition_key
            tenant, _, period = request.partition_key.partition("|")
            assert request.tags["payroll/tenant"] == tenant
            assert request.tags["payroll/period"] == period
            launched.setdefault(request.partition_key, []).append(when)

    assert set(launched) == EXPECTED_PERIODS
    assert all(len(ticks) == 1 for ticks in launched.values())
    first_tick = {key: ticks[0] for key, ticks in launched.items()}
    # Los Angeles: PDT before the 2026-11-01 change, PST after (close 07:00Z, then 08:00Z)
    assert first_tick["wk|2026-10-25"] == at("2026-11-01T14:00:00+00:00")
    assert first_tick["wk|2026-11-01"] == at("2026-11-08T15:00:00+00:00")
    # weekly and biweekly periods that straddle the new year
    assert first_tick["wk|2026-12-27"] == at("2027-01-03T15:00:00+00:00")
    assert first_tick["bw|2026-12-27"] == at("2027-01-10T15:00:00+00:00")
    # bw closes at its western location, three hours after New York's midnight
    assert first_tick["bw|2026-10-18"] == at("2026-11-01T14:00:00+00:00")
    # Chicago semimonthly: CDT for October's second half, CST for December's
    assert first_tick["sm|2026-10-16"] == at("2026-11-01T12:00:00+00:00")
    assert first_tick["sm|2026-12-16"] == at("2027-01-01T13:00:00+00:00")
    # Denver monthly: October closes at 06:00Z (MDT), December at 07:00Z (MST)
    assert first_tick["mo|2026-10-01"] == at("2026-11-01T13:00:00+00:00")
    assert first_tick["mo|2026-12-01"] == at("2027-01-01T14:00:00+00:00")
    assert len(instance.get_runs(dg.RunsFilter(job_name=PAY_PERIOD_JOB))) == 13


def test_periods_missed_while_the_daemon_was_down_launch_once_on_the_next_tick(
    instance, repository, warehouse
):
    before = tick(instance, repository, warehouse, at("2026-11-01T10:00:00+00:00"))
    assert before.run_requests == []
    assert "no pay period of 4 tenant(s) closed" in before.skip_message
    # down from 10:00Z on Nov 1 to 20:00Z on Nov 2: four periods fell due meanwhile
    after = tick(instance, repository, warehouse, at("2026-11-02T20:00:00+00:00"))
    assert [r.partition_key for r in after.run_requests] == [
        "bw|2026-10-18",
        "mo|2026-10-01",
        "sm|2026-10-16",
        "wk|2026-10-25",
    ]
    for when in hourly("2026-11-02T21:00:00+00:00", "2026-11-03T06:00:00+00:00"):
        data = tick(instance, repository, warehouse, when)
        assert data.run_requests == []
    assert "already launched" in data.skip_message


def test_finalized_periods_are_skipped_and_late_registered_ones_launch_later(
    instance, repository, warehouse, database_url
):
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "insert into control.pay_period_finalizations (tenant_id, period_start, run_id) "
            "values ('mo', '2026-11-01', 'manual')"
        )
    conn.close()
    instance.delete_dynamic_partition(PAY_PERIODS.name, "wk|2026-11-01")

    # due in the 72 h before 2026-12-01T14:00Z: four periods, one of them finalized
    finalized = tick(instance, repository, warehouse, at("2026-12-01T14:00:00+00:00"))
    assert [r.partition_key for r in finalized.run_requests] == [
        "bw|2026-11-15",
        "sm|2026-11-16",
        "wk|2026-11-22",
    ]
    quiet = tick(instance, repository, warehouse, at("2026-12-01T15:00:00+00:00"))
    assert quiet.run_requests == []
    assert "mo|2026-11-01 finalized" in quiet.skip_message

    # due 2026-11-08T14:30Z, but no partition yet (no data, calendar not refreshed)
    for when in hourly("2026-11-08T15:00:00+00:00", "2026-11-08T18:00:00+00:00"):
        data = tick(instance, repository, warehouse, when)
        assert data.run_requests == []
    assert "wk|2026-11-01 not registered yet" in data.skip_message
    instance.add_dynamic_partitions(PAY_PERIODS.name, ["wk|2026-11-01"])
    late = tick(instance, repository, warehouse, at("2026-11-08T19:00:00+00:00"))
    assert [r.partition_key for r in late.run_requests] == ["wk|2026-11-01"]
    again = tick(instance, repository, warehouse, at("2026-11-08T20:00:00+00:00"))
    assert again.run_requests == []


def test_the_sql_calendar_closes_each_period_when_the_reference_does(warehouse, database_url):
    """Every published period's ``closes_at`` (SQL, the one the schedule uses)
    equals an independent reading of the rule (tests/reference/pay_calendar.py)."""
    from tests.reference.pay_calendar import PayCalendar, Period, closes_at

    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        cur.execute(
            "select tenant_id, period_start, period_end, closes_at, is_closed "
            "from marts.dim_pay_periods order by 1, 2"
        )
        periods = cur.fetchall()
    conn.close()
    calendars = {
        tenant_id: PayCalendar(
            tenant_id,
            frequency,
            dt.date.fromisoformat(anchor) if anchor else None,
            tuple(sorted(tz for tenant, _, tz, _ in LOCATIONS if tenant == tenant_id)),
        )
        for tenant_id, _, frequency, anchor, _ in TENANTS
    }
    assert len(periods) >= 4 * 4  # September 2026 to January 2027, every tenant
    clock = at(CALENDAR_AS_OF)
    for tenant_id, start, end, closes, is_closed in periods:
        expected = closes_at(calendars[tenant_id], Period(tenant_id, start, end))
        assert closes == expected, (tenant_id, start)
        assert is_closed == (expected <= clock), (tenant_id, start)
