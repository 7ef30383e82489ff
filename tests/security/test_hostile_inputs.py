"""Hostile values through the CLI and ingest: SQL injection, Unicode look-alikes,
10 MB fields, NUL bytes, CSV formulas. Each gets a clear error naming the file,
row and field (or the option), and nothing in the warehouse changes but the
record of the refusal."""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest

from dagster_project.core.periods import parse_partition_key
from dagster_project.ingest.loader import ingest_paths
from dagster_project.lib.backup import table_states
from dagster_project.lib.register import Register, render_csv
from tests.security.conftest import E2E_FIXTURES, fetch, invoke

INJECTION = "'; drop table raw.staff; --"
LOOKALIKE = "acm\u0435"  # Cyrillic е
FULLWIDTH = "\uff41\uff43\uff4d\uff45"  # ａｃｍｅ
TEN_MB = "A" * (10 * 1024 * 1024)
FORMULA = "=cmd|' /C calc'!A0"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def warehouse(make_database, tmp_path_factory) -> tuple[str, Path]:
    url = make_database("hostile_inputs")
    ingest_paths(url, [E2E_FIXTURES])
    return url, tmp_path_factory.mktemp("hostile_home")


def _fingerprint(url: str) -> dict:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            return table_states(cur)
    finally:
        conn.close()


def _changed(before: dict, after: dict) -> set[str]:
    return {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}


CLI_CASES = [
    (["run", "--period", "2026-03-01" + INJECTION, "--tenant", "acme"], "invalid period"),
    (["run", "--period", "2026-03-01", "--tenant", "acme" + INJECTION], "invalid tenant id"),
    (["register", "--period", "2026-03-01", "--tenant", LOOKALIKE], "invalid tenant id"),
    (["register", "--period", "2026-03-01", "--tenant", FULLWIDTH], "invalid tenant id"),
    (["register", "--period", "\uff12\uff10\uff12\uff16-03-01"], "invalid period"),
    (["exceptions", "--period", "2026-03-01", "--tenant", "acme\x00"], "invalid tenant id"),
    (["finalize", "--period", "2026-03-01\x00", "--tenant", "acme"], "invalid period"),
    (["register", "--period", "2026-03-01", "--tenant", TEN_MB], "invalid tenant id"),
    (["run", "--period", TEN_MB, "--tenant", "acme"], "invalid period"),
    (["register", "--period", "20260301", "--tenant", "acme"], "invalid period"),
    (["register", "--period", "2026-W09-7", "--tenant", "acme"], "invalid period"),
    (
        ["register", "--period", "2026-03-01", "--tenant", "acme", "--format", "csv" + INJECTION],
        "--format must be one of table, csv, json",
    ),
    (["exceptions", "--period", "2026-03-01", "--tenant", "nosuch"], "unknown tenant 'nosuch'"),
    (["ingest", "/nonexistent/x" + INJECTION + ".csv"], "no such file or folder"),
    (["restore", "--verify", "/nonexistent/" + INJECTION], "not a backup folder"),
]


@pytest.mark.parametrize(
    ("args", "message"),
    CLI_CASES,
    ids=[
        "period-sql",
        "tenant-sql",
        "tenant-cyrillic",
        "tenant-fullwidth",
        "period-fullwidth-digits",
        "tenant-nul",
        "period-nul",
        "tenant-10mb",
        "period-10mb",
        "period-basic-format",
        "period-week-date",
        "format-sql",
        "tenant-unknown",
        "ingest-path-sql",
        "restore-path-sql",
    ],
)
def test_hostile_options_are_refused_and_change_nothing(warehouse, args, message):
    url, home = warehouse
    before = _fingerprint(url)
    result = invoke(url, home, *args)
    assert result.exit_code == 2, result.output[:2000]
    assert message in result.output, result.output[:2000]
    assert len(result.output) < 2000, "the error echoes the hostile value whole"
    assert _changed(before, _fingerprint(url)) == set()


def _write(folder: Path, name: str, header: str, *rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


STAFF_HEADER = (
    "tenant_id,staff_id,full_name,home_location_id,pay_type,flsa_exempt,annual_salary,"
    "filing_status,w4_step2,w4_dependents,w4_other_income,w4_deductions,"
    "w4_extra_withholding,hired_on,terminated_on"
)
ATTENDANCE_HEADER = (
    "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
)


def _staff_row(staff_id: str = "S9", name: str = "Zed Example", tenant: str = "acme") -> str:
    return f"{tenant},{staff_id},{name},AUS,hourly,false,,single,false,0,0,0,0,2025-01-06,"


def _punch(event: str = "E900", role: str = "cook", clock_in: str = "2026-03-02T09:00:00-06:00"):
    return f"acme,{event},S1,AUS,{role},{clock_in},2026-03-02T17:00:00-06:00,30,2026-03-02T17:05Z"


FILE_CASES = [
    # (file name, header, rows, expected error fragment)
    (
        "attendance.csv",
        ATTENDANCE_HEADER,
        [_punch(role="co\x00ok")],
        "row 2, field row: invalid byte sequence",
    ),
    (
        "staff.csv",
        STAFF_HEADER,
        [_staff_row(name=TEN_MB)],
        "row 2, field row: not valid CSV: field larger than field limit",
    ),
    (
        "tenants.csv",
        "tenant_\u0456d,name,pay_frequency,period_anchor",  # Cyrillic і
        ["zz,Z,weekly,2026-03-01"],
        "row 1, field tenant_\u0456d: unknown column for a tenants file",
    ),
    (
        "tenants.csv",
        "tenant_id,name" + INJECTION + ",pay_frequency,period_anchor",
        ["zz,Z,weekly,2026-03-01"],
        "row 1, field name'; drop table raw.staff; --: unknown column",
    ),
]


@pytest.mark.parametrize(
    ("name", "header", "rows", "message"),
    FILE_CASES,
    ids=["attendance-nul", "staff-10mb-field", "header-cyrillic", "header-sql"],
)
def test_hostile_files_are_refused_whole_and_change_nothing(
    warehouse, tmp_path, name, header, rows, message
):
    url, home = warehouse
    path = _write(tmp_path / "delivery", name, header, *rows)
    before = _fingerprint(url)
    result = invoke(url, home, "ingest", str(path))
    assert result.exit_code == 2, result.output[:2000]
    assert f"{path}: {message}" in result.output, result.output[:2000]
    assert len(result.output) < 2000
    assert _changed(before, _fingerprint(url)) == set()


ROW_CASES = [
    # (file, header, hostile rows, expected (row, field) refusals)
    (
        "tenants.csv",
        "tenant_id,name,pay_frequency,period_anchor",
        [
            f"acme{INJECTION},X,weekly,2026-03-01",
            f"{LOOKALIKE},X,weekly,2026-03-01",
            f"{FULLWIDTH},X,weekly,2026-03-01",
            "zz,Nul\x00Name,weekly,2026-03-01",
        ],
        [(2, "tenant_id"), (3, "tenant_id"), (4, "tenant_id"), (5, "row")],
    ),
    (
        "staff.csv",
        STAFF_HEADER,
        [
            _staff_row(staff_id="S9" + INJECTION),
            _staff_row(staff_id="S\uff19"),  # fullwidth 9
            _staff_row(name="N" * 201),
            _staff_row(tenant=LOOKALIKE),
        ],
        [(2, "staff_id"), (3, "staff_id"), (4, "full_name"), (5, "tenant_id")],
    ),
    (
        "attendance.csv",
        ATTENDANCE_HEADER,
        [
            _punch(event="E901" + INJECTION),
            _punch(event="E902", role="R" * (10 * 1024 * 1024)),
            _punch(event="E903", clock_in="2026-03-02T09:00:00-06:00" + INJECTION),
            LOOKALIKE + _punch(event="E904").removeprefix("acme"),
        ],
        [(2, "event_id"), (3, "role"), (4, "clock_in"), (5, "tenant_id")],
    ),
]


@pytest.mark.parametrize(
    ("name", "header", "rows", "refused"), ROW_CASES, ids=["tenants", "staff", "attendance"]
)
def test_hostile_rows_are_quarantined_with_their_field_and_nothing_else_changes(
    warehouse, tmp_path, name, header, rows, refused
):
    url, _ = warehouse
    path = _write(tmp_path / "rows", name, header, *rows)
    before = _fingerprint(url)
    report = ingest_paths(url, [path])
    (result,) = report.files
    assert (result.received, result.loaded, result.rejected) == (len(rows), 0, len(rows))
    assert _changed(before, _fingerprint(url)) == {"raw.rejected_rows", "raw.ingested_files"}
    conn = psycopg2.connect(url)
    stored = fetch(
        conn,
        "select source_row, field, reason, length(coalesce(tenant_id, '') || "
        "coalesce(record_id, '') || coalesce(staff_id, '')) from raw.rejected_rows "
        "where source_file = %s order by source_row",
        (str(path),),
    )
    conn.close()
    assert [(row, field) for row, field, _, _ in stored] == refused
    for _, field, reason, stored_length in stored:
        assert reason.startswith(field + ":") or field == "row", reason
        assert stored_length <= 3 * 128  # ids are kept to find the row, never whole values
        assert "drop table" not in reason


def test_names_with_formulas_and_unicode_are_data_never_code(warehouse, tmp_path):
    url, _ = warehouse
    names = [FORMULA, "Zo\u00eb \u00c5ngstr\u00f6m-N\u00fa\u00f1ez", "\u202eevil", INJECTION]
    rows = [
        _staff_row(staff_id=f"S{90 + n}", name=f'"{name}"' if "," in name else name)
        for n, name in enumerate(names)
    ]
    path = _write(tmp_path / "names", "staff.csv", STAFF_HEADER, *rows)
    report = ingest_paths(url, [path])
    assert report.files[0].loaded == len(names)
    conn = psycopg2.connect(url)
    stored = fetch(
        conn,
        "select full_name from raw.staff where staff_id in ('S90','S91','S92','S93') "
        "order by staff_id",
    )
    assert [row[0] for row in stored] == names  # kept verbatim, as text
    assert fetch(conn, "select to_regclass('raw.staff') is not null") == [(True,)]
    conn.close()


def test_register_csv_neutralises_formulas_and_keeps_numbers():
    register = Register(
        tenant_id='=HYPERLINK("http://x")',
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 7),
        pay_date=dt.date(2026, 3, 12),
        rows=[
            {
                "staff_id": FORMULA,
                "location_id": "@SUM(A1:A9)",
                **{c: Decimal("-12.50") for c in ("hours_worked", "overtime_hours")},
                **dict.fromkeys(
                    (
                        "double_time_hours",
                        "salary_pay",
                        "straight_time_pay",
                        "overtime_premium_pay",
                        "bonus_pay",
                        "gross_pay",
                        "retirement_401k",
                        "section_125",
                        "pre_tax_deductions",
                        "federal_income_tax",
                        "social_security_tax",
                        "medicare_tax",
                        "state_income_tax",
                        "state_disability_tax",
                        "employee_taxes",
                        "post_tax_deductions",
                        "net_pay",
                        "employer_social_security_tax",
                        "employer_medicare_tax",
                        "futa_tax",
                        "minimum_wage_makeup_pay",
                        "premium_pay",
                        "card_tips_pay",
                        "cash_tips_reported",
                        "tip_credit",
                        "qualified_overtime_premium",
                        "uncollected_social_security_tax",
                        "uncollected_medicare_tax",
                    ),
                    Decimal("1.00"),
                ),
            }
        ],
        exceptions=0,
    )
    header, row = list(csv.reader(render_csv(register).splitlines()))
    assert header[:4] == ["tenant_id", "period_start", "staff_id", "location_id"]
    assert row[:6] == [
        '\'=HYPERLINK("http://x")',
        "2026-03-01",
        "'" + FORMULA,
        "'@SUM(A1:A9)",
        "-12.50",
        "-12.50",
    ]


def test_register_csv_export_of_a_hostile_row_has_no_live_formula(e2e_pipeline):
    url, home = e2e_pipeline
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:  # a value that slipped past ingest, e.g. written by hand
        cur.execute(
            "create temp table hostile as select * from marts.fct_payroll "
            "where tenant_id = 'acme' and staff_id = 'S1'"
        )
        cur.execute("update hostile set staff_id = %s", (FORMULA,))
        cur.execute("insert into marts.fct_payroll select * from hostile")
    conn.commit()
    try:
        result = invoke(
            url, home, "register", "--period", "2026-03-01", "--tenant", "acme", "--format", "csv"
        )
    finally:
        with conn.cursor() as cur:
            cur.execute("delete from marts.fct_payroll where staff_id = %s", (FORMULA,))
        conn.commit()
        conn.close()
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(result.output.splitlines()) for cell in row]
    assert "'" + FORMULA in cells
    live = [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not _number(c))]
    assert live == []


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def test_hostile_partition_keys_never_reach_a_run():
    for key in (f"acme{INJECTION}|2026-03-01", f"{LOOKALIKE}|2026-03-01", "acme|2026-03-01'--"):
        with pytest.raises(ValueError, match="invalid"):
            parse_partition_key(key)


def test_a_hostile_value_cannot_be_selected_for_a_build(warehouse):
    """What dbt compiles into SQL comes from control.pay_period_build, whose
    constraints admit only tenant ids and run ids of the strict patterns."""
    from dagster_project.core.periods import PayPeriodKey
    from dagster_project.lib.build_selection import select_periods
    from dagster_project.lib.database import transaction

    url, _ = warehouse
    for tenant_id, run_id in (("acme" + INJECTION, "run-1"), ("acme", "run'; drop table x; --")):
        with pytest.raises(psycopg2.errors.CheckViolation), transaction(url) as conn:
            select_periods(conn, run_id, [PayPeriodKey(tenant_id, dt.date(2026, 3, 1))])
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from control.pay_period_build")
        assert cur.fetchone()[0] == 0
