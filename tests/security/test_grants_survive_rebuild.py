"""Rebuilding a period (dbt build, audit, publish) keeps every grant, policy and
view: each role reads exactly what it read before, with no setup in between."""

import psycopg2
import pytest

from dagster_project.lib.database import connect
from dagster_project.lib.migrations import apply_migrations
from dagster_project.lib.roles import ANALYST, AUDITOR, TRANSFORMER, tenant_role
from tests.security.conftest import PERIOD, connect_as, fetch, invoke

ANALYST_RELATIONS = (
    "marts.rpt_location_labor_cost",
    "marts.dim_pay_periods",
    "marts.analyst_payroll",
    "marts.analyst_workweek_hours",
)
PIPELINE_RELATIONS = (
    "marts.fct_payroll",
    "marts.fct_workweek_hours",
    "marts.fct_earnings",
    "marts.fct_attendance_exceptions",
    "marts.rpt_location_labor_cost",
    "marts.dim_pay_periods",
)


def _reads(url: str, role: str, relations: tuple[str, ...]) -> dict[str, object]:
    """Per relation: (rows, tenants seen), or the error the role gets."""
    conn = connect_as(url, role)
    seen: dict[str, object] = {}
    for relation in relations:
        try:
            seen[relation] = fetch(
                conn,
                f"select count(*), array_agg(distinct tenant_id order by tenant_id) "
                f"from {relation}",
            )[0]
        except psycopg2.Error as error:
            seen[relation] = type(error).__name__
    conn.close()
    return seen


def _marts_oids(conn) -> dict[str, int]:
    return dict(
        fetch(
            conn,
            "select c.relname, c.oid::int from pg_class as c "
            "join pg_namespace as n on n.oid = c.relnamespace "
            "where n.nspname = 'marts' and c.relkind in ('r', 'v')",
        )
    )


@pytest.fixture(scope="module")
def roles(e2e_pipeline, login_role) -> dict[str, str]:
    url, _ = e2e_pipeline
    conn = connect(url)
    apply_migrations(conn)
    acme = tenant_role(conn, "acme")
    conn.close()
    return {
        "analyst": login_role(ANALYST, acme),
        "transformer": login_role(TRANSFORMER),
        "auditor": login_role(AUDITOR),
    }


def test_rebuilding_a_period_keeps_what_each_role_can_read(e2e_pipeline, roles, superuser):
    url, home = e2e_pipeline
    before = {
        "analyst": _reads(url, roles["analyst"], ANALYST_RELATIONS),
        "transformer": _reads(url, roles["transformer"], PIPELINE_RELATIONS),
        "auditor": _reads(url, roles["auditor"], PIPELINE_RELATIONS),
    }
    assert before["analyst"]["marts.analyst_payroll"] == (3, ["acme"])
    assert before["auditor"]["marts.fct_payroll"] == (4, ["acme", "brew"])
    assert before["transformer"]["marts.fct_payroll"] == (4, ["acme", "brew"])
    oids = _marts_oids(superuser)

    rebuilt = invoke(url, home, "run", "--period", PERIOD, "--tenant", "acme")
    assert rebuilt.exit_code == 0, rebuilt.output

    # no setup in between: what the rebuild left is what the roles get
    assert _reads(url, roles["analyst"], ANALYST_RELATIONS) == before["analyst"]
    assert _reads(url, roles["transformer"], PIPELINE_RELATIONS) == before["transformer"]
    assert _reads(url, roles["auditor"], PIPELINE_RELATIONS) == before["auditor"]
    assert _marts_oids(superuser) == oids  # published marts are never dropped
    # the rebuild is one more run in the audit table, which the analyst still reads
    runs = fetch(superuser, "select count(*) from marts.payroll_runs where tenant_id = 'acme'")
    assert runs[0][0] >= 2
    assert _reads(url, roles["analyst"], ("marts.payroll_runs",)) == {
        "marts.payroll_runs": (runs[0][0], ["acme"])
    }
