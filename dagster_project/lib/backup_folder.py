"""The folder ``payroll backup`` and the backup schedule write to: which
backups it holds, the newest one, and the retention applied to it.

A backup is a complete folder ``payroll-<UTC time>[-n]`` with its manifest
(one still being written is ``.payroll-….partial`` and never counts); the
time in its name is when it was taken.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from dagster_project.lib.backup import MANIFEST_NAME, read_verification
from dagster_project.lib.backup_retention import BackupRecord, Retention, plan_retention
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)

BACKUP_NAME = re.compile(r"^payroll-(\d{8}T\d{6}Z)(?:-\d+)?$")
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class StoredBackup:
    path: Path
    record: BackupRecord

    @property
    def taken_at(self) -> dt.datetime:
        return self.record.taken_at

    @property
    def verified(self) -> bool | None:
        return self.record.verified


def taken_at_of(name: str) -> dt.datetime | None:
    """When the backup of this folder name was taken; None: no backup's name."""
    match = BACKUP_NAME.fullmatch(name)
    if match is None:
        return None
    return dt.datetime.strptime(match[1], _TIME_FORMAT).replace(tzinfo=dt.UTC)


def list_backups(folder: Path) -> list[StoredBackup]:
    """Every complete backup in ``folder``, newest first, with its verdict.
    A missing folder is an error (FileNotFoundError): the metrics report it."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: backup folder missing")
    found = []
    for child in folder.iterdir():
        taken = taken_at_of(child.name)
        if taken is None or not (child / MANIFEST_NAME).is_file():
            continue
        verdict = read_verification(child)
        verified = None if verdict is None else verdict.get("ok") is True
        found.append(StoredBackup(child, BackupRecord(child.name, taken, verified)))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


def newest_backup(folder: Path) -> StoredBackup | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def prune_backups(folder: Path, now: dt.datetime, retention: Retention) -> list[StoredBackup]:
    """Delete the backups ``retention`` does not keep; returns those deleted."""
    backups = list_backups(folder)
    by_name = {b.path.name: b for b in backups}
    plan = plan_retention([b.record for b in backups], now, retention)
    deleted = []
    for record in plan.delete:
        backup = by_name[record.name]
        shutil.rmtree(backup.path)
        deleted.append(backup)
    _log.info("backups_pruned", folder=str(folder), kept=len(plan.keep), deleted=len(deleted))
    return deleted
