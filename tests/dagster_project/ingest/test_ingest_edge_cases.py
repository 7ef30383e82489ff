"""Headers, encodings, corrections and re-deliveries at the edges."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from dagster_project.ingest.errors import IngestFileError
from dagster_project.ingest.loader import ingest_paths

HEADER = "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"


# Local helpers (conftest.py belongs to another change).
@pytest.fixture
def csv_file(tmp_path: Path):
    def _write(name: str, *lines: str, newline: str = "\n", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes((newline.join(lines) + newline).encode(encoding))
        return path

    return _write


@pytest.fixture
def rows(database_url: str):
    def _rows(statement: str) -> list[tuple[Any, ...]]:
        conn = psycopg2.connect(database_url)
        try:
            with conn.cursor() as cur:
                cur.execute("set time zone 'UTC'")
                cur.execute(statement)
                return cur.fetchall()
        finally:
            conn.close()

    return _rows


def _shift(event: str, clock_out: str, updated_at: str, staff: str = "S1") -> str:
    return f"acme,{event},{staff},AUS,cook,2026-03-02T09:00:00Z,{clock_out},0,{updated_at}"


@pytest.mark.parametrize(
    "header, field, message",
    [
        (HEADER + ",notes", "notes", "unknown column"),
        (HEADER.replace("clock_in,", ""), "clock_in", "required column is missing"),
        (HEADER + ",role", "role", "more than once"),
    ],
)
def test_ingest_attendance_wrong_header_refuses_file(
    database_url, csv_file, rows, header, field, message
):
    good = csv_file("attendance_a.csv", HEADER, _shift("E1", "", "2026-03-02T09:00:00Z"))
    bad = csv_file("attendance_b.csv", header, "acme,E2,S1,AUS,cook,x,,0,y,z")

    with pytest.raises(IngestFileError) as refused:
        ingest_paths(database_url, [good, bad])

    assert (refused.value.file, refused.value.row, refused.value.field) == (str(bad), 1, field)
    assert message in str(refused.value)
    # the file before it stays loaded; nothing of the refused one is
    assert rows("select event_id from raw.attendance") == [("E1",)]
    assert rows("select count(*) from raw.rejected_rows") == [(0,)]
    assert rows("select count(*) from raw.ingested_files") == [(1,)]


def test_ingest_bom_and_crlf_files_load(database_url, csv_file, rows):
    tenants = csv_file(
        "tenants.csv",
        "tenant_id,name,pay_frequency",
        "acme,Acme,monthly",
        "",
        "",
        newline="\r\n",
        encoding="utf-8-sig",
    )
    attendance = csv_file(
        "attendance.csv",
        HEADER,
        _shift("E1", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z"),
        newline="\r\n",
        encoding="utf-8-sig",
    )

    report = ingest_paths(database_url, [tenants, attendance])

    assert [(r.kind, r.received, r.loaded, r.rejected) for r in report.files] == [
        ("tenants", 1, 1, 0),
        ("attendance", 1, 1, 0),
    ]
    assert rows("select tenant_id, name from raw.tenants") == [("acme", "Acme")]
    assert rows("select event_id, role from raw.attendance") == [("E1", "cook")]


def test_ingest_text_that_reads_like_copy_null_is_kept(database_url, csv_file, rows):
    path = csv_file(
        "locations.csv",
        "tenant_id,location_id,name,timezone,jurisdiction",
        "acme,L1,\\N,America/Chicago,TX",
        'acme,L2,"Tab\there, ""quoted""",America/Chicago,TX',
    )

    ingest_paths(database_url, [path])

    assert rows("select name from raw.locations order by location_id") == [
        ("\\N",),
        ('Tab\there, "quoted"',),
    ]


def test_ingest_small_file_duplicate_key_last_row_wins(database_url, csv_file, rows):
    path = csv_file(
        "pay_rates.csv",
        "tenant_id,staff_id,role,hourly_rate,effective_from",
        "acme,,cook,15.00,2026-01-01",
        "acme,,cook,16.00,2026-01-01",
        "acme,,cook,17.00,2026-01-01",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.replaced, result.rejected) == (3, 1, 0, 0)
    assert result.received == (
        result.loaded + result.replaced + result.unchanged + result.superseded + result.rejected
    )
    assert rows("select hourly_rate, source_row from raw.pay_rates") == [(Decimal("17.0000"), 4)]


def test_ingest_reloading_file_with_bad_rows_adds_no_rejections(database_url, csv_file, rows):
    path = csv_file(
        "deductions.csv",
        "tenant_id,staff_id,kind,amount_per_period,effective_from",
        "acme,S1,post_tax,10.00,2026-01-01",
        "acme,S2,post_tax,-1,2026-01-01",
    )

    first = ingest_paths(database_url, [path]).files[0]
    again = ingest_paths(database_url, [path]).files[0]

    assert (first.loaded, first.rejected) == (1, 1)
    assert (again.loaded, again.replaced, again.unchanged, again.rejected) == (0, 0, 1, 1)
    assert rows("select source_row, field from raw.rejected_rows") == [(3, "amount_per_period")]
    assert rows(
        "select rows_received, rows_loaded, rows_unchanged, rows_rejected "
        "from raw.ingested_files order by ingested_at"
    ) == [(2, 1, 0, 1), (2, 0, 1, 1)]


def test_ingest_attendance_equal_updated_at_in_later_file_is_ignored(database_url, csv_file, rows):
    first = csv_file(
        "attendance_1.csv", HEADER, _shift("E1", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z")
    )
    same_time = csv_file(
        "attendance_2.csv", HEADER, _shift("E1", "2026-03-02T20:00:00Z", "2026-03-02T18:00:00Z")
    )

    ingest_paths(database_url, [first])
    [result] = ingest_paths(database_url, [same_time]).files

    assert (result.loaded, result.replaced, result.unchanged) == (0, 0, 1)
    assert rows(
        "select clock_out::text, source_file like '%attendance_1.csv' from raw.attendance"
    ) == [("2026-03-02 17:00:00+00", True)]


def test_ingest_attendance_newest_in_file_wins_over_file_order(database_url, csv_file, rows):
    path = csv_file(
        "attendance.csv",
        HEADER,
        _shift("E1", "2026-03-02T19:00:00Z", "2026-03-03T08:00:00Z"),  # newest, first
        _shift("E1", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z"),
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded) == (2, 1)
    assert rows("select clock_out::text, source_row from raw.attendance") == [
        ("2026-03-02 19:00:00+00", 2)
    ]


@pytest.mark.parametrize("name", ["staff.csv", "attendance.csv"])
def test_ingest_non_utf8_file_is_refused(database_url, csv_file, rows, name):
    header = (
        HEADER
        if name == "attendance.csv"
        else "tenant_id,staff_id,full_name,home_location_id,pay_type"
    )
    line = (
        _shift("E1", "", "2026-03-02T18:00:00Z", staff="Jos\u00e9")
        if name == "attendance.csv"
        else "acme,S1,Jos\u00e9,AUS,hourly"
    )
    path = csv_file(name, header, line, encoding="latin-1")

    with pytest.raises(IngestFileError, match="UTF"):
        ingest_paths(database_url, [path])

    table = name.removesuffix(".csv")
    assert rows(f"select count(*) from raw.{table}") == [(0,)]
    assert rows("select count(*) from raw.rejected_rows") == [(0,)]


def test_ingest_nul_character_rejects_the_row(database_url, csv_file, rows):
    path = csv_file(
        "adjustments.csv",
        "tenant_id,adjustment_id,staff_id,work_date,kind,amount",
        "acme,A1,S1,2026-03-04,bonus,1.00",
        "acme,A2,S\x001,2026-03-04,bonus,1.00",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.loaded, result.rejected) == (1, 1)
    assert rows("select source_row, field from raw.rejected_rows") == [(3, "row")]


@pytest.mark.parametrize("name", ["staff.csv", "attendance.csv"])
def test_a_bad_byte_far_down_names_its_row_and_byte_once(database_url, tmp_path, rows, name):
    """Row 1 and its header are fine; the byte that is not UTF-8 is on line
    302 (a decoder reads ahead in chunks: the refusal must not blame the
    header or the first row it had not read yet)."""
    if name == "attendance.csv":
        header = HEADER
        good = [_shift(f"E{i}", "", "2026-03-02T18:00:00Z") for i in range(300)]
        bad = _shift("E300", "", "2026-03-02T18:00:00Z", staff="Jos\u00e9")
    else:
        header = "tenant_id,staff_id,full_name,home_location_id,pay_type"
        good = [f"acme,S{i},Staff {i},AUS,hourly" for i in range(300)]
        bad = "acme,S300,Jos\u00e9,AUS,hourly"
    text = "\n".join([header, *good]) + "\n"
    prefix = text.encode("utf-8")
    bad_line = bad.encode("latin-1")
    path = tmp_path / name
    path.write_bytes(prefix + bad_line + b"\n" + good[0].encode() + b"\n")
    column = bad_line.index(b"\xe9")

    with pytest.raises(IngestFileError) as refused:
        ingest_paths(database_url, [path])

    assert (refused.value.row, refused.value.field) == (302, "row")
    assert str(refused.value) == (
        f"{path}: row 302, field row: not UTF-8 text: byte 0xe9 at byte offset "
        f"{len(prefix) + column} (column {column + 1} of line 302)"
    )
    assert rows(f"select count(*) from raw.{name.removesuffix('.csv')}") == [(0,)]


def test_the_cli_names_the_place_of_a_refused_file_once(database_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dagster_project.cli import app
    from dagster_project.settings import get_settings

    path = tmp_path / "staff.csv"
    path.write_text("tenant_id,staff_id,nickname\n", encoding="utf-8")
    monkeypatch.setenv("PAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PAYROLL_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ingest", str(path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"error: {path}: row 1, field nickname: unknown column for a staff file"
    )
