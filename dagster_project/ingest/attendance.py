"""Attendance at COPY speed: the file is streamed by ``COPY`` as text into a
temporary table, every row is checked and cast in SQL, set-based, and the
newest version of each event is upserted in one statement. Memory does not
grow with the file; a bad row is reported with its row number and reason and
the good rows still load."""

from __future__ import annotations

from pathlib import Path

import psycopg2.extensions
from psycopg2 import errors as pg_errors
from psycopg2 import sql

from dagster_project.ingest.errors import IngestFileError
from dagster_project.ingest.results import FileResult
from dagster_project.ingest.schemas import RECORD_ID_PATTERN, TENANT_ID_PATTERN, FileKind

_ROLE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$"

# (field, SQL that is true when the value is bad, reason). The first failing
# check of a row is the one reported. `v_<column>` is the trimmed text.
_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("tenant_id", "v_tenant_id is null", "required"),
    ("tenant_id", f"v_tenant_id !~ '{TENANT_ID_PATTERN}'", "not a valid tenant id"),
    ("event_id", "v_event_id is null", "required"),
    ("event_id", f"v_event_id !~ '{RECORD_ID_PATTERN}'", "not a valid id"),
    ("staff_id", "v_staff_id is null", "required"),
    ("staff_id", f"v_staff_id !~ '{RECORD_ID_PATTERN}'", "not a valid id"),
    ("location_id", "v_location_id is null", "required"),
    ("location_id", f"v_location_id !~ '{RECORD_ID_PATTERN}'", "not a valid id"),
    ("role", "v_role is null", "required"),
    ("role", f"v_role !~ '{_ROLE_PATTERN}'", "not a valid role"),
    ("clock_in", "v_clock_in is null", "required"),
    (
        "clock_in",
        "not raw.is_iso_timestamptz(v_clock_in)",
        "not an ISO 8601 timestamp with offset",
    ),
    (
        "clock_out",
        "v_clock_out is not null and not raw.is_iso_timestamptz(v_clock_out)",
        "not an ISO 8601 timestamp with offset",
    ),
    (
        "break_minutes",
        "v_break_minutes is not null and v_break_minutes !~ '^[0-9]{1,4}$'",
        "not a whole number of minutes between 0 and 9999",
    ),
    ("updated_at", "v_updated_at is null", "required"),
    (
        "updated_at",
        "not raw.is_iso_timestamptz(v_updated_at)",
        "not an ISO 8601 timestamp with offset",
    ),
)
_COLUMNS = (
    "tenant_id",
    "event_id",
    "staff_id",
    "location_id",
    "role",
    "clock_in",
    "clock_out",
    "break_minutes",
    "updated_at",
)


def _copy_file(cur: psycopg2.extensions.cursor, path: Path, header: list[str]) -> None:
    columns = sql.SQL(", ").join(map(sql.Identifier, header))
    statement = sql.SQL(
        "copy incoming_text ({}) from stdin with (format csv, header true, encoding 'UTF8')"
    ).format(columns)
    try:
        with path.open("rb") as handle:
            cur.copy_expert(statement, handle)
    except (pg_errors.BadCopyFileFormat, pg_errors.CharacterNotInRepertoire) as error:
        raise IngestFileError(
            path, _copy_error_row(error), "row", _copy_error_message(error)
        ) from None


def _copy_error_row(error: psycopg2.Error) -> int:
    context = (error.diag.context or "").split("line ")
    try:
        return int(context[1].split(",")[0].split(":")[0])
    except (IndexError, ValueError):
        return 0


def _copy_error_message(error: psycopg2.Error) -> str:
    return (error.diag.message_primary or str(error)).split("\n")[0][:200]


def _checked_select() -> str:
    trimmed = ",\n".join(f"nullif(btrim({c}), '') as v_{c}" for c in _COLUMNS)
    field = "\n".join(f"when {check} then '{name}'" for name, check, _ in _CHECKS)
    reason = "\n".join(f"when {check} then '{text}'" for _, check, text in _CHECKS)
    return f"""
        create temp table incoming_checked on commit drop as
        with trimmed as (
            select source_row + 1 as source_row, {trimmed}
            from incoming_text
        )
        select
            trimmed.*,
            case {field} end as bad_field,
            case {reason} end as bad_reason
        from trimmed
    """


_RECORD_REJECTIONS = """
    insert into raw.rejected_rows (
        file_sha256, source_row, source_file, file_kind,
        tenant_id, record_id, staff_id, field, reason
    )
    select
        %(sha)s, source_row, %(file)s, 'attendance',
        left(v_tenant_id, 128), left(v_event_id, 128), left(v_staff_id, 128),
        bad_field, bad_field || ': ' || bad_reason
    from incoming_checked
    where bad_field is not null
    on conflict (file_sha256, source_row) do nothing
"""

# Within the file the newest updated_at wins (a tie: the later row); against
# the table only a strictly newer updated_at replaces.
_UPSERT = """
    with valid as (
        select
            v_tenant_id as tenant_id,
            v_event_id as event_id,
            v_staff_id as staff_id,
            v_location_id as location_id,
            v_role as role,
            v_clock_in::timestamptz as clock_in,
            v_clock_out::timestamptz as clock_out,
            coalesce(v_break_minutes::integer, 0) as break_minutes,
            v_updated_at::timestamptz as updated_at,
            source_row
        from incoming_checked
        where bad_field is null
    ),
    newest as (
        select distinct on (tenant_id, event_id) *
        from valid
        order by tenant_id, event_id, updated_at desc, source_row desc
    ),
    upserted as (
        insert into raw.attendance as t (
            tenant_id, event_id, staff_id, location_id, role,
            clock_in, clock_out, break_minutes, updated_at,
            source_file, source_row
        )
        select
            tenant_id, event_id, staff_id, location_id, role,
            clock_in, clock_out, break_minutes, updated_at,
            %(file)s, source_row
        from newest
        on conflict (tenant_id, event_id) do update set
            staff_id = excluded.staff_id,
            location_id = excluded.location_id,
            role = excluded.role,
            clock_in = excluded.clock_in,
            clock_out = excluded.clock_out,
            break_minutes = excluded.break_minutes,
            updated_at = excluded.updated_at,
            source_file = excluded.source_file,
            source_row = excluded.source_row,
            loaded_at = now()
        where excluded.updated_at > t.updated_at
        returning (xmax = 0) as inserted
    )
    select
        (select count(*) from incoming_checked),
        (select count(*) from incoming_checked where bad_field is not null),
        (select count(*) from newest),
        (select count(*) from upserted where inserted),
        (select count(*) from upserted where not inserted)
"""


def load_attendance_file(
    conn: psycopg2.extensions.connection,
    kind: FileKind,
    path: Path,
    header: list[str],
    file_sha256: str,
) -> FileResult:
    with conn.cursor() as cur:
        text_columns = ", ".join(f"{c} text" for c in _COLUMNS)
        cur.execute(
            "create temp table incoming_text ("
            "source_row bigint generated always as identity, "
            f"{text_columns}) on commit drop"
        )
        _copy_file(cur, path, header)
        cur.execute(_checked_select())
        cur.execute(_RECORD_REJECTIONS, {"sha": file_sha256, "file": str(path)})
        cur.execute(_UPSERT, {"file": str(path)})
        received, rejected, newest, inserted, replaced = cur.fetchone()
    return FileResult(
        file=str(path),
        kind=kind.name,
        received=received,
        loaded=inserted,
        replaced=replaced,
        unchanged=newest - inserted - replaced,
        superseded=received - rejected - newest,
        rejected=rejected,
    )
