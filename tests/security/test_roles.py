"""Each group role can do what its job needs and nothing more; the setup
applies them idempotently, heals drift, and is safe when several databases of
one server run it at once."""

import threading
import uuid

import psycopg2
import psycopg2.errors
import pytest
from psycopg2 import sql

from dagster_project.lib.database import connect
from dagster_project.lib.migrations import apply_migrations
from dagster_project.lib.roles import (
    ANALYST,
    AUDITOR,
    LOADER,
    MANAGED_ROLES,
    PSEUDONYMIZER,
    TRANSFORMER,
    tenant_role,
)
from tests.conftest import with_database
from tests.log_events import logged_events
from tests.security.conftest import connect_as, denied, fetch

PIPELINE_SCHEMAS = ("raw", "reference", "control", "staging", "intermediate", "marts")


@pytest.fixture(scope="module")
def warehouse(e2e_pipeline):
    url, _ = e2e_pipeline
    conn = connect(url)
    apply_migrations(conn)
    conn.close()
    return url


def _tables(conn, schema: str) -> list[str]:
    return [
        row[0]
        for row in fetch(
            conn,
            "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relkind in ('r', 'p') order by 1",
            (schema,),
        )
    ]


def _writes(conn, statement: str) -> int:
    """Row count of a write, rolled back."""
    with conn.cursor() as cur:
        try:
            cur.execute(statement)
            return cur.rowcount
        finally:
            conn.rollback()


def test_group_roles_cannot_log_in(superuser):
    rows = fetch(
        superuser,
        "select rolname, rolcanlogin, rolsuper, rolcreaterole, rolbypassrls from pg_roles "
        "where rolname = any (%s) or rolname like 'payroll\\_tenant\\_%%'",
        (list(MANAGED_ROLES),),
    )
    assert {r[0] for r in rows} >= set(MANAGED_ROLES) | {"payroll_tenant_acme"}
    assert all(r[1:] == (False, False, False, False) for r in rows), rows


def test_loader_writes_raw_only(warehouse, login_role):
    conn = connect_as(warehouse, login_role(LOADER))
    inserted = _writes(
        conn,
        "insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor, "
        "source_file, source_row) values ('probe', 'Probe', 'weekly', '2026-03-01', 'x', 1)",
    )
    assert inserted == 1
    assert _writes(conn, "delete from raw.attendance where tenant_id = 'acme'") > 0
    assert denied(conn, "insert into raw.schema_migrations values (9999, 'x', 'x')")
    assert denied(conn, "create table raw.probe (x int)")
    assert denied(conn, "select 1 from marts.rpt_location_labor_cost")
    assert denied(conn, "insert into marts.payroll_runs (run_id, tenant_id, period_start, status) "
                        "values ('x', 'acme', '2026-03-01', 'x')")  # fmt: skip
    assert denied(conn, "select 1 from staging.stg_raw__staff")
    assert denied(conn, "select 1 from control.pay_period_finalizations")
    conn.close()


def test_transformer_reads_sources_and_writes_models_only(warehouse, login_role, superuser):
    conn = connect_as(warehouse, login_role(TRANSFORMER))
    for schema in ("raw", "reference", "control"):
        for table in _tables(superuser, schema):
            if table != "schema_migrations":
                fetch(conn, f'select count(*) from {schema}."{table}"')
    assert denied(conn, "update raw.staff set full_name = 'x'")
    assert denied(conn, "delete from reference.overtime_rules")
    assert denied(conn, "delete from control.pay_period_finalizations")
    assert denied(conn, "create table raw.probe (x int)")
    # every row of every tenant, despite forced row-level security
    assert fetch(conn, "select count(*) from marts.fct_payroll") == [(4,)]
    assert _writes(conn, "delete from marts.fct_payroll where tenant_id = 'acme'") == 3
    again = (
        "insert into marts.fct_payroll select (jsonb_populate_record(null::marts.fct_payroll, "
        "to_jsonb(p) || jsonb_build_object('staff_id', p.staff_id || '-copy'))).* "
        "from marts.fct_payroll as p"
    )
    assert _writes(conn, again) == 4
    # the register's key is the database's: the same rows twice are refused
    with pytest.raises(psycopg2.errors.UniqueViolation):
        _writes(conn, "insert into marts.fct_payroll select * from marts.fct_payroll")
    assert (
        _writes(conn, "update marts.payroll_runs set status = status")
        == fetch(superuser, "select count(*) from marts.payroll_runs")[0][0]
    )
    for schema in ("staging", "intermediate", "build", "marts"):
        assert _writes(conn, f"create table {schema}.probe_{uuid.uuid4().hex[:6]} (x int)") == -1
    with conn.cursor() as cur:  # a per-run write-audit-publish schema
        cur.execute("create schema wap_probe")
        cur.execute("create table wap_probe.fct_payroll (like marts.fct_payroll)")
        cur.execute("insert into wap_probe.fct_payroll select * from marts.fct_payroll")
        assert cur.rowcount == 4
    conn.rollback()
    # marts are never dropped, and the pseudonym key is not the pipeline's to read
    assert denied(conn, "drop table marts.fct_payroll")
    assert denied(conn, "select secret from security.staff_key_secret")
    # views are read-only to it: no write through a view with its owner's rights
    writable_views = fetch(
        superuser,
        """
        select c.oid::regclass::text from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where c.relkind = 'v' and n.nspname in ('staging', 'intermediate', 'build', 'marts')
          and (has_table_privilege(%s, c.oid, 'INSERT')
               or has_table_privilege(%s, c.oid, 'UPDATE')
               or has_table_privilege(%s, c.oid, 'DELETE'))
        """,
        (TRANSFORMER,) * 3,
    )
    assert writable_views == []
    conn.close()


def test_auditor_reads_everything_and_writes_nothing(warehouse, login_role, superuser):
    conn = connect_as(warehouse, login_role(AUDITOR))
    for schema in (*PIPELINE_SCHEMAS, "security"):
        for table in _tables(superuser, schema):
            relation = f'{schema}."{table}"'
            expected = fetch(superuser, f"select count(*) from {relation}")
            assert fetch(conn, f"select count(*) from {relation}") == expected, relation
            assert denied(conn, f"delete from {relation}"), relation
            assert denied(conn, f"truncate {relation}"), relation
        assert denied(conn, f"create table {schema}.probe (x int)"), schema
    assert denied(conn, "insert into raw.tenants (tenant_id) values ('x')")
    assert denied(conn, "update marts.fct_payroll set net_pay = 0")
    assert denied(conn, "create schema wap_auditor")
    conn.close()


def test_no_object_is_owned_by_a_login_analysts_use(warehouse, superuser, login_role):
    login_role(ANALYST)  # at least one analyst login exists
    owners = fetch(
        superuser,
        """
        with recursive owners as (
            select relowner as owner from pg_class
            union select nspowner from pg_namespace
            union select proowner from pg_proc
            union select typowner from pg_type
        ),
        analyst_members as (  -- granted membership, not a superuser's implicit one
            select member from pg_auth_members where roleid = %s::regrole
            union select m.member from pg_auth_members as m
            join analyst_members as a on m.roleid = a.member
        )
        select r.rolname, r.rolcanlogin, r.oid in (select member from analyst_members)
        from owners join pg_roles as r on r.oid = owners.owner
        """,
        (ANALYST,),
    )
    assert ("payroll_pseudonymizer", False, False) in owners
    assert [o for o in owners if o[1] and o[2]] == []


def _security_state(conn) -> list[tuple]:
    return fetch(
        conn,
        """
        select n.nspname, c.relname, c.relacl::text, c.reloptions::text,
            c.relrowsecurity, c.relforcerowsecurity,
            array(select polname || ':' || pg_get_expr(polqual, polrelid) from pg_policy
                  where polrelid = c.oid order by 1)::text,
            array(select attname || '=' || attacl::text from pg_attribute
                  where attrelid = c.oid and attacl is not null order by 1)::text
        from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = any (%s) order by 1, 2
        """,
        (["raw", "reference", "control", "staging", "intermediate", "build", "marts", "security"],),
    )


def test_setup_is_idempotent_and_heals_drift(warehouse, superuser):
    before = _security_state(superuser)
    conn = connect(warehouse)
    apply_migrations(conn)
    assert _security_state(superuser) == before
    with conn.cursor() as cur:
        cur.execute(f"grant select on marts.fct_payroll to {ANALYST}")
        cur.execute(f"grant select (staff_id) on marts.fct_workweek_hours to {ANALYST}")
        cur.execute(f"grant insert on raw.staff to {AUDITOR}")
        cur.execute("alter table marts.rpt_location_labor_cost no force row level security")
        cur.execute("drop policy payroll_analyst_tenant_v1 on marts.dim_pay_periods")
        cur.execute("alter view marts.analyst_payroll reset (security_invoker)")
    conn.commit()
    assert _security_state(superuser) != before
    apply_migrations(conn)
    conn.close()
    assert _security_state(superuser) == before


def test_concurrent_setups_on_one_server_create_each_role_once(make_database, server_url):
    tenant = f"concurrent{uuid.uuid4().hex[:8]}"
    urls = [make_database(f"roles_concurrent_{n}") for n in range(4)]
    for url in urls:
        with connect(url) as conn, conn.cursor() as cur:
            cur.execute(
                "insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor, "
                "source_file, source_row) values (%s, 'C', 'weekly', '2026-03-01', 'x', 1)",
                (tenant,),
            )
        conn.close()
    start = threading.Barrier(len(urls))
    errors: list[BaseException] = []

    def setup(url: str) -> None:
        conn = connect(url)
        try:
            start.wait()
            apply_migrations(conn)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=setup, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connect(urls[0]) as conn:
        role = tenant_role(conn, tenant)
    conn.close()
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    try:
        assert errors == []
        assert fetch(admin, "select count(*) from pg_roles where rolname = %s", (role,)) == [(1,)]
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
        admin.close()


@pytest.fixture
def owner_without_createrole(server_url: str, make_database):
    make_database("roles_bootstrap")  # a superuser's setup created the group roles
    owner = f"payroll_test_plain_owner_{uuid.uuid4().hex[:8]}"
    dbname = f"payroll_test_plain_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("create role {} login").format(sql.Identifier(owner)))
        cur.execute(
            sql.SQL("create database {} owner {}").format(
                sql.Identifier(dbname), sql.Identifier(owner)
            )
        )
    yield psycopg2.extensions.make_dsn(with_database(server_url, dbname), user=owner)
    with admin.cursor() as cur:
        cur.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(dbname)))
        cur.execute(sql.SQL("drop role {}").format(sql.Identifier(owner)))
    admin.close()


def test_without_createrole_a_new_tenant_is_reported_and_stays_hidden(
    owner_without_createrole, caplog
):
    url = owner_without_createrole
    conn = connect(url)
    apply_migrations(conn)  # the group roles exist on this server already
    tenant = f"unroled{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(
            "insert into raw.tenants (tenant_id, name, pay_frequency, period_anchor, "
            "source_file, source_row) values (%s, 'U', 'weekly', '2026-03-01', 'x', 1)",
            (tenant,),
        )
    conn.commit()
    with caplog.at_level("WARNING", logger="dagster_project.lib.roles"):
        apply_migrations(conn)
    role = tenant_role(conn, tenant)
    assert {(e["event"], e["role"]) for e in logged_events(caplog)} == {
        ("tenant_role_missing", role)
    }
    assert fetch(conn, "select count(*) from pg_roles where rolname = %s", (role,)) == [(0,)]
    conn.close()


def test_bank_accounts_are_written_by_the_loader_and_read_by_no_other_role(warehouse, login_role):
    """CONTRACT §7: bank accounts live in `private`, which no analyst, auditor,
    transformer or pseudonymizer role can read."""
    loader = connect_as(warehouse, login_role(LOADER))
    inserted = _writes(
        loader,
        "insert into private.bank_accounts (tenant_id, staff_id, routing_number, "
        "account_number, account_type, effective_from, source_file, source_row) "
        "values ('acme', 'probe', '021000021', '12345678', 'checking', '2026-01-01', 'x', 2)",
    )
    assert inserted == 1
    loader.close()
    for role in (ANALYST, AUDITOR, TRANSFORMER, PSEUDONYMIZER):
        conn = connect_as(warehouse, login_role(role))
        assert denied(conn, "select count(*) from private.bank_accounts"), role
        conn.close()
