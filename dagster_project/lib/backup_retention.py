"""Which backups a retention keeps: a pure function of their times, their
verification verdicts and the clock, so every rule is tested without a file.

A backup is kept when it is

- the newest of its UTC hour and younger than ``hourly_hours``;
- the newest of its UTC day and younger than ``daily_days``;
- the newest backup of all (a schedule stopped for a month must not leave
  nothing behind), or the newest one a restore proved (the RPO the metrics
  report is that backup's age: it must still exist).

The newest of an hour or a day is its newest backup that did not fail a
verification; only when every backup of the bucket failed is it the newest
of them, so a corrupt dump never displaces a good one of the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

DEFAULT_HOURLY_HOURS = 48
DEFAULT_DAILY_DAYS = 30


@dataclass(frozen=True)
class Retention:
    hourly_hours: int = DEFAULT_HOURLY_HOURS
    daily_days: int = DEFAULT_DAILY_DAYS

    def __post_init__(self) -> None:
        if self.hourly_hours < 1 or self.daily_days < 1:
            raise ValueError("a retention keeps at least one hour and one day")


@dataclass(frozen=True)
class BackupRecord:
    """One backup as the retention sees it: a name, when it was taken (UTC)
    and its verdict (True: a restore proved it, False: a restore failed,
    None: never verified)."""

    name: str
    taken_at: dt.datetime
    verified: bool | None = None


@dataclass(frozen=True)
class RetentionPlan:
    keep: tuple[BackupRecord, ...]
    delete: tuple[BackupRecord, ...]


def _newest_per_bucket(
    backups: Iterable[BackupRecord], bucket: Callable[[dt.datetime], object]
) -> set[str]:
    chosen: dict[object, BackupRecord] = {}
    for backup in backups:
        key = bucket(backup.taken_at)
        best = chosen.get(key)
        # not failed beats failed; then the newer (then the later name, for a tie)
        rank = (backup.verified is not False, backup.taken_at, backup.name)
        if best is None or rank > (best.verified is not False, best.taken_at, best.name):
            chosen[key] = backup
    return {backup.name for backup in chosen.values()}


def _hour(at: dt.datetime) -> tuple[int, int, int, int]:
    at = at.astimezone(dt.UTC)
    return (at.year, at.month, at.day, at.hour)


def _day(at: dt.datetime) -> dt.date:
    return at.astimezone(dt.UTC).date()


def plan_retention(
    backups: Sequence[BackupRecord], now: dt.datetime, retention: Retention
) -> RetentionPlan:
    """Split ``backups`` into those the retention keeps and those it deletes
    (both newest first)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    hourly_since = now - dt.timedelta(hours=retention.hourly_hours)
    daily_since = now - dt.timedelta(days=retention.daily_days)
    keep = _newest_per_bucket((b for b in backups if b.taken_at > hourly_since), _hour)
    keep |= _newest_per_bucket((b for b in backups if b.taken_at > daily_since), _day)
    if backups:
        keep.add(max(backups, key=lambda b: (b.taken_at, b.name)).name)
    verified = [b for b in backups if b.verified is True]
    if verified:
        keep.add(max(verified, key=lambda b: (b.taken_at, b.name)).name)
    ordered = sorted(backups, key=lambda b: (b.taken_at, b.name), reverse=True)
    return RetentionPlan(
        keep=tuple(b for b in ordered if b.name in keep),
        delete=tuple(b for b in ordered if b.name not in keep),
    )
