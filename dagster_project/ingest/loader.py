"""``payroll ingest``: every file in its own transaction, in load order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg2
import psycopg2.extensions

from dagster_project.ingest.attendance import load_attendance_file
from dagster_project.ingest.errors import IngestConnectionLost, IngestError, IngestFileError
from dagster_project.ingest.files import discover_files, read_header
from dagster_project.ingest.results import FileResult, IngestReport
from dagster_project.ingest.small_files import load_small_file
from dagster_project.lib.database import connect
from dagster_project.lib.logs import get_logger

__all__ = [
    "IngestConnectionLost",
    "IngestError",
    "IngestFileError",
    "IngestReport",
    "FileResult",
    "ingest_paths",
]

_log = get_logger(__name__)
_TEMP_BUFFERS = "256MB"

_RECORD_LOAD = """
    insert into raw.ingested_files (
        file_sha256, source_file, file_kind, rows_received, rows_loaded,
        rows_replaced, rows_unchanged, rows_rejected
    ) values (%s, %s, %s, %s, %s, %s, %s, %s)
"""


def _size_temp_buffers(conn: psycopg2.extensions.connection) -> None:
    """Room for a million-row attendance file in the session's temporary
    buffers. PostgreSQL refuses to change temp_buffers once the session has
    used a temporary table (every file's load does), so this is set once, for
    the session, before the first file."""
    with conn.cursor() as cur:
        cur.execute(f"set temp_buffers = '{_TEMP_BUFFERS}'")
    conn.commit()


def ingest_paths(
    url: str,
    paths: Sequence[Path],
    *,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Load files (or folders of them). A file with a bad header raises
    ``IngestFileError`` and nothing of it is loaded; files before it stay
    loaded. Bad rows never stop a file: they land in ``raw.rejected_rows``."""
    files = discover_files([Path(p) for p in paths])
    report = IngestReport()
    conn = connect(url)
    try:
        _size_temp_buffers(conn)
        for kind, path in files:
            header = read_header(path, kind)
            loader = load_attendance_file if kind.name == "attendance" else load_small_file
            try:
                result = loader(conn, kind, path, header)
                with conn.cursor() as cur:
                    cur.execute(
                        _RECORD_LOAD,
                        (
                            result.file_sha256,
                            result.file,
                            result.kind,
                            result.received,
                            result.loaded,
                            result.replaced,
                            result.unchanged + result.superseded,
                            result.rejected,
                        ),
                    )
                conn.commit()
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as lost:
                raise IngestConnectionLost(
                    f"{path}: the database connection was lost while loading; nothing of "
                    "this file was loaded (files before it were) — run the same command again"
                ) from lost
            except BaseException:
                conn.rollback()
                raise
            report.files.append(result)
            _log.info(
                "file_ingested",
                kind=result.kind,
                file=result.file,
                received=result.received,
                loaded=result.loaded,
                replaced=result.replaced,
                unchanged=result.unchanged,
                superseded=result.superseded,
                rejected=result.rejected,
            )
            if on_file is not None:
                on_file(result)
    finally:
        if not conn.closed:
            conn.close()
    return report
