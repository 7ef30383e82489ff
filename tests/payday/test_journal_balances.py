"""The journal's SQL (fct_gl_journal, as dbt compiles it) balances any
register: random pay register rows — corrections that take pay back
included — give, per location, debits equal to credits to the cent, each line
on one side only."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.lib.database import dbt_env

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
MONEY = ("gross_pay", "card_tips_pay", "cash_tips_reported", "retirement_401k", "section_125",
         "post_tax_deductions", "federal_income_tax", "social_security_tax", "medicare_tax",
         "state_income_tax", "state_disability_tax", "employer_social_security_tax",
         "employer_medicare_tax", "futa_tax")  # fmt: skip
WITHHELD = MONEY[2:11]


@pytest.fixture(scope="module")
def journal_sql(make_database, tmp_path_factory):
    """(url, the compiled select of fct_gl_journal over a scratch register)."""
    url = make_database("journal_property")
    target = tmp_path_factory.mktemp("journal_dbt")
    compiled = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "compile",
            "--select",
            "fct_gl_journal",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(target),
            "--quiet",
        ],
        env={**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    select = next(target.rglob("compiled/**/fct_gl_journal.sql")).read_text()
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        columns = ", ".join(f"{c} numeric(16, 2) not null" for c in (*MONEY, "net_pay"))
        cur.execute(
            f"create table build.fct_payroll (tenant_id text, staff_id text, location_id text, "
            f"period_start date, {columns})"
        )
        cur.execute("create table reference.gl_account_defaults "
                    "(line text, account text, side text, description text)")  # fmt: skip
        with (DBT_PROJECT / "seeds" / "gl_account_defaults.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                cur.execute(
                    "insert into reference.gl_account_defaults values (%s, %s, %s, %s)",
                    (row["line"], row["account"], row["side"], row["description"]),
                )
        cur.execute("create table staging.stg_raw__gl_accounts (tenant_id text, line text, "
                    "account text)")  # fmt: skip
        cur.execute("insert into staging.stg_raw__gl_accounts values "
                    "('t', 'wages_expense', '5000 Kitchen wages')")  # fmt: skip
        cur.execute("create table staging.stg_control__pay_period_finalizations "
                    "(tenant_id text, period_start date)")  # fmt: skip
    conn.close()
    return url, select


CENTS = st.integers(min_value=-50_000, max_value=500_000).map(lambda c: Decimal(c) / 100)
ROWS = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.tuples(*[CENTS] * len(MONEY))),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_any_register_gives_a_balanced_journal(journal_sql, rows):
    url, select = journal_sql
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("delete from build.fct_payroll")
            for number, (location, amounts) in enumerate(rows):
                values = dict(zip(MONEY, amounts, strict=True))
                # net pay as fct_payroll computes it, from the rounded parts
                net = values["gross_pay"] - sum(values[c] for c in WITHHELD)
                cur.execute(
                    f"insert into build.fct_payroll (tenant_id, staff_id, location_id, "
                    f"period_start, {', '.join(MONEY)}, net_pay) values "
                    f"('t', %s, %s, '2026-03-01', {', '.join(['%s'] * len(MONEY))}, %s)",
                    (f"S{number}", location, *amounts, net),
                )
            cur.execute(f"select location_id, line, account, debit, credit from ({select}) as j")
            journal = cur.fetchall()
        conn.rollback()
    finally:
        conn.close()
    debit_lines = {"wages_expense", "tips_payable", "employer_tax_expense"}
    by_location: dict[str, list[Decimal]] = {}
    for location, line, account, debit, credit in journal:
        assert (debit > 0) != (credit > 0) and min(debit, credit) == 0, (line, debit, credit)
        assert (account == "5000 Kitchen wages") == (line == "wages_expense")
        totals = by_location.setdefault(location, [Decimal(0), Decimal(0), Decimal(0)])
        totals[0] += debit
        totals[1] += credit
        if line in debit_lines:
            totals[2] += debit - credit
    for location, (debits, credits, expense) in by_location.items():
        assert debits == credits, location
        # what the location's books carry: gross less cash tips, plus employer taxes
        values = [dict(zip(MONEY, a, strict=True)) for loc, a in rows if loc == location]
        assert expense == sum(
            v["gross_pay"]
            - v["cash_tips_reported"]
            + v["employer_social_security_tax"]
            + v["employer_medicare_tax"]
            + v["futa_tax"]
            for v in values
        )
