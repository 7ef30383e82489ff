"""The backup and verify schedules as the daemon evaluates them, and their jobs
run in process with the real resources against real databases: a backup of
the warehouse and of a separate Dagster storage, the retention applied to a
folder of older backups, a restore of the new one, and a verification that
fails its run when a table differs."""

import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from dagster._utils.schedules import schedule_execution_time_iterator

from dagster_project.defs.backups.jobs import BACKUP_JOB, VERIFY_JOB
from dagster_project.defs.resources import (
    DagsterStorageResource,
    PayrollSettingsResource,
    WarehouseResource,
)
from dagster_project.defs.schedules.backups import BACKUP_SCHEDULE, VERIFY_SCHEDULE
from dagster_project.lib.backup_folder import list_backups
from dagster_project.lib.metrics import backup_ages
from dagster_project.settings import Settings

UTC = dt.UTC
PAYSLIPS = 37
EVENTS = 23


def _execute(sql: str, url: str) -> None:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def databases(make_database) -> tuple[str, str]:
    """A migrated warehouse with a table of known rows, and a Dagster storage
    of its own (as PAYROLL_DAGSTER_DATABASE_URL sets it)."""
    warehouse, storage = make_database("backup_job_wh"), make_database("backup_job_dagster")
    _execute(
        "create table raw.backup_probe as "
        f"select n as id, 'row ' || n as label from generate_series(1, {PAYSLIPS}) as n",
        warehouse,
    )
    _execute(
        "create table public.event_logs as "
        f"select n as id, 'event ' || n as event from generate_series(1, {EVENTS}) as n",
        storage,
    )
    return warehouse, storage


def _definitions(databases, folder: Path, **settings) -> dg.Definitions:
    from dagster_project.definitions import build_defs

    warehouse, storage = databases
    resources = {
        "warehouse": WarehouseResource(database_url=warehouse),
        "dagster_storage": DagsterStorageResource(database_url=storage),
        "payroll_settings": PayrollSettingsResource(
            home=str(folder.parent), backup_dir=str(folder), **settings
        ),
    }
    return build_defs(resources, settings=Settings(home=folder.parent))


def _manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text())


def _copy_as(source: Path, taken: dt.datetime, verified: bool | None) -> str:
    """A real backup folder under an older name (the name is when it was
    taken), with the verdict a verification of it would have left."""
    name = f"payroll-{taken:%Y%m%dT%H%M%SZ}"
    target = source.parent / name
    shutil.copytree(source, target)
    (target / "verification.json").unlink(missing_ok=True)
    if verified is not None:
        (target / "verification.json").write_text(json.dumps({"format": 1, "ok": verified}))
    return name


def test_the_schedules_tick_on_the_crons_of_the_settings(tmp_path):
    from dagster_project.definitions import build_defs

    default = build_defs(settings=Settings(home=tmp_path)).get_repository_def()
    assert default.get_schedule_def(BACKUP_SCHEDULE).cron_schedule == "0 * * * *"
    assert default.get_schedule_def(VERIFY_SCHEDULE).cron_schedule == "30 3 * * *"

    settings = Settings(home=tmp_path, backup_cron="15 */2 * * *", backup_verify_cron="0 4 * * 1")
    repository = build_defs(settings=settings).get_repository_def()
    backup = repository.get_schedule_def(BACKUP_SCHEDULE)
    verify = repository.get_schedule_def(VERIFY_SCHEDULE)
    assert (backup.job_name, verify.job_name) == (BACKUP_JOB, VERIFY_JOB)
    assert backup.default_status == dg.DefaultScheduleStatus.RUNNING
    start = dt.datetime(2026, 12, 31, 22, 0, tzinfo=UTC).timestamp()
    ticks = schedule_execution_time_iterator(start, backup.cron_schedule, backup.execution_timezone)
    assert [next(ticks).isoformat() for _ in range(3)] == [
        "2026-12-31T22:15:00+00:00",
        "2027-01-01T00:15:00+00:00",
        "2027-01-01T02:15:00+00:00",
    ]
    weekly = schedule_execution_time_iterator(start, verify.cron_schedule, "UTC")
    assert [next(weekly).date().isoformat() for _ in range(2)] == ["2027-01-04", "2027-01-11"]

    with dg.instance_for_test() as instance:
        for schedule, trigger in ((backup, "backup"), (verify, "backup-verify")):
            # as a context manager: the instance it opens is closed again
            with dg.build_schedule_context(
                instance=instance,
                scheduled_execution_time=dt.datetime(2027, 1, 4, 4, 0, tzinfo=UTC),
                repository_def=repository,
            ) as context:
                (request,) = schedule.evaluate_tick(context).run_requests
            assert request.run_key == f"{trigger}:2027-01-04T04:00+0000"
            assert request.tags["payroll/trigger"] == trigger
            assert request.tags["dagster/schedule_name"] == schedule.name


def test_bad_backup_settings_are_refused_with_their_name():
    with pytest.raises(ValueError, match="backup_cron"):
        Settings(backup_cron="every hour")
    with pytest.raises(ValueError, match="backup_keep_hourly_hours"):
        Settings(backup_keep_hourly_hours=0)


def test_the_backup_job_backs_up_prunes_and_restores(databases, tmp_path):
    folder = tmp_path / "backups"
    definitions = _definitions(databases, folder)
    with dg.instance_for_test() as instance:
        job = definitions.resolve_job_def(BACKUP_JOB)
        first = job.execute_in_process(instance=instance)
        assert first.success
        (taken,) = list_backups(folder)
        assert taken.verified is True
        now = dt.datetime.now(UTC)
        hour_ago = now - dt.timedelta(hours=1)
        # older backups: one an hour ago (its hour's only one); three in one hour
        # 49-50 h ago (past the hourly window: their day's newest good one stays);
        # one of 40 days ago (goes); one of 20 days ago never verified (its day's only one)
        two_days = (now - dt.timedelta(hours=50)).replace(minute=0, second=0, microsecond=0)
        names = {
            "hour_ago": _copy_as(taken.path, hour_ago, True),
            "two_days_a": _copy_as(taken.path, two_days + dt.timedelta(minutes=5), True),
            "two_days_b": _copy_as(taken.path, two_days + dt.timedelta(minutes=35), False),
            "two_days_c": _copy_as(taken.path, two_days + dt.timedelta(minutes=50), True),
            "forty_days": _copy_as(taken.path, now - dt.timedelta(days=40), False),
            "twenty_days": _copy_as(taken.path, now - dt.timedelta(days=20), None),
        }
        shutil.rmtree(taken.path)  # a backup of this very hour would be displaced by the next

        second = job.execute_in_process(instance=instance)
        assert second.success
        remaining = {b.path.name for b in list_backups(folder)}
        newest = max(remaining)
        assert remaining == {
            newest,
            names["hour_ago"],
            names["two_days_c"],
            names["twenty_days"],
        }

        manifest = _manifest(folder / newest)
        warehouse, storage = (db["tables"] for db in manifest["databases"])
        assert [db["role"] for db in manifest["databases"]] == ["warehouse", "dagster"]
        assert warehouse["raw.backup_probe"]["rows"] == PAYSLIPS
        assert storage["public.event_logs"]["rows"] == EVENTS

        # run storage: each step's result, the restore's comparison among them
        records = instance.get_run_records(dg.RunsFilter(job_name=BACKUP_JOB))
        assert [r.dagster_run.status for r in records] == [dg.DagsterRunStatus.SUCCESS] * 2
        metadata = _step_metadata(instance, second.run_id)
        assert metadata["take_backup"]["tables"] == len(warehouse) + len(storage)
        assert metadata["apply_retention"]["deleted"] == 3
        assert metadata["verify_taken_backup"]["tables_compared"] == len(warehouse) + len(storage)
        assert metadata["verify_taken_backup"]["mismatches"] == 0
        verdict = json.loads((folder / newest / "verification.json").read_text())
        assert verdict["ok"] is True and verdict["tables_compared"] == len(warehouse) + len(storage)

        ages = backup_ages(folder, dt.datetime.now(UTC).timestamp())
        assert 0 <= ages.newest_verified == ages.newest < 120


def _step_metadata(instance, run_id: str) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_OUTPUT):
        data = record.dagster_event.event_specific_data
        found[record.step_key] = {key: value.value for key, value in data.metadata.items()}
    return found


def test_a_verification_that_fails_fails_its_run(databases, tmp_path):
    folder = tmp_path / "backups"
    definitions = _definitions(databases, folder, backup_verify_each=False)
    with dg.instance_for_test() as instance:
        assert definitions.resolve_job_def(BACKUP_JOB).execute_in_process(instance=instance).success
        (taken,) = list_backups(folder)
        assert taken.verified is None  # PAYROLL_BACKUP_VERIFY_EACH=false: not restored

        verify = definitions.resolve_job_def(VERIFY_JOB)
        assert verify.execute_in_process(instance=instance).success
        assert list_backups(folder)[0].verified is True

        manifest = _manifest(taken.path)
        manifest["databases"][0]["tables"]["raw.backup_probe"]["rows"] = PAYSLIPS + 1
        (taken.path / "manifest.json").write_text(json.dumps(manifest))
        failed = verify.execute_in_process(instance=instance, raise_on_error=False)
        assert not failed.success
        (failure,) = [
            e for e in failed.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        description = failure.step_failure_data.user_failure_data.description
        assert f"warehouse raw.backup_probe: {PAYSLIPS} rows, expected {PAYSLIPS + 1}" in (
            description
        )
        run = instance.get_run_by_id(failed.run_id)
        assert run.status == dg.DagsterRunStatus.FAILURE
        assert list_backups(folder)[0].verified is False
        # the metrics: no verified backup left (the only one just failed)
        assert backup_ages(folder, dt.datetime.now(UTC).timestamp()).newest_verified is None


def test_the_verify_job_without_a_backup_fails_and_says_why(databases, tmp_path):
    definitions = _definitions(databases, tmp_path / "none-yet")
    with dg.instance_for_test() as instance:
        result = definitions.resolve_job_def(VERIFY_JOB).execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert (
        "none-yet: no backup to verify" in failure.step_failure_data.user_failure_data.description
    )


def test_payroll_backup_writes_where_the_schedule_does(databases, tmp_path, monkeypatch):
    """`payroll backup` without --out and the metrics' default folder follow
    PAYROLL_BACKUP_DIR, the folder the backup job writes."""
    from typer.testing import CliRunner

    from dagster_project.cli import app
    from dagster_project.settings import get_settings

    warehouse, _ = databases
    monkeypatch.setenv("PAYROLL_DATABASE_URL", warehouse)
    monkeypatch.setenv("PAYROLL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PAYROLL_BACKUP_DIR", str(tmp_path / "scheduled"))
    monkeypatch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        made = CliRunner().invoke(app, ["backup"])
        assert get_settings().backup_path == tmp_path / "scheduled"
    finally:
        get_settings.cache_clear()
    assert made.exit_code == 0, made.output
    (backup,) = list_backups(tmp_path / "scheduled")
    assert _manifest(backup.path)["databases"][0]["tables"]["raw.backup_probe"]["rows"] == PAYSLIPS


def test_the_backup_steps_share_one_pool_limited_to_one_run():
    from dagster_project.defs.backups.jobs import backup_job, backup_verify_job
    from dagster_project.lib.instance import BACKUP_POOL, ensure_warehouse_pool

    pools = {node.definition.pool for job in (backup_job, backup_verify_job) for node in job.nodes}
    assert pools == {BACKUP_POOL}
    with dg.instance_for_test() as instance:
        ensure_warehouse_pool(instance)
        limits = {p.name: p.limit for p in instance.event_log_storage.get_pool_limits()}
    assert limits[BACKUP_POOL] == 1
    compose = (Path(__file__).resolve().parents[3] / "deploy" / "docker-compose.yaml").read_text()
    assert f"dagster instance concurrency set {BACKUP_POOL} 1" in compose
