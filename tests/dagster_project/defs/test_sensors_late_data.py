"""The late-data sensor on a test warehouse: punches loaded after a period was
computed recompute it; a correction to a finalized period recomputes the
tenant's next open period and is flagged."""

import json
import logging

import dagster as dg
import psycopg2
import pytest

from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.sensors.late_data import late_attendance_sensor
from tests.log_events import logged_events

T0 = "2026-04-01T12:00:00+00:00"  # every closed period computed then
T1 = "2026-04-02T08:00:00+00:00"
T2 = "2026-04-02T09:00:00+00:00"
T3 = "2026-04-03T08:00:00+00:00"
T4 = "2026-04-03T09:00:00+00:00"
PERIODS = [
    # start, end, pay date, closed
    ("2026-03-01", "2026-03-07", "2026-03-12", True),
    ("2026-03-08", "2026-03-14", "2026-03-19", True),
    ("2026-03-15", "2026-03-21", "2026-03-26", True),
    ("2026-03-22", "2026-03-28", "2026-04-02", True),
    ("2026-03-29", "2026-04-04", "2026-04-09", False),
]


@pytest.fixture
def warehouse(database_url):
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor, "
            "workweek_start, source_file, source_row) "
            "values ('acme', 'Acme', 'weekly', '2026-03-01', 'monday', 'tenants.csv', 2)"
        )
        cur.execute(
            "insert into raw.locations (tenant_id, location_id, name, timezone, jurisdiction, "
            "source_file, source_row) "
            "values ('acme', 'AUS', 'Austin', 'America/Chicago', 'TX', 'locations.csv', 2)"
        )
        # the published calendar (built by dbt in a real run)
        publish_calendar(cur, "acme", PERIODS)
        for index, (start, *_rest) in enumerate(PERIODS):
            if start != "2026-03-22":  # the fourth period was never computed
                record_run(cur, f"run-{index}", start, T0)
        cur.execute(
            "insert into control.pay_period_finalizations (tenant_id, period_start, run_id) "
            "values ('acme', '2026-03-01', 'run-0')"
        )
        shift(cur, "e1", "2026-03-03T09:00:00-06:00", "2026-03-03T17:00:00-06:00", "2026-03-31")
        shift(cur, "e2", "2026-03-10T09:00:00-05:00", "2026-03-10T17:00:00-05:00", "2026-03-31")
        delivery(cur, "sha-0", "2026-03-31T00:00:00+00:00")
    conn.close()
    return WarehouseResource(database_url=database_url)


def publish_calendar(cur, tenant_id: str, periods) -> None:
    """``marts.dim_pay_periods`` as dbt publishes it, attendance windows included
    (the clock-ins, UTC, from eight days before the period to two after it)."""
    cur.execute(
        "create table if not exists marts.dim_pay_periods (tenant_id text, "
        "pay_frequency text, is_closed boolean, periods_per_year integer, "
        "period_days integer, period_start date, period_end date, pay_date date, "
        "attendance_from timestamptz, attendance_to timestamptz)"
    )
    for start, end, pay, closed in periods:
        cur.execute(
            "insert into marts.dim_pay_periods values (%(tenant)s, 'weekly', %(closed)s, 52, 7, "
            "%(start)s, %(end)s, %(pay)s, "
            "(%(start)s::date - 8)::timestamp at time zone 'UTC', "
            "(%(end)s::date + 2)::timestamp at time zone 'UTC')",
            {"tenant": tenant_id, "closed": closed, "start": start, "end": end, "pay": pay},
        )


def record_run(cur, run_id: str, period_start: str, started: str) -> None:
    cur.execute(
        "insert into marts.payroll_runs (run_id, tenant_id, period_start, status, started_at, "
        "ended_at, recorded_at) values (%s, 'acme', %s, 'SUCCESS', %s, %s, %s)",
        (run_id, period_start, started, started, started),
    )


def shift(cur, event_id: str, clock_in: str, clock_out: str, loaded: str) -> None:
    cur.execute(
        "insert into raw.attendance (tenant_id, event_id, staff_id, location_id, role, clock_in, "
        "clock_out, updated_at, source_file, source_row, loaded_at, file_sha256) "
        "values ('acme', %s, 'S001', 'AUS', 'cook', %s, %s, %s, 'attendance.csv', 2, %s, 'x') "
        "on conflict (tenant_id, event_id) do update set clock_in = excluded.clock_in, "
        "clock_out = excluded.clock_out, updated_at = excluded.updated_at, "
        "loaded_at = excluded.loaded_at",
        (event_id, clock_in, clock_out, loaded, loaded),
    )


def delivery(cur, sha: str, at: str) -> None:
    cur.execute(
        "insert into raw.ingested_files (file_sha256, source_file, file_kind, rows_received, "
        "rows_loaded, rows_replaced, rows_unchanged, rows_rejected, ingested_at) "
        "values (%s, 'attendance.csv', 'attendance', 1, 1, 0, 0, 0, %s)",
        (sha, at),
    )


def change(url: str, *statements: tuple) -> None:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        for function, *args in statements:
            function(cur, *args)
    conn.close()


@pytest.fixture(scope="module")
def repository():
    from dagster_project.definitions import defs

    return defs().get_repository_def()


def evaluate(instance, warehouse, cursor, repository=None):
    context = dg.build_sensor_context(
        instance=instance,
        # the daemon passes a ref: dynamic partitions resolve through it
        instance_ref=instance.get_ref(),
        cursor=cursor,
        resources={"warehouse": warehouse},
        repository_def=repository,
    )
    return late_attendance_sensor.evaluate_tick(context)


RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def planned(data) -> list[tuple[str, str, str]]:
    """Each request: (first period, last period, reasons) — one run per tenant."""
    return [
        (
            r.tags.get(RANGE_START, r.partition_key),
            r.tags.get(RANGE_END, r.partition_key),
            r.tags["payroll/late-reason"],
        )
        for r in data.run_requests
    ]


def test_late_data_recomputes_open_periods_and_flags_finalized_ones(
    warehouse, database_url, caplog, repository
):
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(PAY_PERIODS.name, [f"acme|{p[0]}" for p in PERIODS])

        first = evaluate(instance, warehouse, None, repository)
        assert first.run_requests == []
        assert "no computed period received data" in first.skip_message
        quiet = evaluate(instance, warehouse, first.cursor, repository)
        assert "no delivery and no pay run recorded" in quiet.skip_message

        # Saturday 2026-03-14 loaded late: its Monday workweek ends on Sunday
        # 03-15, so both the week-2 period (hours) and week 3 (overtime) change;
        # an April 1 punch touches only the open, not yet closed period
        change(
            database_url,
            (shift, "e3", "2026-03-14T09:00:00-05:00", "2026-03-14T19:00:00-05:00", T1),
            (shift, "e4", "2026-04-01T09:00:00-05:00", "2026-04-01T17:00:00-05:00", T1),
            (delivery, "sha-1", T1),
        )
        late = evaluate(instance, warehouse, first.cursor, repository)
        # weeks 2 and 3 changed; week 5, computed early (before it closed),
        # follows for its year to date: ONE run from week 2 through week 5
        assert planned(late) == [
            ("acme|2026-03-08", "acme|2026-03-29", "late_data,ytd_after=2026-03-08"),
        ]
        keys = [r.run_key for r in late.run_requests]
        assert keys == [
            "late|acme|2026-03-08..acme|2026-03-29|2026-04-02T08:00:00+00:00",
        ]
        assert late.run_requests[0].tags["payroll/tenant"] == "acme"
        assert late.run_requests[0].tags["payroll/period"] == "2026-03-08..2026-03-29"
        assert json.loads(late.cursor)["watermarks"][0].startswith("2026-04-02T08:00:00")

        # another delivery while those runs are queued: the same run keys, so
        # the daemon launches nothing twice
        change(database_url, (delivery, "sha-2", "2026-04-02T08:30:00+00:00"))
        again = evaluate(instance, warehouse, late.cursor, repository)
        assert [r.run_key for r in again.run_requests] == keys

        # both recomputed after the late punch: nothing left to do
        change(
            database_url,
            (record_run, "run-5", "2026-03-08", T2),
            (record_run, "run-6", "2026-03-15", T2),
            (record_run, "run-7", "2026-03-29", T2),
        )
        done = evaluate(instance, warehouse, again.cursor, repository)
        assert done.run_requests == []

        # a correction to a shift of the finalized first week
        def correct(cur):
            cur.execute(
                "insert into raw.attendance_superseded (file_sha256, source_row, source_file, "
                "tenant_id, event_id, staff_id, clock_in, clock_out, updated_at, reason, "
                "superseded_at) values ('x', 2, 'attendance.csv', 'acme', 'e1', 'S001', "
                "'2026-03-03T09:00:00-06:00', '2026-03-03T17:00:00-06:00', '2026-03-31', "
                "'replaced_by_correction', %s)",
                (T3,),
            )
            shift(cur, "e1", "2026-03-03T09:00:00-06:00", "2026-03-03T18:30:00-06:00", T3)

        change(database_url, (correct,), (delivery, "sha-3", T3))
        with caplog.at_level(logging.WARNING, logger="dagster_project.defs.sensors.late_data"):
            adjusted = evaluate(instance, warehouse, done.cursor, repository)
        assert planned(adjusted) == [
            (
                "acme|2026-03-08",
                "acme|2026-03-29",
                "adjustment_for=2026-03-01,ytd_after=2026-03-08",
            ),
        ]
        assert {
            "event": "late_data_finalized_period",
            "tenant": "acme",
            "period_start": "2026-03-01",
            "late_rows": 2,
            "applied_period_start": "2026-03-08",
            "reason": "adjustment",
        } in logged_events(caplog)

        # the next period ran after the correction: the adjustment is in it
        change(database_url, (record_run, "run-8", "2026-03-08", T4))
        applied = evaluate(instance, warehouse, adjusted.cursor, repository)
        assert applied.run_requests == []
        assert "1 period(s) with late data, nothing to recompute" in applied.skip_message


def test_a_warehouse_without_marts_is_skipped_with_a_reason(database_url):
    with dg.instance_for_test() as instance:
        data = evaluate(instance, WarehouseResource(database_url=database_url), None)
    assert data.run_requests == []
    assert "no pay period computed yet" in data.skip_message


def punch_at(cur, event_id: str, location_id: str, clock_in: str, loaded: str) -> None:
    cur.execute(
        "insert into raw.attendance (tenant_id, event_id, staff_id, location_id, role, clock_in, "
        "clock_out, updated_at, source_file, source_row, loaded_at, file_sha256) "
        "values ('acme', %s, 'S001', %s, 'cook', %s, %s::timestamptz + interval '8 hours', "
        "%s, 'attendance.csv', 2, %s, 'x')",
        (event_id, location_id, clock_in, clock_in, loaded, loaded),
    )


@pytest.mark.parametrize(
    ("location_id", "clock_in", "expected"),
    [
        # at a location the tenant never delivered: an unknown_location
        # exception, published with its period, so the period is recomputed
        # (the sensor's own local-date rule needed the location's time zone
        # and missed it)
        (
            "ZZZ",
            "2026-03-17T09:00:00-05:00",
            ("acme|2026-03-15", "acme|2026-03-29", "late_data,ytd_after=2026-03-15"),
        ),
        # Sunday 03-15 ends its Monday workweek in the period that starts that
        # day; the week-2 period's attendance window (to 03-16 UTC) holds it
        # too, so week 2 is recomputed as well: a run that may change nothing,
        # never a period left stale
        (
            "AUS",
            "2026-03-15T09:00:00-05:00",
            ("acme|2026-03-08", "acme|2026-03-29", "late_data,ytd_after=2026-03-08"),
        ),
    ],
    ids=["unknown-location", "window-edge"],
)
def test_the_periods_a_late_punch_touches_are_those_whose_attendance_window_holds_it(
    warehouse, database_url, repository, location_id, clock_in, expected
):
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(PAY_PERIODS.name, [f"acme|{p[0]}" for p in PERIODS])
        first = evaluate(instance, warehouse, None, repository)
        change(
            database_url,
            (punch_at, "e9", location_id, clock_in, T1),
            (delivery, "sha-9", T1),
        )
        late = evaluate(instance, warehouse, first.cursor, repository)
    assert planned(late) == [expected]
