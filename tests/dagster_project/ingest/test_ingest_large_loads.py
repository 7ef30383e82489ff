"""A large attendance load sets the landing table's indexes aside and builds
them again in the file's transaction; a reload of the same file writes
nothing; the file's recorded sha256 is that of its bytes."""

import datetime as dt
import hashlib
from pathlib import Path

import psycopg2
import pytest

from dagster_project.ingest.large_load import LARGE_LOAD_MIN_ROWS
from dagster_project.ingest.loader import ingest_paths

HEADER = "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
START = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
ROWS = 12_000
assert ROWS >= LARGE_LOAD_MIN_ROWS  # a large load, into an empty or a small table
INDEXES = """
    select c.oid, i.indexname, i.indexdef
    from pg_indexes as i
    inner join pg_class as c on c.oid = format('%I.%I', i.schemaname, i.indexname)::regclass
    where i.schemaname = 'raw' and i.tablename = 'attendance'
    order by i.indexname
"""
# every column of every row, with the system columns a rewrite or a row lock changes
ROWS_AS_STORED = """
    select ctid::text, xmin::text, xmax::text, a::text from raw.attendance as a order by ctid
"""


def _shift(number: int, *, updated_minutes: int = 5, staff: str | None = None) -> str:
    clock_in = START + dt.timedelta(hours=number)
    clock_out = clock_in + dt.timedelta(hours=8)
    updated = clock_out + dt.timedelta(minutes=updated_minutes)
    return (
        f"acme,E{number:06d},{staff or f'S{number % 40}'},AUS,cook,"
        f"{clock_in:%Y-%m-%dT%H:%M:%SZ},{clock_out:%Y-%m-%dT%H:%M:%SZ},30,"
        f"{updated:%Y-%m-%dT%H:%M:%SZ}"
    )


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _large_file(path: Path) -> Path:
    """ROWS rows: a bad one, and one event twice (the later version wins)."""
    lines = [_shift(n) for n in range(ROWS - 2)]
    lines.append("acme,EBAD,S1,AUS,cook,not a time,,0,2026-03-02T18:00:00Z")
    lines.append(_shift(7, updated_minutes=50, staff="S-newer"))
    return _write(path, lines)


def _fetch(url: str, statement: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall()
    finally:
        conn.close()


def _execute(url: str, statement: str) -> None:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def _definitions(indexes: list[tuple]) -> list[tuple]:
    return [(name, definition) for _, name, definition in indexes]


def _landing_state(url: str) -> dict[str, list[tuple]]:
    return {
        "indexes": _fetch(url, INDEXES),
        "primary key": _fetch(
            url,
            "select conname, pg_get_constraintdef(oid) from pg_constraint "
            "where conrelid = 'raw.attendance'::regclass and contype = 'p'",
        ),
        "rows": _fetch(url, ROWS_AS_STORED),
        "superseded": _fetch(url, "select s::text from raw.attendance_superseded as s order by 1"),
        "rejected": _fetch(url, "select r::text from raw.rejected_rows as r order by 1"),
        "files": _fetch(url, "select f::text from raw.ingested_files as f order by 1"),
    }


def test_a_large_first_load_rebuilds_the_migrations_indexes_and_loads_every_row(
    database_url, tmp_path
):
    before = _fetch(database_url, INDEXES)
    [result] = ingest_paths(database_url, [_large_file(tmp_path / "attendance.csv")]).files

    after = _fetch(database_url, INDEXES)
    assert _definitions(after) == _definitions(before)
    assert [name for _, name, _ in after] == [
        "attendance_by_tenant_clock_in",
        "attendance_by_tenant_staff_clock_in",
        "attendance_pkey",
    ]
    # built again, not kept: every index is a new relation
    assert not {oid for oid, _, _ in before} & {oid for oid, _, _ in after}
    assert _fetch(
        database_url,
        "select conname, pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = 'raw.attendance'::regclass and contype = 'p'",
    ) == [("attendance_pkey", "PRIMARY KEY (tenant_id, event_id)")]
    assert (result.received, result.loaded, result.superseded, result.rejected) == (
        ROWS,
        ROWS - 2,
        1,
        1,
    )
    assert _fetch(
        database_url, "select count(*), count(distinct event_id) from raw.attendance"
    ) == [(ROWS - 2, ROWS - 2)]
    assert _fetch(
        database_url,
        "select staff_id, source_row, updated_at = clock_out + interval '50 minutes' "
        "from raw.attendance where event_id = 'E000007'",
    ) == [("S-newer", ROWS + 1, True)]
    assert _fetch(database_url, "select source_row, reason from raw.attendance_superseded") == [
        (9, "superseded_in_file")
    ]
    assert _fetch(database_url, "select source_row, field from raw.rejected_rows") == [
        (ROWS, "clock_in")
    ]
    # analyzed in the same transaction
    assert _fetch(
        database_url, "select reltuples from pg_class where oid = 'raw.attendance'::regclass"
    ) == [(ROWS - 2,)]


def test_a_large_load_into_a_small_table_keeps_its_primary_key_and_rows(database_url, tmp_path):
    first = _write(
        tmp_path / "attendance_first.csv", [_shift(n, updated_minutes=1) for n in range(3)]
    )
    ingest_paths(database_url, [first])
    primary_key_before = _fetch(database_url, INDEXES)[-1]

    [result] = ingest_paths(database_url, [_large_file(tmp_path / "attendance.csv")]).files

    after = _fetch(database_url, INDEXES)
    assert after[-1] == primary_key_before  # not dropped: the table was not empty
    assert (result.loaded, result.replaced) == (ROWS - 2 - 3, 3)
    assert _fetch(
        database_url,
        "select event_id, reason from raw.attendance_superseded "
        "where reason = 'replaced_by_correction' order by event_id",
    ) == [
        ("E000000", "replaced_by_correction"),
        ("E000001", "replaced_by_correction"),
        (
            "E000002",
            "replaced_by_correction",
        ),
    ]
    assert _fetch(database_url, "select count(*) from raw.attendance") == [(ROWS - 2,)]


def test_a_primary_key_something_depends_on_stays_through_a_large_first_load(
    database_url, tmp_path
):
    # a view grouping by the key depends on the constraint: dropping it would fail
    _execute(
        database_url,
        "create view raw.staff_of_event as "
        "select tenant_id, event_id, staff_id from raw.attendance group by tenant_id, event_id",
    )
    before = _fetch(database_url, INDEXES)

    [result] = ingest_paths(database_url, [_large_file(tmp_path / "attendance.csv")]).files

    after = _fetch(database_url, INDEXES)
    assert _definitions(after) == _definitions(before)
    assert after[-1] == before[-1]  # the primary key, kept
    assert {oid for oid, _, _ in after[:-1]}.isdisjoint(oid for oid, _, _ in before)
    assert result.loaded == ROWS - 2
    assert _fetch(database_url, "select count(*) from raw.staff_of_event") == [(ROWS - 2,)]


def _fail_on_event(url: str, event_id: str) -> None:
    """A trigger that makes the load fail after the indexes were dropped."""
    _execute(
        url,
        f"""
        create function raw.fail_the_load() returns trigger language plpgsql as $$
        begin raise exception 'forced failure at %', new.event_id; end $$;
        create trigger fail_the_load before insert on raw.attendance for each row
        when (new.event_id = '{event_id}') execute function raw.fail_the_load();
        """,
    )


def test_a_large_load_that_fails_leaves_indexes_and_rows_as_they_were(database_url, tmp_path):
    first = _write(tmp_path / "attendance_first.csv", [_shift(n) for n in range(3)])
    ingest_paths(database_url, [first])
    _fail_on_event(database_url, f"E{ROWS // 2:06d}")
    before = _landing_state(database_url)

    with pytest.raises(psycopg2.errors.RaiseException, match="forced failure"):
        ingest_paths(database_url, [_large_file(tmp_path / "attendance.csv")])

    assert _landing_state(database_url) == before


def test_reloading_the_same_file_writes_no_row(database_url, tmp_path):
    path = _large_file(tmp_path / "attendance.csv")
    older = _write(
        tmp_path / "attendance_older.csv", [_shift(5, updated_minutes=1, staff="S-older")]
    )
    ingest_paths(database_url, [path, older])
    before = _landing_state(database_url)

    [again, older_again] = ingest_paths(database_url, [path, older]).files

    after = _landing_state(database_url)
    assert after["rows"] == before["rows"]  # same tuples: no rewrite, no row lock
    assert _fetch(database_url, "select count(*) from raw.attendance where xmax <> 0") == [(0,)]
    assert after["superseded"] == before["superseded"]
    assert after["rejected"] == before["rejected"]
    assert (again.received, again.loaded, again.replaced, again.unchanged) == (
        ROWS,
        0,
        0,
        ROWS - 2,
    )
    assert (again.superseded, again.rejected) == (1, 1)
    assert (older_again.loaded, older_again.replaced, older_again.unchanged) == (0, 0, 1)


def test_the_recorded_sha256_is_that_of_the_file_bytes(database_url, tmp_path):
    # a BOM, CRLF line ends and more bytes than one COPY read
    lines = [HEADER, *(_shift(n) for n in range(3_000))]
    attendance = tmp_path / "attendance.csv"
    attendance.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    tenants = tmp_path / "tenants.csv"
    tenants.write_bytes(
        b"tenant_id,name,pay_frequency\nacme,Acme,semimonthly\nbad id,X,semimonthly\n"
    )

    ingest_paths(database_url, [tenants, attendance])

    expected = {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in (tenants, attendance)
    }
    assert dict(
        _fetch(database_url, "select source_file, file_sha256 from raw.ingested_files")
    ) == (expected)
    assert _fetch(database_url, "select distinct file_sha256 from raw.attendance") == [
        (expected[str(attendance)],)
    ]
    assert _fetch(database_url, "select file_sha256 from raw.rejected_rows") == [
        (expected[str(tenants)],)
    ]
