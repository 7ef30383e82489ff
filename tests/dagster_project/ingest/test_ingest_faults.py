"""Ingest under faults: a dropped connection loads nothing of the file and a
retry loads it all; re-delivering every file changes nothing; an older
correction is ignored, kept as superseded, and logged."""

import logging

import psycopg2
import pytest

from dagster_project.demo.generator import write_demo_files
from dagster_project.ingest import attendance
from dagster_project.ingest.loader import IngestConnectionLost, ingest_paths
from tests.log_events import logged_events

RAW_TABLES = (
    "tenants",
    "locations",
    "staff",
    "pay_rates",
    "attendance",
    "attendance_superseded",
    "adjustments",
    "deductions",
    "ytd_opening",
    "rejected_rows",
)


def _fingerprint(url: str) -> dict[str, tuple]:
    """Row count and a content hash of every landing table (load times aside)."""
    conn = psycopg2.connect(url)
    found = {}
    with conn.cursor() as cur:
        for table in RAW_TABLES:
            cur.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) "
                f"from (select * from raw.{table}) as t"
            )
            found[table] = cur.fetchone()
    conn.close()
    return found


def _strip_load_times(url: str) -> None:
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        for table in RAW_TABLES:
            column = {
                "rejected_rows": "rejected_at",
                "attendance_superseded": "superseded_at",
            }.get(table, "loaded_at")
            cur.execute(f"update raw.{table} set {column} = '2000-01-01'")
    conn.close()


def test_a_dropped_connection_loads_nothing_of_the_file_and_a_retry_loads_it(
    database_url, tmp_path, monkeypatch
):
    summary = write_demo_files(tmp_path)
    attendance_file = tmp_path / "attendance.csv"
    landing_statement = attendance._landing_statement

    def _drop_connection_mid_file(empty_table: bool) -> str:
        # the server ends this session after COPY, before anything is upserted
        return "select pg_terminate_backend(pg_backend_pid()); " + landing_statement(empty_table)

    monkeypatch.setattr(attendance, "_landing_statement", _drop_connection_mid_file)
    with pytest.raises(IngestConnectionLost, match="nothing of this file was loaded"):
        ingest_paths(database_url, [attendance_file])
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        cur.execute("select count(*) from raw.attendance")
        assert cur.fetchone() == (0,)
        cur.execute("select count(*) from raw.ingested_files")
        assert cur.fetchone() == (0,)
    conn.close()

    monkeypatch.setattr(attendance, "_landing_statement", landing_statement)
    report = ingest_paths(database_url, [attendance_file])
    assert report.total("received") == summary.rows["attendance"]
    assert report.total("rejected") == summary.malformed_rows


def test_redelivering_every_file_changes_nothing(database_url, tmp_path):
    write_demo_files(tmp_path)
    ingest_paths(database_url, [tmp_path])
    _strip_load_times(database_url)
    before = _fingerprint(database_url)
    again = ingest_paths(database_url, [tmp_path])
    _strip_load_times(database_url)
    assert (again.total("loaded"), again.total("replaced")) == (0, 0)
    assert _fingerprint(database_url) == before


def test_an_older_correction_is_ignored_kept_and_logged(database_url, tmp_path, caplog):
    header = (
        "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
    )
    first = tmp_path / "attendance.csv"
    first.write_text(
        header + "\nacme,E1,S1,AUS,cook,2026-03-02T09:00:00Z,2026-03-02T17:00:00Z,0,"
        "2026-03-02T18:00:00Z\n"
    )
    older = tmp_path / "attendance_late.csv"
    older.write_text(
        header + "\nacme,E1,S1,AUS,cook,2026-03-02T09:00:00Z,2026-03-02T23:00:00Z,0,"
        "2026-03-02T10:00:00Z\n"
    )
    ingest_paths(database_url, [first])
    with caplog.at_level(logging.WARNING, logger="dagster_project.ingest.attendance"):
        report = ingest_paths(database_url, [older])
    assert (report.total("replaced"), report.total("unchanged")) == (0, 1)
    assert logged_events(caplog) == [
        {
            "event": "attendance_corrections_ignored",
            "file": str(older),
            "rows": 1,
            "reason": "older_than_loaded",
        }
    ]
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        cur.execute("select reason, source_file from raw.attendance_superseded")
        assert cur.fetchall() == [("older_than_loaded", str(older))]
        cur.execute("select clock_out::text from raw.attendance")
        assert cur.fetchone() == ("2026-03-02 17:00:00+00",)
    conn.close()
