"""One query against the benchmark database."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg2


def query(url: str, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params or None)  # no params: a % in the SQL is literal
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()
