"""Reference files (tenants, staff, rates, …): validated row by row with their
pydantic model, then loaded with one set-based upsert per file."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2.extensions
from psycopg2 import sql
from pydantic import ValidationError

from dagster_project.ingest.errors import IngestFileError
from dagster_project.ingest.files import not_utf8, open_hashed_text
from dagster_project.ingest.rejects import Rejection, record_rejections
from dagster_project.ingest.results import FileResult
from dagster_project.ingest.schemas import FileKind, InputRow

_log = logging.getLogger(__name__)
_LANDING_COLUMNS = ("source_file", "source_row")


def _first_error(error: ValidationError) -> tuple[str, str]:
    """(field, reason) of the first problem, without echoing the value."""
    detail = error.errors(include_input=False, include_url=False)[0]
    field = ".".join(str(part) for part in detail["loc"]) or "row"
    message = detail["msg"].removeprefix("Value error, ")
    return field, f"{field}: {message}"


def _validated_rows(
    path: Path, kind: FileKind, header: list[str]
) -> tuple[dict[tuple[Any, ...], tuple[int, InputRow]], list[Rejection], int, str]:
    """Valid rows by key (the last one of a key wins), rejections, rows read,
    and the file's sha256."""
    valid: dict[tuple[Any, ...], tuple[int, InputRow]] = {}
    rejections: list[Rejection] = []
    received = 0
    with open_hashed_text(path) as (handle, hashed):
        reader = csv.reader(handle)
        rows = _rows_of(reader, path)
        next(rows, None)  # the header, checked already
        for values in rows:
            if not values:
                continue  # a blank line is no row (csv.DictReader skips it too)
            received += 1
            line = reader.line_num
            cells = dict(zip(header, values, strict=False))
            if any("\x00" in value for value in values):
                rejections.append(Rejection.of(line, {}, "row", "row: contains a NUL character"))
                continue
            if len(values) != len(header):
                rejections.append(
                    Rejection.of(
                        line, cells, "row", f"row: {len(values)} fields, header has {len(header)}"
                    )
                )
                continue
            try:
                row = kind.model.model_validate(cells)
            except ValidationError as error:
                field, reason = _first_error(error)
                rejections.append(Rejection.of(line, cells, field, reason))
                continue
            key = tuple(getattr(row, column) for column in kind.key)
            valid[key] = (line, row)
        sha = hashed.sha256()
    if rejections and kind.refuse_file_on_bad_row:
        first = rejections[0]
        reason = first.reason.removeprefix(f"{first.field}: ")
        raise IngestFileError(
            path, first.source_row, first.field, f"{reason}; nothing of this file was loaded"
        )
    return valid, rejections, received, sha


def _rows_of(reader: Any, path: Path) -> Iterator[list[str]]:
    """The reader's rows; text that is not UTF-8 refuses the file, naming the row."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise not_utf8(path) from None
        except csv.Error as error:
            raise IngestFileError(path, reader.line_num, "row", f"not valid CSV: {error}") from None


def _copy_rows(
    cur: psycopg2.extensions.cursor,
    kind: FileKind,
    rows: list[tuple[int, InputRow]],
    source_file: str,
) -> None:
    buffer = io.StringIO()
    for line, row in rows:
        values = row.model_dump()
        if kind.name == "pay_rates" and values["staff_id"] is None:
            values["staff_id"] = ""  # landing key for a role default
        cells = [*(values[c] for c in kind.columns), source_file, line]
        buffer.write("\t".join(map(_copy_text, cells)) + "\n")
    buffer.seek(0)
    columns = sql.SQL(", ").join(map(sql.Identifier, (*kind.columns, *_LANDING_COLUMNS)))
    cur.copy_expert(sql.SQL("copy incoming ({}) from stdin").format(columns), buffer)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """COPY text format: ``\\N`` is null, so a value that reads ``\\N`` stays text."""
    return r"\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _upsert(cur: psycopg2.extensions.cursor, kind: FileKind) -> tuple[int, int]:
    """One statement for the whole file; returns (inserted, replaced)."""
    schema, table = kind.table.split(".")
    target = sql.Identifier(schema, table)
    data_columns = [c for c in kind.columns if c not in kind.key]
    all_columns = sql.SQL(", ").join(map(sql.Identifier, (*kind.columns, *_LANDING_COLUMNS)))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
        for c in (*data_columns, *_LANDING_COLUMNS, "loaded_at")
    )
    current = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in data_columns)
    incoming = sql.SQL(", ").join(
        sql.SQL("excluded.{}").format(sql.Identifier(c)) for c in data_columns
    )
    statement = sql.SQL(
        """
        with upserted as (
            insert into {target} as t ({columns})
            select {columns} from incoming
            on conflict ({key}) do update set {updates}
            where ({current}) is distinct from ({incoming})
            returning (xmax = 0) as inserted
        )
        select count(*) filter (where inserted), count(*) filter (where not inserted)
        from upserted
        """
    ).format(
        target=target,
        columns=all_columns,
        key=sql.SQL(", ").join(map(sql.Identifier, kind.key)),
        updates=updates,
        current=current,
        incoming=incoming,
    )
    cur.execute(statement)
    inserted, replaced = cur.fetchone()
    return inserted, replaced


def load_small_file(
    conn: psycopg2.extensions.connection,
    kind: FileKind,
    path: Path,
    header: list[str],
) -> FileResult:
    valid, rejections, received, sha = _validated_rows(path, kind, header)
    rows = sorted(valid.values(), key=lambda item: item[0])
    with conn.cursor() as cur:
        schema, table = kind.table.split(".")
        cur.execute(
            sql.SQL(
                "create temp table incoming (like {} including defaults) on commit drop"
            ).format(sql.Identifier(schema, table))
        )
        _copy_rows(cur, kind, rows, str(path))
        inserted, replaced = _upsert(cur, kind)
        record_rejections(cur, rejections, sha, str(path), kind.name)
    superseded = received - len(rejections) - len(rows)
    return FileResult(
        file=str(path),
        kind=kind.name,
        file_sha256=sha,
        received=received,
        loaded=inserted,
        replaced=replaced,
        unchanged=len(rows) - inserted - replaced,
        superseded=superseded,
        rejected=len(rejections),
    )
