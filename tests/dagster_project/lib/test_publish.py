"""Write-audit-publish mechanics on small hand-made tables (no dbt): a run's
audited copy is exactly its period, publishing swaps a period in one
transaction, keeps the published table (grants, views) and refuses a
finalized period."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg2
import pytest

from dagster_project.core.periods import PayPeriodKey
from dagster_project.lib import publish
from dagster_project.lib.mart_catalog import Mart
from dagster_project.lib.publish import PublishError, run_schema

P1 = PayPeriodKey("acme", dt.date(2026, 3, 1))
P2 = PayPeriodKey("acme", dt.date(2026, 3, 15))
PAY = (Mart("pay"),)
CALENDAR = (Mart("calendar", period_column=None),)


@pytest.fixture
def warehouse(database_url, monkeypatch):
    # the published-table security hook belongs to the roles tests
    monkeypatch.setattr(publish, "_secure_published_tables", lambda conn: None)
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute("create schema if not exists build")
        cur.execute(
            "create table build.pay (tenant_id text, staff_id text, period_start date, "
            "gross_pay numeric(14, 2))"
        )
        cur.execute(
            "insert into build.pay values "
            "('acme', 'S1', '2026-03-01', 100.00), ('acme', 'S2', '2026-03-01', 50.00), "
            "('acme', 'S1', '2026-03-15', 70.00), ('brew', 'B1', '2026-03-01', 9.00)"
        )
        cur.execute("create table build.calendar (tenant_id text, period_start date)")
        cur.execute("insert into build.calendar values ('acme', '2026-03-01')")
    yield conn
    conn.close()


def _run() -> str:
    return str(uuid.uuid4())


def _stage_and_publish(conn, *periods: PayPeriodKey, marts=PAY) -> tuple[dict, dict]:
    run_id = _run()
    with conn:
        staged = publish.stage(conn, run_id, marts, periods)
    with conn:
        published = publish.publish(conn, run_id, marts)
    return staged, published


def _finalize(conn, period: PayPeriodKey) -> None:
    with conn, conn.cursor() as cur:
        cur.execute(
            "insert into control.pay_period_finalizations (tenant_id, period_start, run_id) "
            "values (%s, %s, 'r1')",
            (period.tenant_id, period.period_start),
        )


def _published(conn) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("select tenant_id, staff_id, period_start::text, gross_pay from marts.pay")
        return sorted(cur.fetchall())


def test_a_run_stages_exactly_its_period_and_publishes_it(warehouse):
    staged, published = _stage_and_publish(warehouse, P1)
    assert staged == published == {"pay": 2}
    assert [row[:3] for row in _published(warehouse)] == [
        ("acme", "S1", "2026-03-01"),
        ("acme", "S2", "2026-03-01"),
    ]
    with warehouse.cursor() as cur:  # the audit schema is gone once published
        cur.execute("select count(*) from pg_namespace where nspname like 'wap\\_%'")
        assert cur.fetchone() == (0,)


def test_republishing_replaces_the_period_and_keeps_the_table_its_grants_and_views(warehouse):
    _stage_and_publish(warehouse, P1)
    _stage_and_publish(warehouse, P2)
    with warehouse, warehouse.cursor() as cur:
        cur.execute("select 'marts.pay'::regclass::oid")
        (oid,) = cur.fetchone()
        cur.execute("create view marts.pay_totals as select sum(gross_pay) as total from marts.pay")
        cur.execute("grant select on marts.pay to public")
        cur.execute(
            "update build.pay set gross_pay = gross_pay + 1 where period_start = '2026-03-01'"
        )
    _stage_and_publish(warehouse, P1)
    assert _published(warehouse) == [
        ("acme", "S1", "2026-03-01", 101),
        ("acme", "S1", "2026-03-15", 70),
        ("acme", "S2", "2026-03-01", 51),
    ]
    with warehouse.cursor() as cur:
        cur.execute("select 'marts.pay'::regclass::oid")
        assert cur.fetchone() == (oid,)
        cur.execute("select total from marts.pay_totals")
        assert cur.fetchone() == (222,)
        cur.execute("select has_table_privilege('public', 'marts.pay', 'select')")
        assert cur.fetchone() == (True,)


def test_a_failure_inside_the_publish_leaves_the_published_period_as_it_was(warehouse):
    _stage_and_publish(warehouse, P1)
    before = _published(warehouse)
    run_id = _run()
    with warehouse:
        publish.stage(warehouse, run_id, PAY, [P1])
    with warehouse, warehouse.cursor() as cur:  # the second mart of the swap breaks
        cur.execute(
            f"create table {run_schema(run_id)}.calendar (tenant_id text, period_start date)"
        )
        cur.execute("create table marts.calendar (tenant_id text, period_start text)")
    with pytest.raises(PublishError, match="calendar.period_start"), warehouse:
        publish.publish(warehouse, run_id, (*PAY, *CALENDAR))
    assert _published(warehouse) == before


def test_a_finalized_period_is_never_published_again(warehouse):
    _stage_and_publish(warehouse, P1)
    _finalize(warehouse, P1)
    before = _published(warehouse)
    with pytest.raises(PublishError, match="finalized"):
        _stage_and_publish(warehouse, P1)
    assert _published(warehouse) == before


def test_a_new_model_column_is_added_to_the_published_table(warehouse):
    _stage_and_publish(warehouse, P1)
    with warehouse, warehouse.cursor() as cur:
        cur.execute("alter table build.pay add column run_id text")
        cur.execute("update build.pay set run_id = 'r2'")
    _stage_and_publish(warehouse, P1)
    with warehouse.cursor() as cur:
        cur.execute("select distinct run_id from marts.pay where period_start = '2026-03-01'")
        assert cur.fetchall() == [("r2",)]


def test_whole_table_marts_are_replaced_whole(warehouse):
    _stage_and_publish(warehouse, marts=CALENDAR)
    with warehouse, warehouse.cursor() as cur:
        cur.execute("insert into build.calendar values ('acme', '2026-03-15')")
    staged, _ = _stage_and_publish(warehouse, marts=CALENDAR)
    assert staged == {"calendar": 2}
    with warehouse.cursor() as cur:
        cur.execute("select count(*) from marts.calendar")
        assert cur.fetchone() == (2,)


def test_audit_schemas_of_abandoned_runs_are_dropped_and_live_ones_kept(warehouse):
    killed, running = _run(), _run()
    with warehouse:
        publish.stage(warehouse, killed, PAY, [P1])
        publish.stage(warehouse, running, PAY, [P2])
    with warehouse:
        dropped = publish.drop_abandoned_run_schemas(warehouse, [running])
    assert dropped == [run_schema(killed)]
    with warehouse:
        assert publish.publish(warehouse, running, PAY) == {"pay": 1}
    with pytest.raises(PublishError, match="no audited copy"), warehouse:
        publish.publish(warehouse, killed, PAY)


def test_a_range_is_staged_and_published_at_once_and_nothing_else_moves(warehouse):
    _stage_and_publish(warehouse, P1)
    with warehouse, warehouse.cursor() as cur:
        cur.execute("update build.pay set gross_pay = gross_pay * 2 where tenant_id = 'acme'")
        cur.execute("update build.pay set gross_pay = 1 where tenant_id = 'brew'")
    staged, published = _stage_and_publish(warehouse, P1, P2)
    assert staged == published == {"pay": 3}
    assert _published(warehouse) == [
        ("acme", "S1", "2026-03-01", 200),
        ("acme", "S1", "2026-03-15", 140),
        ("acme", "S2", "2026-03-01", 100),
    ]


def test_a_range_holding_a_finalized_period_publishes_nothing(warehouse):
    _stage_and_publish(warehouse, P1)
    _finalize(warehouse, P1)
    before = _published(warehouse)
    with pytest.raises(PublishError, match="acme 2026-03-01 finalized"):
        _stage_and_publish(warehouse, P1, P2)
    assert _published(warehouse) == before


def test_run_ids_are_checked_before_they_name_a_schema():
    with pytest.raises(ValueError):
        run_schema("x'; drop schema marts cascade; --")
