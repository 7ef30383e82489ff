"""The retention: the newest backup of each hour for 48 h, of each day for 30
days, never the newest backup nor the newest verified one — by hand-worked
cases and by properties over arbitrary backup histories."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dagster_project.lib.backup_retention import BackupRecord, Retention, plan_retention

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 17, 20, tzinfo=UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def backup(text: str, verified: bool | None = True) -> BackupRecord:
    taken = at(text)
    return BackupRecord(f"payroll-{taken:%Y%m%dT%H%M%SZ}", taken, verified)


def kept(backups: list[BackupRecord], retention: Retention) -> list[str]:
    return [
        b.taken_at.strftime("%Y-%m-%dT%H:%M") for b in plan_retention(backups, NOW, retention).keep
    ]


CASES = [
    pytest.param(
        [backup("2026-12-02T17:00"), backup("2026-12-02T16:00"), backup("2026-12-02T15:00")],
        Retention(),
        ["2026-12-02T17:00", "2026-12-02T16:00", "2026-12-02T15:00"],
        id="hourly backups within 48 h are all kept",
    ),
    pytest.param(
        [backup("2026-12-02T17:05"), backup("2026-12-02T17:01"), backup("2026-12-02T16:59")],
        Retention(),
        ["2026-12-02T17:05", "2026-12-02T16:59"],
        id="two in one hour: the newer of them",
    ),
    pytest.param(
        # 49 h old and older: only each day's newest survives
        [
            backup("2026-11-30T16:00"),
            backup("2026-11-30T15:00"),
            backup("2026-11-30T09:00"),
            backup("2026-11-29T23:00"),
            backup("2026-11-29T01:00"),
        ],
        Retention(),
        ["2026-11-30T16:00", "2026-11-29T23:00"],
        id="past 48 h the newest of each UTC day",
    ),
    pytest.param(
        # 17:10 is 48 h 10 min old, out of the hourly window; 17:30 of its hour is in
        [backup("2026-11-30T23:00"), backup("2026-11-30T17:30"), backup("2026-11-30T17:10")],
        Retention(),
        ["2026-11-30T23:00", "2026-11-30T17:30"],
        id="the 48 h boundary cuts through an hour",
    ),
    pytest.param(
        [backup("2026-12-02T17:00"), backup("2026-11-02T18:00"), backup("2026-11-02T17:00")],
        Retention(),
        ["2026-12-02T17:00", "2026-11-02T18:00"],
        id="30 days: the day 29 days 23 h ago is kept, nothing older",
    ),
    pytest.param(
        [backup("2026-12-02T17:00"), backup("2026-11-01T23:59"), backup("2026-10-01T00:00")],
        Retention(),
        ["2026-12-02T17:00"],
        id="older than 30 days goes",
    ),
    pytest.param(
        [backup("2026-10-01T00:00", None), backup("2026-09-01T00:00", None)],
        Retention(),
        ["2026-10-01T00:00"],
        id="a stopped schedule never leaves nothing: the newest stays",
    ),
    pytest.param(
        [
            backup("2026-12-02T17:00", False),
            backup("2026-12-02T16:00", None),
            backup("2026-09-01T00:00", True),
            backup("2026-08-01T00:00", True),
        ],
        Retention(),
        ["2026-12-02T17:00", "2026-12-02T16:00", "2026-09-01T00:00"],
        id="the newest verified backup stays however old",
    ),
    pytest.param(
        [
            backup("2026-12-02T17:00"),
            backup("2026-11-20T22:00", False),
            backup("2026-11-20T21:00", True),
            backup("2026-11-20T20:00", True),
        ],
        Retention(),
        ["2026-12-02T17:00", "2026-11-20T21:00"],
        id="a failed backup does not displace a good one of its day",
    ),
    pytest.param(
        [backup("2026-11-20T22:00", False), backup("2026-11-20T21:00", False)],
        Retention(),
        ["2026-11-20T22:00"],
        id="all of a day failed: its newest (also the newest of all)",
    ),
    pytest.param(
        [
            backup("2026-12-02T17:00"),
            backup("2026-12-02T14:00"),
            backup("2026-12-02T13:00"),
            backup("2026-11-30T12:00"),
            backup("2026-11-29T12:00"),
        ],
        Retention(hourly_hours=4, daily_days=3),
        ["2026-12-02T17:00", "2026-12-02T14:00", "2026-11-30T12:00"],
        id="configured: 4 h hourly, 3 days daily",
    ),
    pytest.param([], Retention(), [], id="no backups"),
]


@pytest.mark.parametrize(("backups", "retention", "expected"), CASES)
def test_plan_retention_keeps_the_newest_per_hour_and_day(backups, retention, expected):
    assert kept(backups, retention) == expected


def test_plan_retention_deletes_exactly_what_it_does_not_keep():
    backups = [
        backup(f"2026-11-{day:02d}T{hour:02d}:00") for day in range(1, 31) for hour in (6, 18)
    ]
    plan = plan_retention(backups, NOW, Retention())
    assert {b.name for b in plan.keep} | {b.name for b in plan.delete} == {b.name for b in backups}
    assert not {b.name for b in plan.keep} & {b.name for b in plan.delete}
    # each day's 18:00 from 2 Nov (29 days 23 h 20 min ago) to 30 Nov; 1 Nov is too old
    assert [b.taken_at for b in plan.keep] == [
        at(f"2026-11-{day:02d}T18:00") for day in range(30, 1, -1)
    ]
    assert len(plan.delete) == 60 - 29


def test_plan_retention_needs_an_aware_clock():
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_retention([], NOW.replace(tzinfo=None), Retention())
    with pytest.raises(ValueError, match="at least one hour"):
        Retention(hourly_hours=0)


histories = st.lists(
    st.builds(
        lambda minutes, verified: BackupRecord(
            f"b{minutes}", NOW - dt.timedelta(minutes=minutes), verified
        ),
        st.integers(min_value=-30, max_value=60 * 24 * 45),
        st.sampled_from([True, False, None]),
    ),
    max_size=60,
    unique_by=lambda b: b.name,
)


@settings(max_examples=300, deadline=None)
@given(histories, st.integers(1, 72), st.integers(1, 40))
def test_plan_retention_properties(backups, hourly_hours, daily_days):
    retention = Retention(hourly_hours, daily_days)
    plan = plan_retention(backups, NOW, retention)
    keep = {b.name for b in plan.keep}
    assert keep | {b.name for b in plan.delete} == {b.name for b in backups}
    if backups:
        assert max(backups, key=lambda b: (b.taken_at, b.name)).name in keep
    verified = [b for b in backups if b.verified is True]
    if verified:
        assert max(verified, key=lambda b: (b.taken_at, b.name)).name in keep
    # every hour of the window and every day of the window with a backup keeps one
    for key, since in (
        (lambda t: (t.date(), t.hour), NOW - dt.timedelta(hours=hourly_hours)),
        (lambda t: t.date(), NOW - dt.timedelta(days=daily_days)),
    ):
        buckets = {key(b.taken_at) for b in backups if b.taken_at > since}
        assert buckets <= {key(b.taken_at) for b in plan.keep}
    # nothing beyond: per kept hour/day at most one, plus the two always kept
    extra = 2
    assert len(keep) <= hourly_hours + 1 + daily_days + 1 + extra
    # idempotent: pruning what is kept keeps all of it
    again = plan_retention(list(plan.keep), NOW, retention)
    assert {b.name for b in again.keep} == keep
