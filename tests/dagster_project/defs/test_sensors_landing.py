"""Dropping a file in the landing folder launches exactly one ingest run;
dropping the same file again launches none."""

import shutil
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource
from dagster_project.defs.sensors.jobs import LANDING_INGEST_JOB
from dagster_project.defs.sensors.landing import landing_folder_sensor

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "e2e"


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def resources(landing, tmp_path, database_url):
    return {
        "warehouse": WarehouseResource(database_url=database_url),
        "payroll_settings": PayrollSettingsResource(
            home=str(tmp_path / "home"), landing_dir=str(landing), landing_settle_seconds=0
        ),
    }


def evaluate(instance, cursor, resources):
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"payroll_settings": resources["payroll_settings"]},
    )
    return landing_folder_sensor.evaluate_tick(context)


def count(url: str, sql: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_a_dropped_delivery_launches_one_ingest_run_and_a_redrop_none(
    landing, resources, database_url
):
    from dagster_project.definitions import build_defs

    job = build_defs(resources).resolve_job_def(LANDING_INGEST_JOB)
    with dg.instance_for_test() as instance:
        empty = evaluate(instance, None, resources)
        assert empty.run_requests == []
        assert "no new delivery" in empty.skip_message

        for name in ("tenants.csv", "locations.csv", "staff.csv", "pay_rates.csv"):
            shutil.copy(FIXTURES / name, landing / name)
        shutil.copy(FIXTURES / "attendance.csv", landing / "attendance_2026-03.csv")
        first = evaluate(instance, empty.cursor, resources)
        assert len(first.run_requests) == 1
        request = first.run_requests[0]
        assert request.run_key.startswith("landing|")
        assert request.tags["payroll/landing-files"] == "5"

        # the daemon launches the request: one run of the ingest job
        result = job.execute_in_process(instance=instance, tags=request.tags)
        assert result.success
        runs = instance.get_runs()
        assert [run.job_name for run in runs] == [LANDING_INGEST_JOB]
        assert count(database_url, "select count(*) from raw.attendance") == 28
        assert count(database_url, "select count(*) from raw.tenants") == 2
        # the calendar rebuilt and its periods registered for the schedule
        assert count(database_url, "select count(*) from marts.dim_pay_periods") > 0
        assert "acme|2026-03-01" in instance.get_dynamic_partitions("pay_periods")

        # nothing new: the next evaluation launches nothing
        quiet = evaluate(instance, first.cursor, resources)
        assert quiet.run_requests == []
        assert "5 file(s) already ingested" in quiet.skip_message

        # the same file dropped again, under a new name too: still nothing
        shutil.copy(FIXTURES / "attendance.csv", landing / "attendance_2026-03.csv")
        shutil.copy(FIXTURES / "attendance.csv", landing / "attendance_resent.csv")
        redrop = evaluate(instance, quiet.cursor, resources)
        assert redrop.run_requests == []

        # a changed file is a new delivery: one more request, with a new run key
        with (landing / "staff.csv").open("a") as handle:
            handle.write("\n")
        changed = evaluate(instance, redrop.cursor, resources)
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].run_key != request.run_key
        assert len(instance.get_runs()) == 1
