"""Helpers of the ingest tests: CSV files in tmp_path, the ingest itself, and
queries on the test's database (session time zone UTC)."""

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from dagster_project.ingest.loader import IngestReport, ingest_paths


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """``write_csv("staff.csv", "a,b", "1,2")`` or ``write_csv("staff.csv", '''
    a,b
    1,2
    ''')`` → the file's path."""

    def _write(name: str, *lines: str, folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent("\n".join(lines)).lstrip("\n").rstrip(" ")
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        return path

    return _write


@pytest.fixture
def ingest(database_url: str) -> Callable[..., IngestReport]:
    def _ingest(*paths: Path) -> IngestReport:
        return ingest_paths(database_url, list(paths))

    return _ingest


@pytest.fixture
def query(database_url: str) -> Callable[..., list[tuple[Any, ...]]]:
    def _query(statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = psycopg2.connect(database_url)
        try:
            with conn.cursor() as cur:
                cur.execute("set time zone 'UTC'")
                cur.execute(statement, params)
                return cur.fetchall()
        finally:
            conn.close()

    return _query


@pytest.fixture
def count(query) -> Callable[[str], int]:
    def _count(table: str) -> int:
        return query(f"select count(*) from raw.{table}")[0][0]

    return _count
