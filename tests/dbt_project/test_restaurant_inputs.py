"""CONTRACT §6 inputs in the dbt project: ``reference.minimum_wages`` (the
seed, effective-dated by jurisdiction), the staging columns, and a
``tip_credit`` rate paying a salaried or FLSA-exempt staff member's shift,
which is an attendance exception (``tip_credit_not_allowed``).

One delivery for the module, ingested by ``payroll ingest``'s own code, then
one ``dbt build`` of the whole project (data tests included, unit tests
excluded: tests/dbt_project/test_dbt_project.py runs those).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest

from dagster_project.ingest.loader import ingest_paths
from dagster_project.lib.conservation import check_conservation
from dagster_project.lib.database import dbt_env

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))
D = Decimal

DELIVERY = {
    "tenants.csv": (
        "tenant_id,name,pay_frequency,period_anchor,workweek_start",
        "acme,Acme Diner,weekly,2026-03-01,sunday",
    ),
    "locations.csv": (
        "tenant_id,location_id,name,timezone,jurisdiction,locality",
        "acme,NYC1,Midtown,America/New_York,NY,nyc",
        "acme,AUS,Austin,America/Chicago,TX,",
    ),
    "staff.csv": (
        "tenant_id,staff_id,full_name,home_location_id,pay_type,flsa_exempt,annual_salary,hired_on",
        "acme,WAIT,Ada Example,AUS,hourly,false,,2025-01-06",
        "acme,CHEF,Bo Example,AUS,hourly,true,,2025-01-06",
        "acme,BOSS,Cy Example,AUS,salaried,true,78000,2025-01-06",
        "acme,OWNR,Di Example,AUS,salaried,false,52000,2025-01-06",
    ),
    "pay_rates.csv": (
        "tenant_id,staff_id,role,hourly_rate,effective_from,effective_to,tip_credit",
        "acme,,server,2.13,2026-01-01,,true",
        "acme,,cook,16.00,2026-01-01,,",
        "acme,OWNR,server,2.13,2026-01-01,,yes",
    ),
    "attendance.csv": (
        "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,"
        "updated_at,cash_tips,card_tips",
        # non-exempt hourly at the tipped default: used (rules come later)
        "acme,E1,WAIT,AUS,server,2026-03-02T17:00:00-06:00,2026-03-02T23:00:00-06:00,0,"
        "2026-03-03T00:00:00Z,40.25,112.50",
        # exempt hourly at the tipped default: not allowed
        "acme,E2,CHEF,AUS,server,2026-03-02T17:00:00-06:00,2026-03-02T23:00:00-06:00,0,"
        "2026-03-03T00:00:00Z,,",
        # exempt hourly at a rate without tip credit: used
        "acme,E3,CHEF,AUS,cook,2026-03-03T09:00:00-06:00,2026-03-03T17:00:00-06:00,0,"
        "2026-03-03T23:00:00Z,,",
        # salaried at the role's tipped default, which is never theirs: used
        "acme,E4,BOSS,AUS,server,2026-03-03T09:00:00-06:00,2026-03-03T17:00:00-06:00,0,"
        "2026-03-03T23:00:00Z,,",
        # salaried with a tipped rate of their own: not allowed
        "acme,E5,OWNR,AUS,server,2026-03-04T09:00:00-06:00,2026-03-04T17:00:00-06:00,0,"
        "2026-03-04T23:00:00Z,5.00,",
        # negative tips: refused at ingest
        "acme,E6,WAIT,AUS,server,2026-03-04T17:00:00-06:00,2026-03-04T23:00:00-06:00,0,"
        "2026-03-05T00:00:00Z,-5.00,10.00",
    ),
}


def _dbt(url: str, target: Path, *args: str) -> str:
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [
            DBT,
            *args,
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    return result.stdout


@pytest.fixture(scope="module")
def built(make_database: Callable[[str], str], tmp_path_factory) -> str:
    url = make_database("restaurant_inputs")
    folder = tmp_path_factory.mktemp("delivery")
    for name, lines in DELIVERY.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_paths(url, [folder])
    target = tmp_path_factory.mktemp("dbt_target")
    output = _dbt(
        url,
        target,
        "build",
        "--indirect-selection",
        "buildable",
        "--exclude-resource-type",
        "unit_test",
    )
    summary = [line for line in output.splitlines() if "Done. PASS=" in line][-1]
    assert "ERROR=0" in summary and "WARN=0" in summary, summary
    return url


def _query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("set time zone 'UTC'")
            cur.execute(statement, params)
            return cur.fetchall()
    finally:
        conn.close()


# The row in effect on a date: the jurisdiction's latest effective_from on or
# before it (CONTRACT §6).
_IN_EFFECT = """
    select minimum_wage, tipped_cash_wage, max_tip_credit, effective_from
    from reference.minimum_wages
    where jurisdiction = %s and effective_from <= %s
    order by effective_from desc
    limit 1
"""


@pytest.mark.parametrize(
    "jurisdiction, on, expected",
    [
        ("US", "2026-03-02", (D("7.25"), D("2.13"), D("5.12"), dt.date(2009, 7, 24))),
        ("AK", "2026-06-30", (D("13.00"), None, None, dt.date(2025, 7, 1))),
        ("AK", "2026-07-01", (D("14.00"), None, None, dt.date(2026, 7, 1))),
        ("FL", "2026-09-29", (D("14.00"), D("10.98"), D("3.02"), dt.date(2025, 9, 30))),
        ("FL", "2026-09-30", (D("15.00"), D("11.98"), D("3.02"), dt.date(2026, 9, 30))),
        ("nyc", "2026-03-02", (D("17.00"), D("11.35"), D("5.65"), dt.date(2026, 1, 1))),
        ("seattle", "2026-12-31", (D("21.30"), None, None, dt.date(2026, 1, 1))),
    ],
)
def test_minimum_wage_in_effect_is_the_latest_row_on_or_before_the_date(
    built, jurisdiction, on, expected
):
    assert _query(built, _IN_EFFECT, (jurisdiction, on)) == [expected]


def test_minimum_wages_before_the_first_row_of_a_jurisdiction_are_not_in_effect(built):
    assert _query(built, _IN_EFFECT, ("CA", "2025-12-31")) == []


def test_minimum_wages_seed_keeps_every_row_and_its_source(built):
    rows = _query(
        built,
        "select count(*), count(distinct jurisdiction), count(source), "
        "count(*) filter (where max_tip_credit is null) from reference.minimum_wages",
    )
    assert rows == [(15, 13, 15, 6)]
    assert _query(
        built,
        "select data_type from information_schema.columns where table_schema = 'reference' "
        "and table_name = 'minimum_wages' and column_name = 'minimum_wage'",
    ) == [("numeric",)]


def test_staging_exposes_the_new_input_columns(built):
    assert _query(
        built, "select location_id, locality from staging.stg_raw__locations order by 1"
    ) == [("AUS", None), ("NYC1", "nyc")]
    assert _query(
        built,
        "select staff_id, role, is_tip_credit_rate, source_row "
        "from staging.stg_raw__pay_rates order by source_row",
    ) == [(None, "server", True, 2), (None, "cook", False, 3), ("OWNR", "server", True, 4)]
    assert _query(
        built,
        "select event_id, cash_tips, card_tips from staging.stg_raw__attendance order by 1",
    ) == [
        ("E1", D("40.25"), D("112.50")),
        ("E2", D("0.00"), D("0.00")),
        ("E3", D("0.00"), D("0.00")),
        ("E4", D("0.00"), D("0.00")),
        ("E5", D("5.00"), D("0.00")),
    ]


def test_tip_credit_rate_of_salaried_or_exempt_staff_is_an_attendance_exception(built):
    rows = _query(
        built,
        "select event_id, staff_id, reason_code, source_row, detail "
        "from build.fct_attendance_exceptions order by event_id",
    )
    assert [row[:4] for row in rows] == [
        ("E2", "CHEF", "tip_credit_not_allowed", 3),
        ("E5", "OWNR", "tip_credit_not_allowed", 6),
        ("E6", "WAIT", "malformed_value", 7),
    ]
    assert rows[0][4] == (
        "the rate for the role on the work date takes the tip credit (pay_rates tip_credit), "
        "which salaried and FLSA-exempt staff may not: not paid until the rate is fixed"
    )
    assert rows[2][4] == "cash_tips: not an amount of dollars of at least 0 with at most 2 decimals"


def test_the_exception_keeps_every_attendance_row_accounted_for(built):
    conservation = check_conservation(built, "build")
    assert conservation.holds
    assert conservation.by_tenant["acme"] == {
        "received": 6,
        "used": 3,
        "superseded": 0,
        "exceptions": 3,
    }


def test_shifts_of_a_tip_credit_exception_are_not_paid(built):
    """E2's 6 hours are not paid (CHEF's E3 is: 8 h × 16.00); WAIT's 6 hours
    at the tipped default are (6 × 2.13 = 12.78; no make-up before the pay
    rules of §6); BOSS's hours count, OWNR's E5 does not."""
    assert _query(
        built,
        "select staff_id, hours_worked, straight_time_pay from build.fct_payroll "
        "where period_start = '2026-03-01' order by 1",
    ) == [
        ("BOSS", D("8.00"), D("0.00")),
        ("CHEF", D("8.00"), D("128.00")),
        ("OWNR", D("0.00"), D("0.00")),
        ("WAIT", D("6.00"), D("12.78")),
    ]
