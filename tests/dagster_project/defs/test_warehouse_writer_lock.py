"""Two pay-period builds never interleave: the second waits for the first,
then gives up with a clear message."""

import dagster as dg
import psycopg2
import pytest

from dagster_project.core.locks import WAREHOUSE_WRITER_LOCK
from dagster_project.defs.resources import WarehouseResource


def test_a_second_writer_waits_then_fails_clearly(database_url):
    first = WarehouseResource(database_url=database_url)
    second = WarehouseResource(database_url=database_url)
    with (
        first.exclusive_writer(),
        pytest.raises(dg.Failure, match="another pay-period run is writing"),
        second.exclusive_writer(wait_seconds=1),
    ):
        pytest.fail("two writers at once")
    # released with the first run's session: the next run gets it at once
    with second.exclusive_writer(wait_seconds=1):
        conn = psycopg2.connect(database_url)
        with conn.cursor() as cur:
            cur.execute(
                # advisory locks are per database: other databases on the server
                # (other tests, other projects) may hold the same id
                "select count(*) from pg_locks where locktype = 'advisory' and objid = %s "
                "and database = (select oid from pg_database where datname = current_database())",
                (WAREHOUSE_WRITER_LOCK,),
            )
            assert cur.fetchone() == (1,)
        conn.close()
