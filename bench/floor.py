"""The SQL floor (``floor.sql``, one statement), timed, and its cross-check:
every row and every total of its result equals ``marts.fct_workweek_hours``
to the cent (hours and rates to their four decimals)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg2

FLOOR_SQL = Path(__file__).with_name("floor.sql")
FLOOR_TABLE = "bench.floor_workweek_hours"
KEY = ("tenant_id", "staff_id", "workweek_start")
VALUES = (
    "hours_worked",
    "overtime_hours",
    "double_time_hours",
    "straight_time_pay",
    "bonus_pay",
    "regular_rate",
    "overtime_premium_pay",
)
TOTALED = (*VALUES[:5], "overtime_premium_pay")


@dataclass(frozen=True)
class CrossCheck:
    rows_floor: int
    rows_mart: int
    only_in_floor: int
    only_in_mart: int
    differing: int
    totals_floor: dict[str, str]
    totals_mart: dict[str, str]

    @property
    def matches(self) -> bool:
        return (
            self.only_in_floor == 0
            and self.only_in_mart == 0
            and self.differing == 0
            and self.totals_floor == self.totals_mart
        )

    def to_json(self) -> dict[str, object]:
        return {
            "matches": self.matches,
            "rows_floor": self.rows_floor,
            "rows_mart": self.rows_mart,
            "only_in_floor": self.only_in_floor,
            "only_in_mart": self.only_in_mart,
            "differing": self.differing,
            "totals_floor": self.totals_floor,
            "totals_mart": self.totals_mart,
        }


def floor_statement() -> str:
    return FLOOR_SQL.read_text()


def run_floor(url: str) -> float:
    """Seconds to compute and store the floor's result (like a mart, it
    writes a table)."""
    statement = floor_statement()
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("create schema if not exists bench")
            cur.execute(f"drop table if exists {FLOOR_TABLE}")
        with conn, conn.cursor() as cur:
            started = time.perf_counter()
            cur.execute(f"create table {FLOOR_TABLE} as {statement}")
            seconds = time.perf_counter() - started
    finally:
        conn.close()
    return seconds


def _gross(columns: Iterable[str]) -> str:
    return " + ".join(f"sum({c})" for c in columns)


def cross_check(url: str, mart: str = "marts.fct_workweek_hours") -> CrossCheck:
    differs = " or ".join(f"f.{v} is distinct from m.{v}" for v in VALUES)
    join = " and ".join(f"f.{k} = m.{k}" for k in KEY)
    totals = ", ".join(f"sum({c})::text" for c in TOTALED)
    gross = _gross(("straight_time_pay", "bonus_pay", "overtime_premium_pay"))
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                f"""
                select
                    count(f.tenant_id),
                    count(m.tenant_id),
                    count(*) filter (where m.tenant_id is null),
                    count(*) filter (where f.tenant_id is null),
                    count(*) filter (
                        where f.tenant_id is not null and m.tenant_id is not null
                        and ({differs})
                    )
                from {FLOOR_TABLE} as f
                full outer join {mart} as m on {join}
                """
            )
            rows_floor, rows_mart, only_floor, only_mart, differing = cur.fetchone()
            found = {}
            for name, table in (("floor", FLOOR_TABLE), ("mart", mart)):
                cur.execute(f"select {totals}, ({gross})::text from {table}")
                values = cur.fetchone()
                found[name] = dict(zip((*TOTALED, "gross_pay"), values, strict=True))
    finally:
        conn.close()
    return CrossCheck(
        rows_floor, rows_mart, only_floor, only_mart, differing, found["floor"], found["mart"]
    )


def mart_rows(url: str, mart: str = "marts.fct_workweek_hours") -> dict[tuple, tuple]:
    """The mart's rows by key, values in VALUES order (for the naive check)."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"select {', '.join(KEY)}, {', '.join(VALUES)} from {mart}")
            return {tuple(row[:3]): tuple(row[3:]) for row in cur.fetchall()}
    finally:
        conn.close()


def naive_mismatches(naive_rows, mart: dict[tuple, tuple], staff: set[tuple[str, str]] | None):
    """(rows compared, rows missing on either side, rows differing)."""
    expected = {
        key: values for key, values in mart.items() if staff is None or (key[0], key[1]) in staff
    }
    seen = 0
    differing = 0
    for row in naive_rows:
        key = (row.tenant_id, row.staff_id, row.workweek_start)
        values = expected.get(key)
        if values is None:
            continue
        seen += 1
        mine = tuple(getattr(row, v) for v in VALUES)
        if tuple(None if v is None else Decimal(v) for v in values) != mine:
            differing += 1
    missing = len(expected) - seen + (len(naive_rows) - seen)
    return seen, missing, differing
