"""The ingest ceilings: the attendance file ``COPY``ed into a table of text
columns, unindexed (raw COPY) and with the landing table's three indexes
(what index maintenance alone costs, without any validation)."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg2

from bench.generator import CONTRACT_COLUMNS

# the indexes of raw.attendance
_INDEXED_TABLE = """
    create table bench.attendance_indexed ({columns});
    create index on bench.attendance_indexed (tenant_id, event_id);
    create index on bench.attendance_indexed (tenant_id, staff_id, clock_in);
    create index on bench.attendance_indexed (tenant_id, clock_in);
"""


def _text_columns() -> str:
    return ", ".join(f"{c} text" for c in CONTRACT_COLUMNS["attendance"])


def _timed_copy(url: str, attendance: Path, create: str, table: str) -> float:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("create schema if not exists bench")
            cur.execute(create)
        with conn, conn.cursor() as cur, attendance.open("rb") as handle:
            started = time.perf_counter()
            cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", handle)
            seconds = time.perf_counter() - started
        with conn, conn.cursor() as cur:
            cur.execute(f"drop table {table}")
    finally:
        conn.close()
    return seconds


def raw_copy(url: str, attendance: Path) -> float:
    """Seconds to COPY the file into an unindexed table of text columns."""
    create = f"create table bench.attendance_copy ({_text_columns()})"
    return _timed_copy(url, attendance, create, "bench.attendance_copy")


def indexed_copy(url: str, attendance: Path) -> float:
    """Seconds to COPY the file into a text table with the landing indexes."""
    create = _INDEXED_TABLE.format(columns=_text_columns())
    return _timed_copy(url, attendance, create, "bench.attendance_indexed")
