"""A build analyzes the landing tables whose statistics are missing or
stale, and nothing else: the planner sees a freshly loaded file's real row
counts even with autovacuum off or late."""

from __future__ import annotations

import time

import psycopg2
import pytest

from dagster_project.lib.table_statistics import analyze_stale_tables


@pytest.fixture
def conn(database_url):
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    with connection.cursor() as cur:
        # every raw table of a fresh warehouse gets its first statistics
        analyze_stale_tables(connection)
        cur.execute("create table raw.loaded (n integer)")
        cur.execute("alter table raw.loaded set (autovacuum_enabled = false)")
    yield connection
    connection.close()


def _estimated_rows(conn, table: str) -> float:
    with conn.cursor() as cur:
        cur.execute("select reltuples from pg_class where oid = %s::regclass", (table,))
        return cur.fetchone()[0]


def _wait_for_counters(conn, table: str, modified: int) -> None:
    """Another backend's writes reach pg_stat_user_tables within a second."""
    deadline = time.monotonic() + 10
    with conn.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute("select pg_stat_clear_snapshot()")
            cur.execute(
                "select n_mod_since_analyze from pg_stat_user_tables where relid = %s::regclass",
                (table,),
            )
            if cur.fetchone()[0] >= modified:
                return
            time.sleep(0.2)
    raise AssertionError(f"{table}: modification counters never arrived")


def _insert_from_another_session(url: str, rows: int) -> None:
    other = psycopg2.connect(url)
    with other, other.cursor() as cur:
        cur.execute("insert into raw.loaded select generate_series(1, %s)", (rows,))
    other.close()


def test_a_table_never_analyzed_gets_its_statistics(conn):
    assert _estimated_rows(conn, "raw.loaded") < 0  # never analyzed
    assert analyze_stale_tables(conn) == ["raw.loaded"]
    assert _estimated_rows(conn, "raw.loaded") == 0


def test_a_large_load_is_analyzed_once_and_a_small_one_is_not(conn, database_url):
    analyze_stale_tables(conn)
    _insert_from_another_session(database_url, 20_000)
    _wait_for_counters(conn, "raw.loaded", 20_000)

    assert analyze_stale_tables(conn) == ["raw.loaded"]
    assert _estimated_rows(conn, "raw.loaded") == 20_000
    assert analyze_stale_tables(conn) == []  # nothing changed since

    # 1 % more rows: under autovacuum's 10 % + 50 rule, the statistics stand
    _insert_from_another_session(database_url, 200)
    _wait_for_counters(conn, "raw.loaded", 200)
    assert analyze_stale_tables(conn) == []
    assert _estimated_rows(conn, "raw.loaded") == 20_000


def test_tables_outside_the_landing_schemas_are_left_alone(conn):
    with conn.cursor() as cur:
        cur.execute("create table public.scratch (n integer)")
        cur.execute("insert into public.scratch select generate_series(1, 1000)")
    assert "public.scratch" not in analyze_stale_tables(conn)
    assert _estimated_rows(conn, "public.scratch") < 0
