"""Year to date counts what was paid: a period whose audit failed was never
published, so its wages do not move the next period's Social Security cap;
once it is published, they do (and the later period is recomputed)."""

import shutil
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from tests.security.conftest import payroll_env

E2E_FIXTURES = Path(__file__).parent / "fixtures" / "e2e"
# S1 starts the year $50 below the 2026 wage base ($184,500)
YTD_OPENING = (
    "tenant_id,staff_id,tax_year,gross_wages,social_security_wages,medicare_wages,"
    "futa_wages,sdi_wages\n"
    "acme,S1,2026,184450.00,184450.00,184450.00,7000.00,0\n"
)
# one more shift of S1, in acme's second weekly period (2026-03-08)
SECOND_PERIOD_SHIFT = (
    "acme,ACME101,S1,AUS,cook,2026-03-10T09:00:00-05:00,2026-03-10T17:00:00-05:00,0,"
    "2026-03-10T23:00:00-05:00\n"
)
CORRUPT_BUILD = """
    create function build.corrupt_overtime() returns trigger language plpgsql as $$
    begin new.overtime_hours := new.hours_worked + 1; return new; end $$;
    create trigger corrupt_overtime before insert on build.fct_payroll
        for each row execute function build.corrupt_overtime();
"""
REPAIR_BUILD = """
    drop trigger corrupt_overtime on build.fct_payroll;
    drop function build.corrupt_overtime();
"""


def _execute(url: str, statement: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _social_security(url: str) -> dict[str, tuple[Decimal, Decimal]]:
    """S1's (gross pay, Social Security tax) per published period."""
    rows = _execute(
        url,
        "select period_start::text, gross_pay, social_security_tax from marts.fct_payroll "
        "where tenant_id = 'acme' and staff_id = 'S1' order by period_start",
    )
    return {period: (gross, tax) for period, gross, tax in rows}


@pytest.fixture(scope="module")
def warehouse(make_database, tmp_path_factory):
    url = make_database("ytd_published")
    home = tmp_path_factory.mktemp("ytd_home")
    data = tmp_path_factory.mktemp("ytd_data")
    for source in E2E_FIXTURES.glob("*.csv"):
        shutil.copy(source, data / source.name)
    (data / "ytd_opening.csv").write_text(YTD_OPENING)
    with (data / "attendance.csv").open("a") as attendance:
        attendance.write(SECOND_PERIOD_SHIFT)
    runner = CliRunner()
    with payroll_env(url, home):
        loaded = runner.invoke(app, ["ingest", str(data)])
        assert loaded.exit_code == 0, loaded.output

    def run(period: str) -> int:
        with payroll_env(url, home):
            result = runner.invoke(app, ["run", "--period", period, "--tenant", "acme"])
        return result.exit_code

    return url, run


def test_a_period_that_failed_its_audit_does_not_move_the_cap(warehouse):
    url, run = warehouse
    # the second week first (its cap: the opening alone), then the first week
    # built and refused by its audit: its rows stay in build.fct_payroll only
    assert run("2026-03-08") == 0
    _execute(url, CORRUPT_BUILD)
    try:
        assert run("2026-03-01") == 1  # refused by its audit: nothing published
    finally:
        _execute(url, REPAIR_BUILD)
    assert "2026-03-01" not in _social_security(url)
    assert run("2026-03-08") == 0
    gross, tax = _social_security(url)["2026-03-08"]
    assert gross > Decimal("50")
    # only the opening $184,450 counts: $50 left under the wage base
    assert tax == Decimal("3.10")


def test_once_published_the_period_fills_the_cap_of_the_next(warehouse):
    url, run = warehouse
    assert run("2026-03-01") == 0  # recomputes 2026-03-08 in the same run
    paid = _social_security(url)
    first_gross, first_tax = paid["2026-03-01"]
    assert first_gross > Decimal("50")
    assert first_tax == Decimal("3.10")  # the $50 left, this time in March's first week
    assert paid["2026-03-08"][1] == Decimal("0.00")
