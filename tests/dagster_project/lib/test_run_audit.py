import datetime as dt

import dagster as dg
import psycopg2

from dagster_project.core.periods import PayPeriodKey
from dagster_project.lib.run_audit import pay_periods_of_run

PERIOD = PayPeriodKey("bistro", dt.date(2026, 3, 15))
REGISTERED = ["bistro|2026-03-01", "bistro|2026-03-15", "bistro|2026-03-29", "acme|2026-03-02"]
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def test_a_job_run_of_one_partition_is_a_pay_period_run():
    assert pay_periods_of_run({"dagster/partition": "bistro|2026-03-15"}) == [PERIOD]


def test_a_materialize_click_of_one_partition_is_a_pay_period_run():
    tags = {RANGE_START: "bistro|2026-03-15", RANGE_END: "bistro|2026-03-15"}
    assert pay_periods_of_run(tags) == [PERIOD]


def test_a_range_run_records_every_period_of_its_range_in_partition_order():
    tags = {RANGE_START: "bistro|2026-03-01", RANGE_END: "bistro|2026-03-29"}
    assert pay_periods_of_run(tags, REGISTERED) == [
        PayPeriodKey("bistro", dt.date(2026, 3, 1)),
        PERIOD,
        PayPeriodKey("bistro", dt.date(2026, 3, 29)),
    ]


def test_runs_of_no_pay_period_or_an_unknown_range_are_not_recorded():
    assert pay_periods_of_run({}) == []
    unknown = {RANGE_START: "bistro|2025-01-01", RANGE_END: "bistro|2026-03-15"}
    assert pay_periods_of_run(unknown, REGISTERED) == []
    assert pay_periods_of_run({"dagster/partition": "2026-03-01"}) == []


# ------------------------------------------------ rows in, rows quarantined

HEADER = "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
UPDATED = "2026-03-08T12:00:00-06:00"


def _punch(event: str, clock_in: str, *, staff="S1", brk="0", updated=UPDATED, tenant="acme"):
    clock_out = "" if not clock_in.startswith("2026") else clock_in.replace("T09:", "T17:")
    return f"{tenant},{event},{staff},AUS,cook,{clock_in},{clock_out},{brk},{updated}"


def _attendance_files(folder):
    """Deliveries for the period 2026-03-01..07 (attendance window 02-21..03-09
    UTC) and around it; every refused row is commented with whether the run
    of that period counts it."""
    files = {
        "attendance.csv": [
            _punch("E1", "2026-03-02T09:00:00-06:00"),
            _punch("E2", "2026-03-03T09:00:00-06:00"),
            "acme,E3,S1,AUS,cook,2026-03-04T09:00:00-06:00,,0," + UPDATED,  # open shift
            _punch("E4", "2026-03-17T09:00:00-05:00"),  # the period of 03-15
            _punch("E6", "2026-03-05T09:00:00-06:00", brk="abc"),  # refused, in the window
            _punch("E7", "2026-03-06T09:00:00-06:00", staff="bad id!"),  # refused, in it
            _punch("E8", "2026-03-18T09:00:00-05:00", brk="abc"),  # refused, later period
            "brew,B1,B1,MIA,server,2026-03-03T10:00:00-05:00,,abc," + UPDATED,  # other tenant
            # a correction of E1 refused: counted once, by its row, not by its event
            _punch("E1", "2026-03-02T09:00:00-06:00", updated="soon"),
        ],
        # a late delivery: its refused row has no readable clock-in, and the
        # file brought attendance of the window: counted with the period
        "attendance_late.csv": [
            _punch("E5", "2026-03-05T18:00:00-06:00"),
            _punch("E9", "yesterday 9am"),
        ],
        # nothing in it dates its one row: in no period's count
        "attendance_garbage.csv": [_punch("E10", "??")],
    }
    for name, rows in files.items():
        (folder / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return folder


def _published_marts(url: str) -> None:
    """``dim_pay_periods``, ``fct_payroll`` and ``fct_attendance_exceptions`` as
    a run of acme's 2026-03-01 period published them (dbt builds them in a
    real run): one classified exception (E3, open) and the refused rows."""
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "create table marts.dim_pay_periods as select 'acme'::text as tenant_id, "
            "date '2026-03-01' as period_start, date '2026-03-07' as period_end, "
            "timestamptz '2026-02-21 00:00:00+00' as attendance_from, "
            "timestamptz '2026-03-09 00:00:00+00' as attendance_to"
        )
        cur.execute(
            "create table marts.fct_payroll as select 'acme'::text as tenant_id, "
            "'S1'::text as staff_id, date '2026-03-01' as period_start, "
            "100.00::numeric as gross_pay, 80.00::numeric as net_pay, 'run-1'::text as run_id"
        )
        cur.execute(
            "create table marts.fct_attendance_exceptions as "
            "select tenant_id, source_file, source_row, event_id, reason_code "
            "from raw.attendance, lateral (select 'open_shift'::text as reason_code) as r "
            "where event_id = 'E3' "
            "union all "
            "select tenant_id, source_file, source_row, record_id, 'malformed_value' "
            "from raw.rejected_rows where file_kind = 'attendance'"
        )
    conn.close()


def _recorded(url: str) -> tuple[int, int]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("select rows_in, rows_quarantined from marts.payroll_runs")
            [row] = cur.fetchall()
            return row
    finally:
        conn.close()


def test_rows_refused_at_ingest_count_in_the_run_of_their_period(database_url, tmp_path):
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    from dagster_project.ingest.loader import ingest_paths
    from dagster_project.lib.run_audit import record_pay_period_run

    report = ingest_paths(database_url, [_attendance_files(tmp_path)])
    assert sum(f.rejected for f in report.files) == 7
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        # a refused row keeps its clock-in when that value was valid
        cur.execute("select record_id from raw.rejected_rows where clock_in is null order by 1")
        assert cur.fetchall() == [("E10",), ("E9",)]
    conn.close()
    _published_marts(database_url)
    with dg.instance_for_test() as instance:
        instance.add_run(
            DagsterRun(
                job_name="pay_period_job",
                run_id="run-1",
                status=DagsterRunStatus.SUCCESS,
                tags={"dagster/partition": "acme|2026-03-01"},
            )
        )
        record_pay_period_run(instance, database_url, "run-1")
    # in: E1, E2, E3, E5 loaded in the window + E6, E7, E1's refused
    # correction and E9 refused; quarantined: E3's exception + those four
    assert _recorded(database_url) == (4 + 4, 1 + 4)
