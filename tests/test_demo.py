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
    home: Path


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
    yield url, DemoResult(completed.returncode, completed.stdout, completed.stderr, home)
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


# ---------- payday (CONTRACT §7): what the demo writes of its last period

LAST_PERIOD = "2026-04-12"


def _payday_folder(result: DemoResult) -> Path:
    return result.home / "payday"


def _money_text(amount: Decimal) -> str:
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_demo_writes_the_last_periods_payday_owner_only(demo):
    url, result = demo
    folder = _payday_folder(result)
    statements = sorted((folder / "bistro" / LAST_PERIOD).glob("*.pdf"))
    (paid,) = _one(
        url, f"select count(*) from marts.fct_payroll where period_start = '{LAST_PERIOD}'"
    )
    assert len(statements) == paid == 67
    bank_file = folder / f"bistro-{LAST_PERIOD}.ach"
    journal = folder / f"bistro-{LAST_PERIOD}-journal.csv"
    for path in (*statements, bank_file, journal):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert folder.stat().st_mode & 0o777 == 0o700
    assert f"payday of bistro {LAST_PERIOD} (pay date 2026-04-30):" in result.output
    assert f"67 earnings statements  {folder}/bistro/{LAST_PERIOD}/" in result.output


def _statement_staff(url: str) -> str:
    """A California server of the crew: tips, make-up or premiums, SDI."""
    (staff_id,) = _one(
        url,
        f"""
        select p.staff_id from marts.fct_payroll as p
        inner join raw.locations as l
            on p.tenant_id = l.tenant_id and p.location_id = l.location_id
        where p.period_start = '{LAST_PERIOD}' and l.jurisdiction = 'CA'
            and p.card_tips_pay > 0 and p.state_disability_tax > 0
        order by p.staff_id limit 1
        """,
    )
    return staff_id


def test_a_demo_statement_shows_every_california_226a_item(demo, tmp_path):
    url, result = demo
    staff_id = _statement_staff(url)
    pdf = _payday_folder(result) / "bistro" / LAST_PERIOD / f"{staff_id}.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert (tmp_path / "page-1.png").stat().st_size > 10_000
    text = _pdf_text(pdf)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    register = dict(
        zip(
            ("name", "period_end", "pay_date", "hours", "gross", "net"),
            _one(
                url,
                f"""
                select s.full_name, p.period_end, p.pay_date, p.hours_worked, p.gross_pay,
                    p.net_pay
                from marts.fct_payroll as p
                inner join raw.staff as s using (tenant_id, staff_id)
                where p.staff_id = '{staff_id}' and p.period_start = '{LAST_PERIOD}'
                """,
            ),
            strict=True,
        )
    )
    # employer legal name and address; employee name and id; the period and pay date
    assert "Bistro Group LLC" in text and "100 Harbor Way, Sacramento, CA 95814" in text
    assert register["name"] in text and staff_id in text
    assert f"{LAST_PERIOD} – {register['period_end']}" in text
    assert str(register["pay_date"]) in text
    # total hours worked
    assert any(
        line.startswith("Total hours worked") and line.endswith(f"{register['hours']:.2f}")
        for line in lines
    )
    stub = _all(
        url,
        f"""
        select line_kind, description, hours, rate, amount, ytd_amount
        from marts.fct_pay_stub_lines
        where staff_id = '{staff_id}' and period_start = '{LAST_PERIOD}'
        """,
    )
    regular = [row for row in stub if row[1].startswith("Regular pay")]
    assert regular
    # each rate in effect with its hours and amount
    for _, description, hours, rate, amount, _ in regular:
        expected = f"{description} {hours:.2f} ${rate:,.2f} {_money_text(amount)}"
        assert expected in lines, expected
    # tips, make-up, premiums; every deduction and tax with its year to date
    for kind, description, _, _, amount, ytd in stub:
        if kind in ("earning", "adjustment", "deduction", "tax", "tips_received"):
            line = next(line for line in lines if line.startswith(description))
            assert _money_text(amount) in line, (description, line)
            if ytd is not None:
                assert line.endswith(_money_text(ytd)), (description, line)
    kinds = {row[1] for row in stub}
    assert {"Card tips (paid with wages)", "State disability insurance"} <= kinds
    # gross and net, exactly; the deposit account masked
    assert any(
        line.startswith("Gross pay") and _money_text(register["gross"]) in line for line in lines
    )
    assert any(
        line.startswith("Net pay") and line.split()[2] == _money_text(register["net"])
        for line in lines
    )
    with (result.home / "input" / "bank_accounts.csv").open(newline="") as handle:
        account = next(r for r in csv.DictReader(handle) if r["staff_id"] == staff_id)
    assert f"••••{account['account_number'][-4:]}" in text
    assert account["account_number"] not in text


def test_the_demo_bank_file_reads_back_as_each_staff_members_net_pay(demo):
    from tests.payday.nacha_reader import CREDIT_CODES, read_nacha

    url, result = demo
    read = read_nacha((_payday_folder(result) / f"bistro-{LAST_PERIOD}.ach").read_text())
    assert len(read.batches) == 1
    (batch,) = read.batches
    assert batch.header["service_class"] == "220" and batch.header["entry_class"] == "PPD"
    assert batch.header["effective_date"] == "260430"  # the pay date
    with (result.home / "input" / "bank_accounts.csv").open(newline="") as handle:
        accounts = {row["staff_id"]: row for row in csv.DictReader(handle)}
    net = dict(
        _all(
            url,
            f"select staff_id, net_pay from marts.fct_payroll where period_start = '{LAST_PERIOD}'",
        )
    )
    paid = {s: n for s, n in net.items() if n > 0 and s in accounts}
    entries = {e["individual_id"].strip(): e for e in batch.entries}
    # one credit per staff member with an account and net pay; the rest by check
    assert set(entries) == set(paid) and len(entries) == len(batch.entries) == 62
    assert set(net) - set(paid) == {s for s in net if s not in accounts}
    for staff_id, entry in entries.items():
        account = accounts[staff_id]
        assert int(entry["amount"]) == int(paid[staff_id] * 100)
        assert entry["rdfi"] + entry["check_digit"] == account["routing_number"]
        assert entry["account_number"].rstrip() == account["account_number"]
        assert CREDIT_CODES[entry["transaction_code"]] == account["account_type"]
    assert int(read.control["total_credit"]) == int(sum(paid.values()) * 100)
    assert f"direct deposit: 62 credits, {sum(paid.values()):,.2f}, 5 paper checks" in result.output


def test_the_journal_of_every_demo_period_balances_per_location(demo):
    from dagster_project.payday.journal import load_journal

    url, _ = demo
    periods = [row[0] for row in _all(url, "select distinct period_start from marts.fct_payroll")]
    assert len(periods) == 4
    defaults = dict(_all(url, "select line, account from reference.gl_account_defaults"))
    for period in periods:
        journal = load_journal(url, "bistro", period)
        totals = journal.totals()
        assert len(totals) == 5 and journal.is_balanced, totals
        # what the books carry: gross less cash tips, plus the employer's taxes
        (expected,) = _one(
            url,
            f"""
            select sum(gross_pay - cash_tips_reported + employer_social_security_tax
                + employer_medicare_tax + futa_tax)
            from marts.fct_payroll where period_start = '{period}'
            """,
        )
        assert sum(debit for debit, _ in totals.values()) == expected
        assert all(row["account"] == defaults[row["line"]] for row in journal.rows)
        assert all((row["debit"] > 0) != (row["credit"] > 0) for row in journal.rows)


def test_tax_forms_cross_check_with_the_register(demo):
    url, _ = demo
    form_941 = {
        (q, line): amount
        for q, line, amount in _all(url, "select quarter, line, amount from marts.rpt_form_941")
    }
    w2 = _all(url, "select staff_id, box, code, amount from marts.rpt_w2")
    box = lambda number, code=None: sum(  # noqa: E731
        a for _, b, c, a in w2 if b == number and (code is None or c == code)
    )
    quarters = sorted({q for q, _ in form_941})
    assert quarters == [1, 2]
    gross, section_125, retirement = _one(
        url, "select sum(gross_pay), sum(section_125), sum(retirement_401k) from marts.fct_payroll"
    )
    line_2 = sum(form_941[(q, "2")] for q in quarters)
    # line 2 holds what W-2 box 1 holds; gross adds back the 401(k) and section 125
    assert line_2 == box("1")
    assert line_2 + box("12", "D") + section_125 == gross
    assert box("12", "D") == retirement
    # Social Security wages and tips of the quarters are the W-2 boxes 3 and 7
    assert sum(form_941[(q, "5a_wages")] for q in quarters) == box("3")
    assert sum(form_941[(q, "5b_wages")] for q in quarters) == box("7")
    assert sum(form_941[(q, "5c_wages")] for q in quarters) == box("5")
    # line 7: the employee shares withheld less half of column 2, recomputed here
    for q in quarters:
        withheld, uncollected = _one(
            url,
            f"""
            select sum(social_security_tax + medicare_tax),
                sum(uncollected_social_security_tax + uncollected_medicare_tax)
            from marts.fct_payroll where extract(quarter from pay_date) = {q}
            """,
        )
        cents = Decimal("0.01")
        employee_shares = (
            ((form_941[(q, "5a_wages")] + form_941[(q, "5b_wages")]) * Decimal("0.062")).quantize(
                cents
            )
            + (form_941[(q, "5c_wages")] * Decimal("0.0145")).quantize(cents)
            + form_941[(q, "5d_tax")]
        )
        assert form_941[(q, "7")] == withheld + uncollected - employee_shares
        assert form_941[(q, "9")] == -uncollected
    # Form 940: no one's FUTA wages above the $7,000 base; line 7 their sum
    per_person = _all(
        url, "select staff_id, sum(futa_wages) from marts.fct_payroll group by staff_id"
    )
    assert max(wages for _, wages in per_person) <= Decimal("7000.00")
    form_940 = dict(_all(url, "select line, amount from marts.rpt_form_940"))
    assert form_940["7"] == sum(wages for _, wages in per_person)
    assert form_940["3"] == gross and form_940["4"] == section_125
    assert form_940["8"] == (form_940["7"] * Decimal("0.006")).quantize(Decimal("0.01"))


def _payroll(result: DemoResult, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("payroll")), *args],
        env=child_env(url, result.home),
        cwd=result.home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )


def _execute(url: str, statement: str) -> None:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def test_a_bad_routing_number_refuses_the_bank_file_at_ingest(demo, tmp_path):
    url, result = demo
    (before,) = _one(url, "select count(*) from private.bank_accounts")
    source = (result.home / "input" / "bank_accounts.csv").read_text().splitlines()
    header = source[0].split(",")
    row = source[5].split(",")
    row[header.index("routing_number")] = "021000022"  # check digit off by one
    bad = tmp_path / "bank_accounts.csv"
    bad.write_text("\n".join([*source[:5], ",".join(row), *source[6:]]) + "\n")
    completed = _payroll(result, url, "ingest", str(bad))
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert f"{bad}: row 6, field routing_number: " in completed.stderr
    assert "nothing of this file was loaded" in completed.stderr
    assert "021000022" not in completed.stdout + completed.stderr
    assert _one(url, "select count(*) from private.bank_accounts") == (before,)


def test_ach_without_ach_settings_exits_2_and_writes_nothing(demo, tmp_path):
    url, result = demo
    _execute(url, "create table public.ach_settings_kept as select * from raw.ach_settings")
    _execute(url, "delete from raw.ach_settings")
    try:
        out = tmp_path / "bank.ach"
        completed = _payroll(result, url, "ach", "--period", LAST_PERIOD, "--out", str(out))
    finally:
        _execute(url, "insert into raw.ach_settings select * from public.ach_settings_kept")
        _execute(url, "drop table public.ach_settings_kept")
    assert completed.returncode == 2
    assert "ach_settings.csv: field tenant_id: no row for tenant bistro" in completed.stderr
    assert not out.exists()


def test_ach_refuses_a_name_nacha_forbids_naming_file_row_and_field(demo, tmp_path):
    url, result = demo
    (staff_id, name, row) = _one(
        url,
        f"""
        select s.staff_id, s.full_name, s.source_row from raw.staff as s
        inner join private.bank_accounts as b using (tenant_id, staff_id)
        inner join marts.fct_payroll as p using (tenant_id, staff_id)
        where p.period_start = '{LAST_PERIOD}' and p.net_pay > 0
        order by s.staff_id limit 1
        """,
    )
    _execute(url, f"update raw.staff set full_name = '李雷' where staff_id = '{staff_id}'")
    try:
        out = tmp_path / "bank.ach"
        completed = _payroll(result, url, "ach", "--period", LAST_PERIOD, "--out", str(out))
    finally:
        _execute(url, f"update raw.staff set full_name = '{name}' where staff_id = '{staff_id}'")
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert f"staff.csv: row {row}, field full_name: " in completed.stderr
    assert not out.exists()


def test_payday_commands_print_the_marts(demo, tmp_path):
    url, result = demo
    stubs = _payroll(
        result, url, "stubs", "--period", LAST_PERIOD, "--out", str(tmp_path), "--format", "html"
    )
    assert stubs.returncode == 0, stubs.stderr
    assert len(list((tmp_path / "bistro" / LAST_PERIOD).glob("*.html"))) == 67
    gl = _payroll(result, url, "gl", "--period", LAST_PERIOD, "--format", "json")
    payload = json.loads(gl.stdout)
    assert payload["balanced"] is True and len(payload["totals"]) == 5
    forms = _payroll(result, url, "tax-forms", "--year", "2026", "--quarter", "2")
    rows = list(csv.DictReader(forms.stdout.splitlines()))
    assert {r["quarter"] for r in rows if r["form"] == "941"} == {"2"}
    assert {r["form"] for r in rows} == {"941", "940", "W-2"}
    (line_3,) = _one(
        url,
        "select sum(federal_income_tax) from marts.fct_payroll "
        "where extract(quarter from pay_date) = 2",
    )
    assert next(r for r in rows if r["form"] == "941" and r["line"] == "3")["amount"] == str(line_3)
