"""Analysts see their tenant's rows only, through every mart and view they can
read, and never a person's name, W-4 or take-home pay."""

import hashlib
import re
from decimal import Decimal

import psycopg2
import pytest

from dagster_project.lib.database import connect
from dagster_project.lib.migrations import apply_migrations
from dagster_project.lib.roles import ANALYST, AUDITOR, tenant_role
from tests.security.conftest import TENANTS, connect_as, denied, fetch

# What an analyst may read: nothing about a named or identifiable person.
ANALYST_READABLE = {
    ("marts", "rpt_location_labor_cost"),
    ("marts", "dim_pay_periods"),
    ("marts", "payroll_runs"),
    # CONTRACT §7: no person in them
    ("marts", "fct_gl_journal"),
    ("marts", "rpt_form_941"),
    ("marts", "rpt_form_940"),
    ("marts", "analyst_payroll"),
    ("marts", "analyst_workweek_hours"),
    ("security", "analyst_payroll"),
    ("security", "analyst_workweek_hours"),
}
PERSONAL_COLUMNS = {
    "staff_id",
    "full_name",
    "filing_status",
    "w4_step2",
    "w4_dependents",
    "w4_other_income",
    "w4_deductions",
    "w4_extra_withholding",
    "annual_salary",
    "net_pay",
    "federal_income_tax",
    "state_income_tax",
    "retirement_401k",
    "section_125",
    "post_tax_deductions",
    "event_id",
}


@pytest.fixture(scope="module")
def warehouse(e2e_pipeline):
    """The pipeline's warehouse after a setup step (any payroll command)."""
    url, _ = e2e_pipeline
    conn = connect(url)
    apply_migrations(conn)
    conn.close()
    return url


@pytest.fixture(scope="module")
def analysts(warehouse, login_role) -> dict[str, str]:
    conn = connect(warehouse)
    roles = {tenant: tenant_role(conn, tenant) for tenant in TENANTS}
    conn.close()
    return {tenant: login_role(ANALYST, roles[tenant]) for tenant in TENANTS}


def _relations(conn) -> list[tuple[str, str]]:
    return fetch(
        conn,
        """
        select n.nspname, c.relname from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm')
          and n.nspname not in ('pg_catalog', 'information_schema')
          and n.nspname not like 'pg\\_%%'
        order by 1, 2
        """,
    )


def _qualified(schema: str, name: str) -> str:
    return f'"{schema}"."{name}"'


def test_analysts_read_exactly_the_non_personal_marts_and_pseudonymised_views(warehouse, analysts):
    conn = connect_as(warehouse, analysts["acme"])
    readable = set()
    everything = _relations(conn)
    for schema, name in everything:
        if not denied(conn, f"select 1 from {_qualified(schema, name)} limit 1"):
            readable.add((schema, name))
    conn.close()
    assert readable == ANALYST_READABLE
    # the personal marts exist and are refused, not merely absent
    assert {
        ("marts", "fct_payroll"),
        ("marts", "fct_workweek_hours"),
        ("marts", "fct_pay_stub_lines"),
        ("marts", "rpt_w2"),
        ("raw", "staff"),
        ("private", "bank_accounts"),
    } <= set(everything)


@pytest.mark.parametrize("tenant", TENANTS)
def test_an_analyst_sees_no_row_of_another_tenant_anywhere(warehouse, analysts, superuser, tenant):
    other = next(t for t in TENANTS if t != tenant)
    conn = connect_as(warehouse, analysts[tenant])
    for schema, name in sorted(ANALYST_READABLE):
        relation = _qualified(schema, name)
        seen = fetch(
            conn,
            f"select count(*), count(*) filter (where tenant_id <> %s), "
            f"count(distinct tenant_id) from {relation}",
            (tenant,),
        )[0]
        everyone = fetch(
            superuser,
            f"select count(*) filter (where tenant_id = %s), "
            f"count(*) filter (where tenant_id = %s) from {relation}",
            (tenant, other),
        )[0]
        assert everyone[1] > 0, f"{relation}: no row of {other} to hide — the test proves nothing"
        assert seen[1] == 0, f"{relation}: {seen[1]} rows of another tenant"
        assert seen[0] == everyone[0], f"{relation}: {seen[0]} rows, expected {everyone[0]}"
        assert seen[2] == 1
        # filtering for the other tenant explicitly finds nothing either
        assert fetch(conn, f"select count(*) from {relation} where tenant_id = %s", (other,)) == [
            (0,)
        ]
    conn.close()


@pytest.mark.parametrize("tenant", TENANTS)
def test_aggregates_of_an_analyst_are_its_tenants_totals(warehouse, analysts, superuser, tenant):
    conn = connect_as(warehouse, analysts[tenant])
    labor = fetch(
        conn, "select sum(gross_pay), sum(hours_worked) from marts.rpt_location_labor_cost"
    )
    payroll = fetch(
        conn,
        "select count(*), sum(gross_pay), sum(labor_cost), count(distinct staff_key) "
        "from marts.analyst_payroll",
    )
    hours = fetch(conn, "select sum(hours_worked) from marts.analyst_workweek_hours")
    runs = fetch(conn, "select count(*), sum(total_gross_pay) from marts.payroll_runs")
    conn.close()
    expected = fetch(
        superuser,
        """
        select count(*), sum(gross_pay),
            sum(gross_pay + employer_social_security_tax + employer_medicare_tax + futa_tax),
            count(distinct staff_id), sum(hours_worked)
        from marts.fct_payroll where tenant_id = %s
        """,
        (tenant,),
    )[0]
    assert payroll == [expected[:4]]
    assert labor == [(expected[1], expected[4])]
    assert hours == fetch(
        superuser,
        "select sum(hours_worked) from marts.fct_workweek_hours where tenant_id = %s",
        (tenant,),
    )
    assert runs == fetch(
        superuser,
        "select count(*), sum(total_gross_pay) from marts.payroll_runs where tenant_id = %s",
        (tenant,),
    )


def test_acme_totals_to_the_cent_through_the_analyst_view(warehouse, analysts):
    # S1 588.00 + S2 637.00 + S3 728.00 (tests/test_end_to_end.py)
    conn = connect_as(warehouse, analysts["acme"])
    assert fetch(conn, "select sum(gross_pay) from marts.analyst_payroll") == [
        (Decimal("1953.00"),)
    ]
    conn.close()


def test_an_analyst_without_a_tenant_role_sees_nothing(warehouse, login_role):
    nobody = login_role(ANALYST)
    conn = connect_as(warehouse, nobody)
    for schema, name in sorted(ANALYST_READABLE):
        assert fetch(conn, f"select count(*) from {_qualified(schema, name)}") == [(0,)]
    conn.close()


def test_an_analyst_cannot_claim_another_tenant(warehouse, analysts):
    conn = connect_as(warehouse, analysts["acme"])
    brew_role = fetch(conn, "select security.tenant_role('brew')")[0][0]
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        fetch(conn, f'set role "{brew_role}"')
    # a session setting is no key: isolation is by role membership
    with conn.cursor() as cur:
        cur.execute("set payroll.tenant_id = 'brew'")
        cur.execute("select count(*) from marts.analyst_payroll where tenant_id = 'brew'")
        assert cur.fetchone() == (0,)
    conn.rollback()
    assert denied(conn, "select * from security.staff_key_secret")
    assert denied(conn, f'grant "{brew_role}" to current_user')
    assert fetch(conn, "select pg_has_role(current_user, %s, 'member')", (brew_role,)) == [(False,)]
    conn.close()


def test_no_personal_column_reaches_an_analyst(warehouse, analysts, superuser):
    conn = connect_as(warehouse, analysts["acme"])
    for schema, name in ANALYST_READABLE:
        columns = {
            row[0]
            for row in fetch(
                superuser,
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s",
                (schema, name),
            )
        }
        assert columns, f"{schema}.{name} has no columns?"
        assert not columns & PERSONAL_COLUMNS, f"{schema}.{name}: {columns & PERSONAL_COLUMNS}"
    keys = fetch(conn, "select distinct staff_key from marts.analyst_payroll order by 1")
    again = fetch(conn, "select distinct staff_key from marts.analyst_workweek_hours order by 1")
    conn.close()
    staff = fetch(superuser, "select tenant_id, staff_id from raw.staff")
    assert len(keys) == 3 and keys == again  # stable across views and queries
    # A keyed hash: not the id, and not the hash anyone could compute without the secret.
    unkeyed = {
        hashlib.sha256(f"{part}".encode()).hexdigest()[:16]
        for tenant, staff_id in staff
        for part in (staff_id, f"{tenant}/{staff_id}", f"/{tenant}/{staff_id}")
    }
    for (key,) in keys:
        assert re.fullmatch(r"[0-9a-f]{16}", key)
        assert key not in unkeyed
        assert key not in {staff_id.lower() for _, staff_id in staff}


def test_an_auditor_sees_every_tenant_through_the_analyst_views(warehouse, login_role, superuser):
    auditor = connect_as(warehouse, login_role(AUDITOR))
    total = fetch(superuser, "select count(*) from marts.fct_payroll")
    assert fetch(auditor, "select count(*) from marts.analyst_payroll") == total
    assert total == [(4,)]
    auditor.close()


def test_analyst_facing_views_are_security_invoker_and_marts_force_row_security(superuser):
    views = fetch(
        superuser,
        """
        select c.relname, coalesce('security_invoker=true' = any (c.reloptions), false)
        from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'marts' and c.relkind = 'v'
        """,
    )
    assert {name for name, _ in views} >= {"analyst_payroll", "analyst_workweek_hours"}
    assert all(invoker for _, invoker in views), views
    tables = fetch(
        superuser,
        """
        select c.relname, c.relrowsecurity, c.relforcerowsecurity
        from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'marts' and c.relkind in ('r', 'p')
        """,
    )
    assert {"fct_payroll", "rpt_location_labor_cost", "dim_pay_periods"} <= {t[0] for t in tables}
    assert all(enabled and forced for _, enabled, forced in tables), tables
