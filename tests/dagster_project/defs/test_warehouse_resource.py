"""The warehouse resource owns its connections: each transaction commits or
rolls back, and its connection is closed either way."""

import psycopg2
import psycopg2.errors
import pytest

from dagster_project.defs.resources import WarehouseResource


def _count(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("select count(*) from probe")
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_a_transaction_commits_and_closes(database_url):
    warehouse = WarehouseResource(database_url=database_url)
    with warehouse.transaction() as conn, conn.cursor() as cur:
        cur.execute("create table probe (x int)")
        cur.execute("insert into probe values (1)")
    assert conn.closed
    assert _count(database_url) == 1


def test_a_failed_transaction_rolls_back_and_closes(database_url):
    warehouse = WarehouseResource(database_url=database_url)
    with warehouse.transaction() as conn, conn.cursor() as cur:
        cur.execute("create table probe (x int)")
    with pytest.raises(RuntimeError), warehouse.transaction() as conn:
        with conn.cursor() as cur:
            cur.execute("insert into probe values (1)")
        raise RuntimeError("the asset failed")
    assert conn.closed
    assert _count(database_url) == 0


def test_a_commit_that_fails_still_closes(database_url):
    """A deferred constraint fails at commit, after the body succeeded."""
    warehouse = WarehouseResource(database_url=database_url)
    with warehouse.transaction() as conn, conn.cursor() as cur:
        cur.execute("create table probe (x int unique deferrable initially deferred)")
    with (
        pytest.raises(psycopg2.errors.UniqueViolation),
        warehouse.transaction() as conn,
        conn.cursor() as cur,
    ):
        cur.execute("insert into probe values (1), (1)")
    assert conn.closed
    assert _count(database_url) == 0


def test_the_writer_lock_session_is_closed_after_the_body(database_url):
    warehouse = WarehouseResource(database_url=database_url)
    with pytest.raises(RuntimeError), warehouse.exclusive_writer():
        raise RuntimeError("the build failed")
    # the lock went with the session: another writer takes it at once
    with warehouse.exclusive_writer(wait_seconds=1):
        pass
    probe = psycopg2.connect(database_url)
    try:
        with probe.cursor() as cur:
            cur.execute(
                "select count(*) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )
            assert cur.fetchone() == (0,)
    finally:
        probe.close()
