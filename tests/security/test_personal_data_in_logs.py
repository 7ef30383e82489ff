"""A full demo run leaves no name, W-4 value, salary or per-person pay in any
log: the command's stdout (outside the pay registers it exists to print) and
stderr, PAYROLL_HOME (logs, Dagster home), dbt's logs and artifacts, Dagster's
run and event-log storage, check results and the pipeline's own audit tables."""

import csv
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from tests.security.conftest import child_env, fetch

REPO = Path(__file__).resolve().parents[2]

REGISTER_BLOCK = re.compile(
    r"^Pay register  tenant=.*?^attendance exceptions in the period: .*?$",
    re.MULTILINE | re.DOTALL,
)
AUDIT_TABLES = (
    "marts.payroll_runs",
    "raw.rejected_rows",
    "raw.ingested_files",
    "raw.attendance_superseded",
)


@pytest.fixture(scope="module")
def demo(make_database, tmp_path_factory):
    url = make_database("log_scan_demo")
    home = tmp_path_factory.mktemp("log_scan_home")
    inputs = tmp_path_factory.mktemp("log_scan_inputs")
    dbt_target = tmp_path_factory.mktemp("log_scan_dbt")
    env = child_env(url, home, PAYROLL_LOG_LEVEL="DEBUG", DBT_TARGET_PATH=str(dbt_target))
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("payroll")), "demo", "--out", str(inputs)],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return url, home, inputs, dbt_target, completed


# the demo's last period, the payday commands run over it (CONTRACT §7)
PAYDAY_PERIOD = "2026-04-12"


@pytest.fixture(scope="module")
def payday(demo, tmp_path_factory):
    """Each payday command's run: (command, completed process); the files it
    writes go outside PAYROLL_HOME, as payroll outputs, not logs."""
    url, home, _, dbt_target, _ = demo
    outputs = tmp_path_factory.mktemp("log_scan_payday")
    env = child_env(url, home, PAYROLL_LOG_LEVEL="DEBUG", DBT_TARGET_PATH=str(dbt_target))
    commands = {
        "stubs": ["stubs", "--period", PAYDAY_PERIOD, "--out", str(outputs / "stubs")],
        "ach": ["ach", "--period", PAYDAY_PERIOD, "--out", str(outputs / "bank.ach")],
        "gl": ["gl", "--period", PAYDAY_PERIOD],
        "tax-forms": ["tax-forms", "--year", "2026"],
    }
    runs = {}
    for name, args in commands.items():
        runs[name] = subprocess.run(
            [str(Path(sys.executable).with_name("payroll")), *args],
            env=env,
            cwd=home,
            capture_output=True,
            text=True,
        )
        assert runs[name].returncode == 0, runs[name].stdout[-2000:] + runs[name].stderr[-2000:]
    return outputs, runs


def _home_files(home: Path) -> Iterator[tuple[str, str]]:
    """What a run leaves in PAYROLL_HOME but the payday outputs the demo writes
    there on purpose (statements, the bank file, the journal)."""
    for source, text in _files(home):
        if not source.startswith(str(home / "payday")):
            yield source, text


def _money_pattern(value: Decimal) -> re.Pattern[str]:
    """1082.81 or 1,082.81 as a whole number, not inside a longer one (a comma
    before it is a separator, unless a digit precedes it: 11,082.81)."""
    plain = f"{value:.2f}"
    grouped = f"{value:,.2f}"
    alternatives = "|".join(re.escape(v) for v in sorted({plain, grouped}))
    return re.compile(rf"(?<![\d.])(?<!\d,)(?:{alternatives})(?!\d)")


def _project_text() -> str:
    """The dbt project's own files (unit-test fixtures, seeds): a value written
    there is no one's pay, so it cannot tell whether a person's pay leaked."""
    project = REPO / "dbt_project"
    return "\n".join(
        path.read_text(errors="replace")
        for folder in ("models", "seeds", "tests", "macros")
        for path in sorted((project / folder).rglob("*"))
        if path.is_file()
    )


@pytest.fixture(scope="module")
def secrets(demo) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """What must never be logged, by kind: names (whole strings), W-4 values
    and salaries (as entered), and each person's computed pay (with cents)."""
    url, _, inputs, _, _ = demo
    with (inputs / "staff.csv").open(newline="") as handle:
        staff = list(csv.DictReader(handle))
    names = [(f"name of {row['staff_id']}", row["full_name"]) for row in staff]
    entered: set[Decimal] = set()
    for row in staff:
        for column in ("annual_salary", "w4_dependents", "w4_other_income", "w4_deductions"):
            if row[column] and Decimal(row[column]) >= 1000:
                entered.add(Decimal(row[column]))
    conn = psycopg2.connect(url)
    computed = fetch(
        conn,
        "select gross_pay, net_pay, salary_pay, federal_income_tax from marts.fct_payroll",
    )
    conn.close()
    pay = {
        value
        for row in computed
        for value in row
        if value >= 100 and value != value.to_integral_value()  # cents: distinctive
    }
    project = _project_text()
    entered = {v for v in entered if not _money_pattern(v).search(project)}
    pay = {v for v in pay if not _money_pattern(v).search(project)}
    assert len(names) == 68 and len(pay) > 200 and len(entered) >= 5
    return {
        "names": names,
        "w4_and_salaries": [(f"entered {v}", v) for v in sorted(entered)],
        "pay": [(f"pay {v}", v) for v in sorted(pay)],
    }


def _files(*folders: Path) -> Iterator[tuple[str, str]]:
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield str(path), path.read_bytes().decode("utf-8", errors="replace")


def _tables_text(url: str) -> Iterator[tuple[str, str]]:
    """Dagster's storage (schema public of this database) and the audit tables."""
    conn = psycopg2.connect(url)
    dagster_tables = fetch(
        conn,
        "select tablename from pg_tables where schemaname = 'public' order by 1",
    )
    for (name,) in dagster_tables:
        yield from _table_text(conn, "public", name)
    for qualified in AUDIT_TABLES:
        yield from _table_text(conn, *qualified.split("."))
    conn.close()


def _table_text(conn, schema: str, name: str) -> Iterator[tuple[str, str]]:
    rows = fetch(
        conn,
        sql.SQL("select coalesce(string_agg(t::text, E'\\n'), '') from {} as t").format(
            sql.Identifier(schema, name)
        ),
    )
    yield f"table {schema}.{name}", rows[0][0]


# an amount with cents as it can be written: 1082.81 or 1,082.81, whole (a
# comma before it is a separator only when no digit precedes it)
_AMOUNT = re.compile(r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?!\d)")


def _amounts(text: str) -> set[Decimal]:
    return {Decimal(f"{whole.replace(',', '')}.{cents}") for whole, cents in _AMOUNT.findall(text)}


def _hits(sources, secrets) -> list[str]:
    """``<label> in <source>`` for every secret a source holds: names as
    text, amounts as the amounts written in it (each source read once)."""
    hits = []
    for source, text in sources:
        amounts = None
        for label, secret in secrets:
            if isinstance(secret, Decimal):
                amounts = _amounts(text) if amounts is None else amounts
                found = secret in amounts
            else:
                found = secret in text
            if found:
                hits.append(f"{label} in {source}")
    return hits


def test_the_scan_sees_what_it_looks_for(demo, secrets):
    _, _, inputs, _, completed = demo
    staff_csv = [(str(inputs / "staff.csv"), (inputs / "staff.csv").read_text())]
    assert len(_hits(staff_csv, secrets["names"])) == 68
    assert _hits(staff_csv, secrets["w4_and_salaries"])
    registers = "\n".join(REGISTER_BLOCK.findall(completed.stdout))
    assert registers.count("Pay register  tenant=bistro") == 4
    assert len(_hits([("registers", registers)], secrets["pay"])) > 200


def test_no_name_anywhere_a_demo_run_writes(demo, secrets):
    url, home, _, dbt_target, completed = demo
    sources = [
        ("stdout", completed.stdout),
        ("stderr", completed.stderr),
        *_home_files(home),
        *_files(dbt_target),
        *_tables_text(url),
    ]
    assert len(sources) > 20
    hits = _hits(sources, secrets["names"])
    assert not hits, "\n".join(hits)


def test_no_w4_value_salary_or_personal_pay_outside_the_registers(demo, secrets):
    url, home, _, dbt_target, completed = demo
    sources = [
        ("stdout outside the pay registers", REGISTER_BLOCK.sub("", completed.stdout)),
        ("stderr", completed.stderr),
        *_home_files(home),
        *_files(dbt_target),
        *_tables_text(url),
    ]
    hits = _hits(sources, secrets["w4_and_salaries"] + secrets["pay"])
    assert not hits, "\n".join(hits)


def _json_lines(text: str, source: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    events = []
    for number, line in enumerate(lines, start=1):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"{source} line {number} is not JSON: {line[:200]}") from None
    return events


def test_every_log_line_is_one_json_event_with_its_run(demo):
    """No terminal: JSON lines on stderr and in the run log, each with its
    time, level, logger and event; inside a pay-period run also its run id,
    tenant and period — our modules', Dagster's and dbt's relayed lines alike."""
    _, home, _, _, completed = demo
    stderr = _json_lines(completed.stderr, "stderr")
    run_log = _json_lines((home / "logs" / "runs.log").read_text(), "runs.log")
    assert len(stderr) > 20 and len(run_log) > 100
    for event in stderr + run_log:
        assert {"timestamp", "level", "logger", "event"} <= event.keys(), event
        assert event["timestamp"].endswith("Z")
    in_runs = [e for e in run_log if e.get("tenant") == "bistro"]
    assert {e["period"] for e in in_runs} == {"2026-03-01..2026-04-12"}
    assert all(e.get("run_id") for e in in_runs)
    by_logger = {e["logger"] for e in in_runs}
    assert {"dagster", "dagster_project.dbt", "dagster_project.lib.publish"} <= by_logger
    built = [e for e in in_runs if e.get("dbt_event") == "LogModelResult"]
    assert any(e["node"] == "model.payroll.fct_payroll" for e in built)
    published = [e for e in in_runs if e["event"] == "pay_period_published"]
    assert sorted(e["period_start"] for e in published) == [
        "2026-03-01",
        "2026-03-15",
        "2026-03-29",
        "2026-04-12",
    ]
    # dbt prints nothing itself: its lines are only the relayed ones
    assert "Completed successfully" not in completed.stdout


def test_logs_were_written_at_debug_level(demo):
    _, home, _, dbt_target, completed = demo
    assert '"level": "debug"' in completed.stderr
    assert (home / "logs" / "runs.log").stat().st_size > 0
    assert list((home / "logs").rglob("dbt.log"))
    assert list(dbt_target.rglob("run_results.json"))
    # what the scan reads includes Great Expectations' results and Dagster's compute logs
    assert list(home.rglob("validations/**/*.json"))
    assert list(home.rglob("compute_logs/*"))


def _payday_logs(payday) -> list[tuple[str, str]]:
    """What the payday commands print besides their outputs: all of stderr,
    and the stdout of the commands that write files (a summary)."""
    _, runs = payday
    sources = [(f"payroll {name} stderr", run.stderr) for name, run in runs.items()]
    sources += [(f"payroll {name} stdout", runs[name].stdout) for name in ("stubs", "ach")]
    return sources


def test_payday_commands_log_no_name_or_personal_pay(payday, secrets):
    sources = _payday_logs(payday)
    assert "earnings statements" in payday[1]["stubs"].stdout
    assert "credits" in payday[1]["ach"].stdout
    hits = _hits(sources, secrets["names"] + secrets["w4_and_salaries"] + secrets["pay"])
    assert not hits, "\n".join(hits)


def test_bank_accounts_appear_only_in_the_bank_file(demo, payday):
    """Account numbers: in the bank file and nowhere else a run writes — not a
    log, a statement, a table an analyst or auditor reads, the journal or the
    forms; statements show the last four digits."""
    url, home, inputs, dbt_target, completed = demo
    outputs, runs = payday
    with (inputs / "bank_accounts.csv").open(newline="") as handle:
        accounts = [row["account_number"] for row in csv.DictReader(handle)]
    assert len(accounts) > 50
    bank_file = (outputs / "bank.ach").read_text()
    assert sum(account in bank_file for account in accounts) >= len(accounts) - 10
    statements_text = "\n".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for pdf in sorted((outputs / "stubs").rglob("*.pdf"))
    )
    assert "••••" in statements_text
    sources = [
        ("demo stdout", completed.stdout),
        ("demo stderr", completed.stderr),
        ("statements", statements_text),
        *[(f"payroll {name} stdout", run.stdout) for name, run in runs.items()],
        *[(f"payroll {name} stderr", run.stderr) for name, run in runs.items()],
        *_home_files(home),
        *_files(dbt_target),
        *_tables_text(url),
    ]
    hits = [
        f"account {a[-4:]} in {source}" for source, text in sources for a in accounts if a in text
    ]
    assert not hits, "\n".join(hits[:20])
    for path in [outputs / "bank.ach", *(outputs / "stubs").rglob("*.pdf")]:
        assert path.stat().st_mode & 0o777 == 0o600, path
