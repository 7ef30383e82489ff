"""A large first load of ``raw.attendance``: its indexes are dropped before
the load and built again after it, all inside the file's transaction.

When most of the table's rows come from one file, keeping three B-trees up
to date row by row costs more than everything else of the load; building
each once from the loaded rows is one sort. The definitions are read from
``pg_indexes`` (what the migrations made) just before the drop, so they
live in the migrations only, and a failure anywhere before the commit rolls
the table back with every index it had.

The drop takes an ACCESS EXCLUSIVE lock on ``raw.attendance`` until the file
commits: readers (a Dagster run reading the table) wait for the load, and
the lock waits for queries already running. Acceptable for a large load
into an empty or small table (a first load, typically), the only load that
takes this path; every other load keeps the indexes and locks no reader out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2.extensions
from psycopg2 import sql

# Below this a file's index upkeep is too cheap to be worth locking readers out.
LARGE_LOAD_MIN_ROWS = 10_000
_MAINTENANCE_WORK_MEM = "256MB"

_SECONDARY_INDEXES = """
    select indexname, indexdef
    from pg_indexes
    where schemaname = 'raw' and tablename = 'attendance'
        and not exists (
            select 1 from pg_constraint
            where conindid = format('%I.%I', schemaname, indexname)::regclass
        )
    order by indexname
"""

# The primary key is dropped only when the table is empty (the load then
# inserts without ON CONFLICT: the rows of one file are distinct per key) and
# nothing depends on it (a foreign key, a view grouping by it): the caller
# asks only for an empty table.
_DROPPABLE_PRIMARY_KEY = """
    select c.conname, i.indexname, i.indexdef
    from pg_constraint as c
    inner join pg_indexes as i
        on format('%I.%I', i.schemaname, i.indexname)::regclass = c.conindid
    where c.conrelid = 'raw.attendance'::regclass and c.contype = 'p'
        and not exists (
            select 1 from pg_depend as d
            where d.deptype = 'n'
                and (d.refclassid, d.refobjid) in (
                    ('pg_constraint'::regclass, c.oid), ('pg_class'::regclass, c.conindid)
                )
        )
"""


@dataclass(frozen=True)
class Index:
    name: str
    definition: str  # ``CREATE [UNIQUE] INDEX …`` as pg_indexes gives it


@dataclass(frozen=True)
class PrimaryKey:
    constraint: str
    index: Index


@dataclass(frozen=True)
class SetAside:
    secondary: tuple[Index, ...]
    primary_key: PrimaryKey | None


def is_large_load(cur: psycopg2.extensions.cursor, file_rows: int) -> bool:
    """At least ``LARGE_LOAD_MIN_ROWS`` rows, and the table holds fewer than
    half as many (counted only that far). A file loaded again into the table
    it filled is no large load: its rows are about as many as the table's."""
    if file_rows < LARGE_LOAD_MIN_ROWS:
        return False
    half = file_rows // 2
    cur.execute("select count(*) from (select from raw.attendance limit %s) as t", (half,))
    return cur.fetchone()[0] < half


@contextlib.contextmanager
def indexes_set_aside(cur: psycopg2.extensions.cursor, file_rows: int) -> Iterator[bool]:
    """Around the load of a file: for a large load, the indexes are dropped
    on entry and rebuilt (then the table analyzed) on a clean exit. Yields
    whether the table is known to be empty: then, and only then, the primary
    key may be gone during the load, and nothing can conflict."""
    if not is_large_load(cur, file_rows):
        yield False
        return
    # taken before reading the indexes and the row count: neither can change
    # until the commit
    cur.execute("lock table raw.attendance in access exclusive mode")
    empty = _is_empty(cur)
    aside = _drop_indexes(cur, empty)
    yield empty
    _rebuild(cur, aside)
    cur.execute("analyze raw.attendance")


def _is_empty(cur: psycopg2.extensions.cursor) -> bool:
    cur.execute("select not exists (select from raw.attendance)")
    return cur.fetchone()[0]


def _drop_indexes(cur: psycopg2.extensions.cursor, empty: bool) -> SetAside:
    aside = SetAside(_secondary_indexes(cur), _droppable_primary_key(cur) if empty else None)
    for index in aside.secondary:
        cur.execute(sql.SQL("drop index {}").format(sql.Identifier("raw", index.name)))
    if aside.primary_key is not None:
        cur.execute(
            sql.SQL("alter table raw.attendance drop constraint {}").format(
                sql.Identifier(aside.primary_key.constraint)
            )
        )
    return aside


def _secondary_indexes(cur: psycopg2.extensions.cursor) -> tuple[Index, ...]:
    cur.execute(_SECONDARY_INDEXES)
    return tuple(Index(name, definition) for name, definition in cur.fetchall())


def _droppable_primary_key(cur: psycopg2.extensions.cursor) -> PrimaryKey | None:
    cur.execute(_DROPPABLE_PRIMARY_KEY)
    found = cur.fetchone()
    return None if found is None else PrimaryKey(found[0], Index(found[1], found[2]))


def _rebuild(cur: psycopg2.extensions.cursor, aside: SetAside) -> None:
    cur.execute(f"set local maintenance_work_mem = '{_MAINTENANCE_WORK_MEM}'")
    if aside.primary_key is not None:
        cur.execute(aside.primary_key.index.definition)
        add_key = sql.SQL("alter table raw.attendance add constraint {} primary key using index {}")
        cur.execute(
            add_key.format(
                sql.Identifier(aside.primary_key.constraint),
                sql.Identifier(aside.primary_key.index.name),
            )
        )
    for index in aside.secondary:
        cur.execute(index.definition)
