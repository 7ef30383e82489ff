"""`payroll demo` (what `make run` does) on a fresh warehouse, and what
analysts then browse and query over it (`make docs`, `make metrics`)."""

import csv
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from tests.security.conftest import child_env


@dataclass(frozen=True)
class DemoResult:
    exit_code: int
    output: str
    stderr: str


@pytest.fixture(scope="module")
def demo(make_database, tmp_path_factory):
    url = make_database("demo")
    home = tmp_path_factory.mktemp("demo_home")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    from dagster_project.settings import get_settings

    get_settings.cache_clear()
    # as `make run` runs it: its own process, no terminal, default settings
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("payroll")), "demo", "--out", str(home / "input")],
        env=child_env(url, home),
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    yield url, DemoResult(completed.returncode, completed.stdout, completed.stderr)
    patch.undo()
    get_settings.cache_clear()


def _one(url: str, sql: str) -> tuple:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()
    finally:
        conn.close()


def test_demo_prints_a_register_with_every_staff_member(demo):
    url, result = demo
    assert result.exit_code == 0, result.output
    printed = set(re.findall(r"^(S\d{3}) ", result.output, flags=re.MULTILINE))
    assert printed == {f"S{n:03d}" for n in range(1, 69)}
    assert result.output.count("Pay register  tenant=bistro") == 4
    per_period = re.findall(r"attendance exceptions in the period: (\d+)", result.output)
    assert [int(n) for n in per_period] == [3, 0, 0, 1]
    assert "demo: 68 staff, 4 pay periods computed" in result.output


def test_demo_shows_no_warning_and_no_log_line_on_the_terminal(demo):
    """What `make run` prints on stderr: nothing (no Python or library
    warning, no dbt line, no log below WARNING)."""
    _, result = demo
    assert result.exit_code == 0, result.stderr[-3000:]
    assert result.stderr == ""


def test_demo_pays_four_biweekly_periods_and_both_identities_hold(demo):
    """The identities of CONTRACT §6 Outputs (the demo has tips, make-up and premiums)."""
    url, _ = demo
    periods, rows, gross_breaks, net_breaks = _one(
        url,
        """
        select count(distinct period_start), count(*),
            count(*) filter (where gross_pay <> salary_pay + straight_time_pay
                             + overtime_premium_pay + bonus_pay + minimum_wage_makeup_pay
                             + premium_pay + card_tips_pay + cash_tips_reported),
            count(*) filter (where net_pay <> gross_pay - cash_tips_reported
                             - retirement_401k - section_125
                             - federal_income_tax - social_security_tax - medicare_tax
                             - state_income_tax - state_disability_tax - post_tax_deductions)
        from marts.fct_payroll
        """,
    )
    assert (periods, gross_breaks, net_breaks) == (4, 0, 0)
    assert 200 <= rows <= 68 * 4


def test_demo_overtime_and_the_social_security_wage_base(demo):
    url, _ = demo
    (overtime_hours,) = _one(url, "select sum(overtime_hours) from marts.fct_payroll")
    assert overtime_hours > 0
    # the first manager starts the year at $180,000: only $4,500 more is taxed
    (social_security,) = _one(
        url,
        """
        select sum(f.social_security_tax) from marts.fct_payroll as f
        inner join raw.ytd_opening as y using (tenant_id, staff_id)
        where y.social_security_wages = 180000
        """,
    )
    assert social_security == Decimal("279.00")  # 6.2 % × 4,500


def _all(url: str, sql: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def test_demo_shows_every_restaurant_rule(demo):
    """CONTRACT §6 where the generator plans it, to the hand computation
    (tests/dagster_project/demo/test_demo_generator.py has the arithmetic)."""
    url, _ = demo
    tips = _all(
        url,
        "select location_id, count(*) filter (where cash_tips + card_tips > 0), "
        "sum(cash_tips) > 0, sum(card_tips) > sum(cash_tips) "
        "from raw.attendance group by 1 order by 1",
    )
    assert tips == [
        ("AUS", 121, True, True),
        ("DEN", 0, False, False),
        ("MIA", 0, False, False),
        ("NYC", 40, True, True),
        ("SAC", 81, True, True),
    ]
    premiums = _all(
        url,
        "select staff_id, work_date::text, kind, location_id, rate, amount, period_start::text "
        "from marts.fct_pay_premiums order by work_date",
    )
    assert premiums == [
        ("S067", "2026-03-27", "spread_of_hours", "NYC", Decimal("17.0000"), Decimal("17.00"),
         "2026-03-15"),
        ("S064", "2026-04-10", "split_shift", "SAC", Decimal("16.9000"), Decimal("16.90"),
         "2026-03-29"),
        ("S066", "2026-04-16", "meal_period", "SAC", Decimal("19.0733"), Decimal("19.07"),
         "2026-04-12"),
    ]  # fmt: skip
    weeks = _all(
        url,
        """
        select staff_id, workweek_start::text, overtime_hours, regular_rate,
            overtime_premium_pay, tips, tip_credit, minimum_wage_makeup_pay,
            qualified_overtime_premium
        from marts.fct_workweek_hours
        where (staff_id, workweek_start) in (('S061', '2026-03-15'), ('S062', '2026-03-29'))
        order by 1
        """,
    )
    assert weeks == [
        # the slow week: tips 40.00 < 27.5 h × 5.12, make-up 199.375 − 58.575 − 40.00
        ("S061", "2026-03-15", 0, Decimal("7.25"), 0, Decimal("40.00"), Decimal("40.00"),
         Decimal("100.80"), 0),
        # 45 h with the tip credit: 5 h × 0.5 × 7.25
        ("S062", "2026-03-29", 5, Decimal("7.25"), Decimal("18.13"), Decimal("769.21"),
         Decimal("230.40"), 0, Decimal("18.13")),
    ]  # fmt: skip
    made_up, premium_pay, card, cash, tip_credit = _one(
        url,
        "select sum(minimum_wage_makeup_pay) filter (where staff_id = 'S061'), "
        "sum(premium_pay), sum(card_tips_pay), sum(cash_tips_reported), sum(tip_credit) "
        "from marts.fct_payroll",
    )
    assert made_up == Decimal("100.80")
    assert premium_pay == Decimal("52.97")  # 17.00 + 16.90 + 19.07
    assert card > cash > 0 and tip_credit > 0


def test_demo_exceptions_have_reason_codes(demo):
    url, _ = demo
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select reason_code, count(*) from marts.fct_attendance_exceptions "
            "group by 1 order by 1"
        )
        reasons = dict(cur.fetchall())
    conn.close()
    assert reasons == {
        "after_termination": 1,
        "clock_out_before_clock_in": 1,
        "malformed_value": 3,
        "open_shift": 1,
        "unknown_staff": 1,
    }


def test_exceptions_command_lists_a_periods_reasons(demo):
    result = CliRunner().invoke(app, ["exceptions", "--period", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert "3 exceptions in the period" in result.output
    for reason in ("clock_out_before_clock_in", "open_shift", "unknown_staff"):
        assert reason in result.output
    assert "3 rows of bistro refused at ingest" in result.output


def test_every_attendance_row_received_is_accounted_for_once(demo):
    url, _ = demo
    from dagster_project.lib.conservation import check_conservation

    result = check_conservation(url)
    assert result.holds
    counts = result.by_tenant["bistro"]
    # the 60 staff's 2,565 shifts and the crew's 323; 28 corrections and 3 stale copies
    assert counts == {"received": 2926, "used": 2888, "superseded": 31, "exceptions": 7}
    assert result.rows_received == 2926


def test_a_runs_conservation_check_counts_the_attendance_it_classified(demo):
    """The audit of a pay-period run balances the run's own attendance window
    (what its models classified), not the whole history."""
    url, _ = demo
    from dagster_project.lib.conservation import check_conservation

    result = check_conservation(url, run_window=True)
    assert result.holds
    assert result.windows is not None and list(result.windows) == ["bistro"]
    start, end = result.windows["bistro"]
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select (min(period_start) - 8)::text || ' 00:00', (max(period_end) + 2)::text "
            "|| ' 00:00' from intermediate.int_pay_periods_computed"
        )
        assert cur.fetchone() == (start, end)
        counted = []
        for table in ("raw.attendance", "raw.attendance_superseded"):
            cur.execute(
                f"select count(*) from {table} where tenant_id = 'bistro' "
                "and clock_in >= %s::timestamp at time zone 'UTC' "
                "and clock_in < %s::timestamp at time zone 'UTC'",
                (start, end),
            )
            counted.append(cur.fetchone()[0])
        cur.execute(
            "select count(*) from raw.rejected_rows "
            "where tenant_id = 'bistro' and file_kind = 'attendance'"
        )
        refused = cur.fetchone()[0]
    conn.close()
    counts = result.by_tenant["bistro"]
    assert counts["received"] == counted[0] + counted[1] + refused
    assert counts["superseded"] == counted[1]
    # the demo's four periods are one run: its window is theirs, with a
    # workweek of lookback before the first and two days after the last
    assert (start, end) == ("2026-02-21 00:00", "2026-04-27 00:00")
    assert counts["used"] == 2888


def test_conservation_fails_when_a_received_row_disappears(demo):
    url, _ = demo
    from dagster_project.lib.conservation import check_conservation

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "create temp table lost as "
                "select * from raw.attendance_superseded order by source_row limit 1"
            )
            cur.execute(
                "delete from raw.attendance_superseded where (file_sha256, source_row) in "
                "(select file_sha256, source_row from lost)"
            )
        result = check_conservation(url)
        assert not result.holds
        assert result.files_with_rows_missing == 1
    finally:
        with conn, conn.cursor() as cur:
            cur.execute("insert into raw.attendance_superseded select * from lost")
        conn.close()
    assert check_conservation(url).holds


def test_conservation_fails_when_an_exception_goes_missing_from_the_mart(demo):
    url, _ = demo
    from dagster_project.lib.conservation import check_conservation

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "create temp table hidden as select * from marts.fct_attendance_exceptions "
                "where reason_code = 'unknown_staff'"
            )
            cur.execute(
                "delete from marts.fct_attendance_exceptions where reason_code = 'unknown_staff'"
            )
        result = check_conservation(url)
        assert not result.holds
        assert result.unbalanced_tenants == ["bistro"]
        assert result.files_with_rows_missing == 0
    finally:
        with conn, conn.cursor() as cur:
            cur.execute("insert into marts.fct_attendance_exceptions select * from hidden")
        conn.close()
    assert check_conservation(url).holds


def test_doctor_reports_every_check_healthy_after_the_demo(demo):
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    rows = {
        line.split("  ")[0].strip(): line for line in result.output.splitlines() if "  " in line
    }
    for check in ("config", "database", "migrations", "dbt manifest", "dagster instance"):
        assert " OK " in rows[check], result.output
    assert result.output.rstrip().splitlines()[-1].startswith("healthy")


def _columns(url: str, schema: str, table: str) -> list[str]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, table),
            )
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def test_every_published_column_is_described_and_each_mart_states_its_grain(demo):
    """The columns are those of the tables the demo published, not the yml's
    own list: a column a model adds without a description fails here."""
    url, _ = demo
    from dagster_project.lib.mart_catalog import MANIFEST, published_marts

    nodes = {
        node["name"]: node
        for node in json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"].values()
        if node["resource_type"] == "model"
    }
    undescribed, without_grain = {}, []
    for mart in published_marts():
        node = nodes[mart.name]
        built = _columns(url, "marts", mart.name)
        assert built, f"marts.{mart.name} was not published"
        missing = [
            column
            for column in built
            if not node["columns"].get(column, {}).get("description", "").strip()
        ]
        if missing:
            undescribed[mart.name] = missing
        if "one row per" not in " ".join(node["description"].lower().split()):
            without_grain.append(mart.name)
    assert undescribed == {}, "columns without a description in their mart's yml"
    assert without_grain == [], "descriptions that do not say 'One row per …'"


def test_docs_site_catalogs_the_published_tables(demo):
    url, _ = demo
    result = CliRunner().invoke(app, ["docs", "--no-serve"])
    assert result.exit_code == 0, result.output
    from dagster_project.lib.analyst_layer import PUBLISHED_TARGET
    from dagster_project.lib.mart_catalog import published_marts

    assert (PUBLISHED_TARGET / "index.html").is_file()
    catalog = json.loads((PUBLISHED_TARGET / "catalog.json").read_text(encoding="utf-8"))
    for mart in published_marts():
        entry = catalog["nodes"][f"model.payroll.{mart.name}"]
        assert entry["metadata"]["schema"] == "marts"
        assert list(entry["columns"]) == _columns(url, "marts", mart.name)


METRICS = ("labor_cost", "gross_pay", "employer_taxes", "hours_worked", "overtime_hours")
_BY_LOCATION_AND_PERIOD = (
    "location_period__tenant_id",
    "location_period__location_id",
    "metric_time__day",
)


def test_metricflow_totals_equal_the_published_marts_to_the_cent(demo, tmp_path):
    url, _ = demo
    out = tmp_path / "metrics.csv"
    result = CliRunner().invoke(
        app,
        [
            "mf",
            "query",
            "--metrics",
            ",".join(METRICS),
            "--group-by",
            ",".join(_BY_LOCATION_AND_PERIOD),
            "--csv",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    queried = {}
    with out.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = tuple(row[name] for name in _BY_LOCATION_AND_PERIOD)
            # metric_time__day: the period's first day, as a timestamp
            queried[(key[0], key[1], key[2][:10])] = tuple(Decimal(row[m]) for m in METRICS)
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            """
            select r.tenant_id, r.location_id, r.period_start::text,
                r.gross_pay + r.employer_taxes, r.gross_pay, r.employer_taxes,
                r.hours_worked, p.overtime_hours
            from marts.rpt_location_labor_cost as r
            inner join (
                select tenant_id, location_id, period_start, sum(overtime_hours) as overtime_hours
                from marts.fct_payroll
                group by 1, 2, 3
            ) as p using (tenant_id, location_id, period_start)
            """
        )
        published = {tuple(row[:3]): tuple(row[3:]) for row in cur.fetchall()}
        # MetricFlow's day spine, built by the calendar run
        cur.execute("select count(*) from reference.metricflow_time_spine")
        assert cur.fetchone()[0] > 36_000
    conn.close()
    assert len(published) == 20  # five locations, four periods
    assert queried == published
    assert all(total > 0 for totals in published.values() for total in totals[:-1])
    # the crew's Sacramento and New York shifts stay within 8 h a day and 40 a week
    overtime = {key[1] for key, totals in published.items() if totals[-1] > 0}
    assert overtime == {"AUS", "MIA", "DEN"}
    from dagster_project.lib.analyst_layer import MF_SEMANTIC_MANIFEST

    semantic = json.loads(MF_SEMANTIC_MANIFEST.read_text(encoding="utf-8"))
    assert {model["node_relation"]["schema_name"] for model in semantic["semantic_models"]} == {
        "marts"
    }
