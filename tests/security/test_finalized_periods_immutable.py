"""A finalized period's published rows cannot change, whatever role asks:
the database refuses, not a convention of the pipeline. Tried as each role,
as `payroll finalize` leaves a period, on every pay-period mart."""

from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from dagster_project.lib.mart_catalog import published_marts
from dagster_project.lib.publish import PAY_PERIOD_MARTS
from dagster_project.lib.roles import ANALYST, AUDITOR, LOADER, TRANSFORMER
from tests.security.conftest import E2E_FIXTURES, connect_as, fetch, invoke

FINALIZED = ("acme", "2026-03-01")
OPEN = ("brew", "2026-03-01")
GUARDED_MARTS = [m for m in PAY_PERIOD_MARTS if m.period_column is not None]
# the fixtures pay no correction and trip no premium (CONTRACT §6):
# fct_payroll_adjustments and fct_pay_premiums are empty, their guard is
# checked by their triggers below
MARTS_WITHOUT_ROWS = ("fct_payroll_adjustments", "fct_pay_premiums")
MARTS_WITH_ROWS = [m for m in GUARDED_MARTS if m.name not in MARTS_WITHOUT_ROWS]


@pytest.fixture(scope="module")
def pipeline(make_database, tmp_path_factory) -> tuple[str, Path]:
    """Both tenants' first period published; acme's finalized."""
    url = make_database("finalized_immutable")
    home = tmp_path_factory.mktemp("finalized_home")
    steps = [
        ("ingest", str(E2E_FIXTURES)),
        *(("run", "--period", period, "--tenant", tenant) for tenant, period in (FINALIZED, OPEN)),
        ("finalize", "--period", FINALIZED[1], "--tenant", FINALIZED[0]),
    ]
    for args in steps:
        result = invoke(url, home, *args)
        assert result.exit_code == 0, result.output
    return url, home


@pytest.fixture(scope="module")
def finalized(pipeline) -> str:
    return pipeline[0]


def _attempt(conn, statement: str) -> str:
    """'ok' (rolled back), 'finalized' (refused by the guard) or 'denied'."""
    with conn.cursor() as cur:
        try:
            cur.execute(statement)
        except psycopg2.errors.InsufficientPrivilege:
            return "denied"
        except psycopg2.errors.IntegrityConstraintViolation as error:
            assert "is finalized" in error.diag.message_primary
            return "finalized"
        finally:
            conn.rollback()
    return "ok"


def _statements(mart, tenant: str, period: str) -> dict[str, str]:
    where = f"tenant_id = '{tenant}' and {mart.period_column} = '{period}'"
    table = f"marts.{mart.name}"
    return {
        "update": f"update {table} set tenant_id = tenant_id where {where}",
        "delete": f"delete from {table} where {where}",
        # the period's rows again under new staff and location ids: no key clash
        "insert": (
            f"insert into {table} select (jsonb_populate_record(null::{table}, "
            "to_jsonb(t) || jsonb_strip_nulls(jsonb_build_object("
            "'staff_id', (to_jsonb(t) ->> 'staff_id') || '-probe', "
            "'location_id', (to_jsonb(t) ->> 'location_id') || '-probe')))).* "
            f"from {table} as t where {where}"
        ),
    }


def _rows(url: str, mart, tenant: str, period: str) -> int:
    conn = psycopg2.connect(url)
    try:
        where = f"tenant_id = %s and {mart.period_column} = %s"
        return fetch(
            conn, f"select count(*) from marts.{mart.name} where {where}", (tenant, period)
        )[0][0]
    finally:
        conn.close()


def test_the_register_of_both_periods_is_published(finalized):
    payroll = next(m for m in GUARDED_MARTS if m.name == "fct_payroll")
    assert _rows(finalized, payroll, *FINALIZED) == 3
    assert _rows(finalized, payroll, *OPEN) == 1


def test_every_pay_period_mart_carries_the_guard(finalized):
    conn = psycopg2.connect(finalized)
    try:
        rows = fetch(
            conn,
            "select c.relname, t.tgname from pg_trigger as t "
            "join pg_class as c on c.oid = t.tgrelid "
            "join pg_namespace as n on n.oid = c.relnamespace "
            "where n.nspname = 'marts' and t.tgname like 'payroll_finalized_%%'",
        )
    finally:
        conn.close()
    events = ("insert", "update", "delete", "truncate")
    assert sorted(rows) == sorted(
        (mart.name, f"payroll_finalized_{event}") for mart in GUARDED_MARTS for event in events
    )


@pytest.mark.parametrize("mart", MARTS_WITH_ROWS, ids=lambda m: m.name)
def test_the_transformer_cannot_change_a_finalized_period(finalized, login_role, mart):
    assert _rows(finalized, mart, *FINALIZED) > 0
    conn = connect_as(finalized, login_role(TRANSFORMER))
    try:
        outcomes = {
            kind: _attempt(conn, statement)
            for kind, statement in _statements(mart, *FINALIZED).items()
        }
        assert outcomes == {"update": "finalized", "delete": "finalized", "insert": "finalized"}
        assert _attempt(conn, f"truncate marts.{mart.name}") == "finalized"
    finally:
        conn.close()


@pytest.mark.parametrize("mart", MARTS_WITH_ROWS, ids=lambda m: m.name)
def test_an_open_period_stays_writable_for_the_publish(finalized, login_role, mart):
    assert _rows(finalized, mart, *OPEN) > 0
    conn = connect_as(finalized, login_role(TRANSFORMER))
    try:
        outcomes = {
            kind: _attempt(conn, statement) for kind, statement in _statements(mart, *OPEN).items()
        }
        assert outcomes == {"update": "ok", "delete": "ok", "insert": "ok"}
    finally:
        conn.close()


@pytest.mark.parametrize("role", [LOADER, AUDITOR, ANALYST])
def test_no_other_role_can_write_the_register(finalized, login_role, role):
    payroll = next(m for m in GUARDED_MARTS if m.name == "fct_payroll")
    conn = connect_as(finalized, login_role(role))
    try:
        outcomes = {
            kind: _attempt(conn, statement)
            for kind, statement in _statements(payroll, *FINALIZED).items()
        }
        assert set(outcomes.values()) == {"denied"}, outcomes
    finally:
        conn.close()


def test_not_even_the_owner_changes_a_finalized_period(finalized):
    payroll = next(m for m in GUARDED_MARTS if m.name == "fct_payroll")
    conn = psycopg2.connect(finalized)
    try:
        update = "update marts.fct_payroll set net_pay = net_pay + 1000 where tenant_id = 'acme'"
        assert _attempt(conn, update) == "finalized"
        assert _rows(finalized, payroll, *FINALIZED) == 3
    finally:
        conn.close()


def test_the_register_shows_the_finalized_amounts_unchanged(pipeline):
    url, home = pipeline
    args = ("register", "--period", FINALIZED[1], "--tenant", FINALIZED[0], "--format", "csv")
    before = invoke(url, home, *args)
    assert before.exit_code == 0, before.output
    conn = psycopg2.connect(url)
    try:
        assert (
            _attempt(conn, "update marts.fct_payroll set net_pay = net_pay + 1000") == "finalized"
        )
    finally:
        conn.close()
    after = invoke(url, home, *args)
    assert after.output == before.output


def _unique_keys(conn, schema: str) -> set[tuple[str, bool, tuple[str, ...]]]:
    rows = fetch(
        conn,
        "select c.relname, i.indisprimary, array_agg(a.attname order by k.ord) "
        "from pg_index as i "
        "join pg_class as c on c.oid = i.indrelid "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "cross join lateral unnest(i.indkey) with ordinality as k (attnum, ord) "
        "join pg_attribute as a on a.attrelid = c.oid and a.attnum = k.attnum "
        "where n.nspname = %s and i.indisunique "
        "group by c.relname, i.indexrelid, i.indisprimary",
        (schema,),
    )
    return {(name, primary, tuple(columns)) for name, primary, columns in rows}


@pytest.mark.parametrize("schema", ["build", "marts"])
def test_every_mart_table_carries_the_key_its_contract_declares(finalized, schema):
    """The model-level constraint of each mart's yml is the database's key,
    in the table dbt builds (the contract) and in the published one."""
    conn = psycopg2.connect(finalized)
    try:
        keys = _unique_keys(conn, schema)
    finally:
        conn.close()
    declared = {
        (mart.name, bool(mart.primary_key), mart.primary_key or mart.unique_key)
        for mart in published_marts()
        if mart.primary_key or mart.unique_key
    }
    assert declared <= keys
    assert {m.name for m in published_marts() if not (m.primary_key or m.unique_key)} == {
        "fct_attendance_exceptions"
    }
    # every pay-period mart with rows but fct_attendance_exceptions has one
    assert {m.name for m in MARTS_WITH_ROWS} <= {name for name, _, _ in declared}


def test_the_build_refuses_a_duplicate_and_a_missing_value(finalized, login_role):
    """What the Great Expectations suites no longer check, the contract's
    constraints refuse as the transformer writes."""
    conn = connect_as(finalized, login_role(TRANSFORMER))
    try:
        with conn.cursor() as cur:
            with pytest.raises(psycopg2.errors.UniqueViolation):
                cur.execute("insert into build.fct_payroll select * from build.fct_payroll limit 1")
            conn.rollback()
            with pytest.raises(psycopg2.errors.UniqueViolation):
                # two lines of no role of one kind and day: nulls are equal in its key
                cur.execute(
                    "insert into build.fct_earnings select * from build.fct_earnings "
                    "where role is null limit 1"
                )
            conn.rollback()
            with pytest.raises(psycopg2.errors.NotNullViolation):
                cur.execute("update build.fct_workweek_hours set period_start = null")
            conn.rollback()
    finally:
        conn.close()
