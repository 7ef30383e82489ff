import textwrap
from collections.abc import Callable
from pathlib import Path

import psycopg2
import pytest

from dagster_project.ingest.loader import ingest_paths


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return _write


@pytest.fixture
def ingest(database_url):
    def _ingest(*paths: Path):
        return ingest_paths(database_url, list(paths))

    return _ingest


@pytest.fixture
def query(database_url):
    def _query(sql: str, params: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(database_url)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    return _query
