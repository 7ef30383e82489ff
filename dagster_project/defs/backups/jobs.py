"""The backup job (take a backup, apply the retention, restore the backup just
taken) and the verify job (restore the newest backup), both around
``lib/backup.py``: the same code as ``payroll backup`` and ``payroll restore
--verify``, so run storage holds every backup's and every verification's
result (a failed verification fails its run).

Ops, not assets: a backup is a copy of the whole warehouse and Dagster's own
storage, read by no other step; as an asset it would sit in the lineage of
nothing, and "materialize all" (or a backfill) would start backups. Each op
hands the next the folder it wrote.

Both jobs are in the pool ``payroll_backups`` (limit 1, deploy/dagster.yaml's
``default_limit``): a retention never deletes a folder a verification is
still reading. They hold no warehouse writer slot: ``pg_dump`` reads one
snapshot while pay runs go on.
"""

import datetime as dt
import re
from pathlib import Path

import dagster as dg
import psycopg2

from dagster_project.defs.resources import (
    DagsterStorageResource,
    PayrollSettingsResource,
    WarehouseResource,
)
from dagster_project.lib.backup import (
    BackupError,
    BackupInputError,
    VerifyReport,
    create_backup,
    verify_backup,
)
from dagster_project.lib.backup_folder import newest_backup, prune_backups
from dagster_project.lib.instance import BACKUP_POOL

BACKUP_JOB = "backup_job"
VERIFY_JOB = "backup_verify_job"
# pg_restore's last line may quote a key of a row (a staff id): only its head
# reaches run storage
_RESTORE_FAILED = re.compile(r"^(pg_restore of \S+ failed \(exit -?\d+\))")


def _safe_problem(problem: str) -> str:
    found = _RESTORE_FAILED.match(problem)
    return found[1] if found else problem


def _verify(context: dg.OpExecutionContext, path: Path, server_url: str) -> VerifyReport:
    """Restore ``path`` into a scratch database; a difference fails the run."""
    try:
        report = verify_backup(path, server_url)
    except (BackupError, BackupInputError, psycopg2.Error) as error:
        raise dg.Failure(description=f"restore --verify of {path} failed: {error}") from None
    metadata = {
        "backup": dg.MetadataValue.path(str(path)),
        "tables_compared": report.tables_compared,
        "mismatches": len(report.mismatches),
        "restore_seconds": round(report.restore_seconds, 1),
    }
    if report.rpo is not None:
        metadata["newest_data_age_seconds"] = round(report.rpo.total_seconds(), 1)
    if not report.ok:
        problems = [
            f"{m.database} {m.table}: {_safe_problem(m.problem)}" for m in report.mismatches
        ]
        raise dg.Failure(
            description=f"restore --verify of {path.name}: {len(problems)} mismatch(es): "
            + "; ".join(problems[:20]),
            metadata=metadata,
        )
    context.add_output_metadata(metadata)
    context.log.info(
        f"backup_verified backup={path.name} tables={report.tables_compared} "
        f"seconds={report.restore_seconds:.1f}"
    )
    return report


@dg.op(pool=BACKUP_POOL, out=dg.Out(str, description="The backup folder written."))
def take_backup(
    context: dg.OpExecutionContext,
    warehouse: WarehouseResource,
    dagster_storage: DagsterStorageResource,
    payroll_settings: PayrollSettingsResource,
) -> str:
    """``payroll backup``: the warehouse and Dagster's storage, with a manifest."""
    try:
        result = create_backup(warehouse.url(), dagster_storage.url(), payroll_settings.backup_path)
    except (BackupError, psycopg2.Error) as error:
        raise dg.Failure(description=f"backup failed: {error}") from None
    context.add_output_metadata(
        {
            "backup": dg.MetadataValue.path(str(result.path)),
            "databases": len(result.databases),
            "tables": sum(len(db.tables) for db in result.databases),
            "bytes": sum(db.bytes for db in result.databases),
            "seconds": round(result.seconds, 1),
        }
    )
    return str(result.path)


@dg.op(pool=BACKUP_POOL, out=dg.Out(str, description="The same backup folder."))
def apply_retention(
    context: dg.OpExecutionContext, payroll_settings: PayrollSettingsResource, backup: str
) -> str:
    """Delete what the retention does not keep (never the backup just taken,
    never the newest verified one)."""
    retention = payroll_settings.backup_retention()
    now = dt.datetime.now(dt.UTC)
    deleted = prune_backups(payroll_settings.backup_path, now, retention)
    context.add_output_metadata(
        {
            "deleted": len(deleted),
            "deleted_backups": ", ".join(b.path.name for b in deleted) or "none",
            "keep_hourly_hours": retention.hourly_hours,
            "keep_daily_days": retention.daily_days,
        }
    )
    return backup


@dg.op(pool=BACKUP_POOL)
def verify_taken_backup(
    context: dg.OpExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
    backup: str,
) -> None:
    """Restore the backup just taken, unless PAYROLL_BACKUP_VERIFY_EACH=false."""
    if not payroll_settings.backup_verify_each:
        context.log.info("backup_verify_skipped reason=PAYROLL_BACKUP_VERIFY_EACH=false")
        return
    _verify(context, Path(backup), warehouse.url())


@dg.op(pool=BACKUP_POOL)
def verify_newest(
    context: dg.OpExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> None:
    """``payroll restore --verify`` of the newest backup in the folder."""
    folder = payroll_settings.backup_path
    try:
        newest = newest_backup(folder)
    except FileNotFoundError:
        newest = None
    if newest is None:
        raise dg.Failure(description=f"{folder}: no backup to verify (run the {BACKUP_JOB})")
    _verify(context, newest.path, warehouse.url())


@dg.job(
    name=BACKUP_JOB,
    executor_def=dg.in_process_executor,
    description="Backs up the warehouse and Dagster's storage (pg_dump, manifest of counts and "
    "checksums), applies the retention (PAYROLL_BACKUP_KEEP_HOURLY_HOURS, "
    "PAYROLL_BACKUP_KEEP_DAILY_DAYS), then restores the new backup into a scratch database.",
)
def backup_job() -> None:
    verify_taken_backup(apply_retention(take_backup()))


@dg.job(
    name=VERIFY_JOB,
    executor_def=dg.in_process_executor,
    description="Restores the newest backup into a scratch database and compares every table "
    "with its manifest; fails when anything differs.",
)
def backup_verify_job() -> None:
    verify_newest()


def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[backup_job, backup_verify_job])
