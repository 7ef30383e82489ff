"""Validating with Great Expectations leaves no warehouse connection open:
GX pools its connections and, for PostgreSQL, closes them only when the
garbage collector finds the pool; a long-lived process (the CLI running
period after period, a code server) would pile them up."""

from urllib.parse import urlsplit

import psycopg2

from dagster_project.lib.gx_suites import validate_tables


def _sessions(url: str) -> int:
    """Sessions on the test database other than this probe's."""
    dbname = urlsplit(url).path.lstrip("/")
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select count(*) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (dbname,),
            )
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_each_validation_closes_the_connections_it_opened(database_url, tmp_path):
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute("create schema wap_probe")
        cur.execute("create table wap_probe.dim_pay_periods (tenant_id text, period_start date)")
    conn.close()
    assert _sessions(database_url) == 0
    for run in range(2):
        outcomes = validate_tables(
            database_url,
            "wap_probe",
            {"dim_pay_periods": None},
            gx_home=tmp_path / "gx",
            run_name=f"probe-{run}",
        )
        assert outcomes["dim_pay_periods"].rows == 0
        assert _sessions(database_url) == 0
