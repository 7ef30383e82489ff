"""Attendance at COPY speed: the file is streamed by ``COPY`` as text into a
temporary table (its sha256 computed from the bytes COPY reads), then one
statement checks and casts every row, records the rejected ones and upserts
the newest version of each event. Memory does not grow with the file; a bad
row is reported with its row number and reason and the good rows still load.
A large load sets the table's indexes aside for the statement
(``large_load``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import psycopg2.extensions
from psycopg2 import errors as pg_errors
from psycopg2 import sql

from dagster_project.core.periods import TENANT_ID_PATTERN
from dagster_project.ingest.errors import IngestFileError
from dagster_project.ingest.files import HashingReader, first_invalid_utf8, open_hashed
from dagster_project.ingest.large_load import indexes_set_aside
from dagster_project.ingest.results import FileResult
from dagster_project.ingest.schemas import RECORD_ID_PATTERN, FileKind
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)
_WORK_MEM = "256MB"
_ROLE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$"
_TIP_COLUMNS = ("cash_tips", "card_tips")
# ISO 8601 with offset or Z, every field range-checked by the pattern itself
# (the years and precision migration 0013 accepted, plus offset minutes:
# '+05:99' passes that function and then fails the cast, for the whole file).
_TIMESTAMP_PATTERN = (
    r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]"
    r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)$"
)


def _text_array(values: Iterable[str]) -> str:
    return "'{" + ",".join(values) + "}'::text[]"


# The parts of YYYY-MM-DDTHH:MM:SS, each with the separator after it, so that
# the parts together cover every character. 02-29 is left out: whether it
# exists depends on the year (the full check knows).
_YEARS = _text_array(f"{year}-" for year in range(1900, 2200))
_MONTH_DAYS = _text_array(
    (dt.date(2001, 1, 1) + dt.timedelta(days=day)).strftime("%m-%dT") for day in range(365)
)
_HOURS_MINUTES = _text_array(
    f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)
)
_SECONDS = _text_array(f"{second:02d}" for second in range(60))
# the offsets in use: whole, half and quarter hours (any other goes to the full check)
_ZONES = _text_array(
    [
        "Z",
        *(
            f"{sign}{hour:02d}:{minute}"
            for sign in "+-"
            for hour in range(15)
            for minute in ("00", "15", "30", "45")
        ),
    ]
)


def _common_timestamp(column: str) -> str:
    """SQL true when ``column`` reads ``YYYY-MM-DDTHH:MM:SS`` then ``Z`` or
    ``±HH:MM``, every field in range: the shape of nearly every value.

    Decided by looking its parts up in constant lists, which PostgreSQL hashes:
    several times cheaper than the regex, which cost more than the rest of the
    load on a million rows. Anything else goes on to the full check."""
    return (
        f"(substr({column}, 1, 5) = any({_YEARS})"
        f" and substr({column}, 6, 6) = any({_MONTH_DAYS})"
        f" and substr({column}, 12, 6) = any({_HOURS_MINUTES})"
        f" and substr({column}, 18, 2) = any({_SECONDS})"
        f" and substr({column}, 20) = any({_ZONES}))"
    )


def _not_a_timestamp(column: str) -> str:
    """SQL true when ``column`` cannot be cast to timestamptz without error:
    the full check, for any shape the pattern accepts.

    Inline rather than a SQL function call (migration 0013, dropped): a non-inlinable SQL
    function per value made a million-row file take minutes instead of seconds.
    ``case`` fixes the order, so only a matching value reaches the casts."""
    day, month, year = (
        f"substr({column}, 9, 2)::integer",
        f"substr({column}, 6, 2)",
        f"substr({column}, 1, 4)::integer",
    )
    leap = f"({year} % 4 = 0 and ({year} % 100 <> 0 or {year} % 400 = 0))"
    return (
        f"(case when {column} !~ '{_TIMESTAMP_PATTERN}' then true"
        f" when {day} <= 28 then false"
        f" when {month} = '02' then {day} > case when {leap} then 29 else 28 end"
        f" when {month} in ('04', '06', '09', '11') then {day} > 30"
        " else false end)"
    )


def _not_money(column: str) -> str:
    """SQL true when ``column`` is not dollars >= 0 with at most 2 decimals and
    at most 12 digits before the point (raw.attendance's numeric(14, 2)): a
    sign, an exponent or a longer value is refused here, never left to the
    cast. No counted repeat (see ``_mismatch``): the digits before the point
    are counted by where the point is."""
    return f"({column} !~ '^[0-9]+(\\.[0-9][0-9]?)?$' or strpos({column} || '.', '.') > 13)"


def _mismatch(column: str, pattern: str) -> str:
    """SQL true when ``column`` does not match ``pattern``.

    A trailing bounded repeat (``{0,63}$``) becomes ``*$`` plus a length check:
    PostgreSQL's regex engine expands counted repeats, which made each id check
    ten times slower on a million rows. The length is counted in bytes: it only
    matters when the pattern matched, and these patterns match ASCII only."""
    bounded = re.search(r"\{0,(\d+)\}\$$", pattern)
    if bounded is None:
        return f"{column} !~ '{pattern}'"
    unbounded = pattern[: bounded.start()] + "*$"
    return f"({column} !~ '{unbounded}' or octet_length({column}) > {int(bounded[1]) + 1})"


# (field, SQL that is true when the value is bad, reason). The first failing
# check of a row is the one reported. `v_<column>` is the trimmed text.
_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("tenant_id", "v_tenant_id is null", "required"),
    ("tenant_id", _mismatch("v_tenant_id", TENANT_ID_PATTERN), "not a valid tenant id"),
    ("event_id", "v_event_id is null", "required"),
    ("event_id", _mismatch("v_event_id", RECORD_ID_PATTERN), "not a valid id"),
    ("staff_id", "v_staff_id is null", "required"),
    ("staff_id", _mismatch("v_staff_id", RECORD_ID_PATTERN), "not a valid id"),
    ("location_id", "v_location_id is null", "required"),
    ("location_id", _mismatch("v_location_id", RECORD_ID_PATTERN), "not a valid id"),
    ("role", "v_role is null", "required"),
    ("role", _mismatch("v_role", _ROLE_PATTERN), "not a valid role"),
    ("clock_in", "v_clock_in is null", "required"),
    (
        "clock_in",
        _not_a_timestamp("v_clock_in"),
        "not an ISO 8601 timestamp with offset",
    ),
    (
        "clock_out",
        "v_clock_out is not null and " + _not_a_timestamp("v_clock_out"),
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
        _not_a_timestamp("v_updated_at"),
        "not an ISO 8601 timestamp with offset",
    ),
    *(
        (
            column,
            f"v_{column} is not null and {_not_money(f'v_{column}')}",
            "not an amount of dollars of at least 0 with at most 2 decimals",
        )
        for column in _TIP_COLUMNS
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
    *_TIP_COLUMNS,
)


_COPY_CHUNK = 1 << 18


def _copy_file(
    cur: psycopg2.extensions.cursor, source: HashingReader, path: Path, header: list[str]
) -> int:
    """The file into ``incoming_text``; returns the rows copied."""
    columns = sql.SQL(", ").join(map(sql.Identifier, header))
    statement = sql.SQL(
        "copy incoming_text ({}) from stdin with (format csv, header true, encoding 'UTF8')"
    ).format(columns)
    try:
        cur.copy_expert(statement, source, size=_COPY_CHUNK)
    except (pg_errors.BadCopyFileFormat, pg_errors.CharacterNotInRepertoire) as error:
        # a byte that is not UTF-8 is named exactly; PostgreSQL also refuses NUL
        if isinstance(error, pg_errors.CharacterNotInRepertoire):
            invalid = first_invalid_utf8(path)
            if invalid is not None:
                raise invalid from None
        raise IngestFileError(
            path, _copy_error_row(error), "row", _copy_error_message(error)
        ) from None
    return cur.rowcount


def _copy_error_row(error: psycopg2.Error) -> int:
    context = (error.diag.context or "").split("line ")
    try:
        return int(context[1].split(",")[0].split(":")[0])
    except (IndexError, ValueError):
        return 0


def _copy_error_message(error: psycopg2.Error) -> str:
    return (error.diag.message_primary or str(error)).split("\n")[0][:200]


def _quick_checks() -> dict[str, str]:
    """Per column, SQL true when the value as read is valid and has nothing to
    trim: what nearly every value of a file is. Such a value is used as it is;
    a row with any other value goes through ``_CHECKS`` on trimmed values."""
    return {
        "tenant_id": f"not {_mismatch('tenant_id', TENANT_ID_PATTERN)}",
        "event_id": f"not {_mismatch('event_id', RECORD_ID_PATTERN)}",
        "staff_id": f"not {_mismatch('staff_id', RECORD_ID_PATTERN)}",
        "location_id": f"not {_mismatch('location_id', RECORD_ID_PATTERN)}",
        # the one pattern that allows a space: none may end the value
        "role": f"(not {_mismatch('role', _ROLE_PATTERN)} and role not like '% ')",
        "clock_in": _common_timestamp("clock_in"),
        "clock_out": f"(clock_out is null or {_common_timestamp('clock_out')})",
        "break_minutes": "(break_minutes is null or break_minutes ~ '^[0-9]{1,4}$')",
        "updated_at": _common_timestamp("updated_at"),
        **{c: f"({c} is null or not {_not_money(c)})" for c in _TIP_COLUMNS},
    }


def _quick_columns() -> str:
    return ",\n".join(f"{check} as quick_{c}" for c, check in _quick_checks().items())


def _trimmed_columns() -> str:
    return ",\n".join(
        f"case when quick_{c} then {c} else nullif(btrim({c}), '') end as v_{c}" for c in _COLUMNS
    )


def _all_quick() -> str:
    return " and ".join(f"quick_{c}" for c in _COLUMNS)


def _first_failing_check() -> str:
    """Its number in ``_CHECKS``."""
    checks = "\n".join(
        f"when {check} then {number}" for number, (_, check, _) in enumerate(_CHECKS, start=1)
    )
    return f"case {checks} end"


def _valid_only(cast: str) -> str:
    """A cast evaluated for valid rows only: a rejected row's value may not cast."""
    return f"case when bad_check is null then {cast} end"


def _refused_clock_in() -> str:
    """A refused row's clock-in when it is itself a valid timestamp (another
    field was bad), else null: it dates the row for the pay periods whose
    attendance window holds it (``marts.payroll_runs.rows_quarantined``)."""
    column = "refused_clock_in"
    return (
        f"case when {column} is not null and not {_not_a_timestamp(column)} "
        f"then {column}::timestamptz end"
    )


# One statement lands the file: every row is trimmed and checked in one scan
# of incoming_text (``offset 0`` keeps each value and each check computed once
# per row instead of inlined into every use; a row whose values all pass their
# quick check is neither trimmed nor checked again), then sorted once, by event
# and newest first, which numbers each valid row's version within the file
# (the newest updated_at is 1; a tie: the later row). The ids are sorted
# bytewise ("C"): the same groups as the database's deterministic collation,
# in half the time. A rejected row has no updated_at, so it sorts after the
# valid rows of its event. Rejected rows, superseded versions and the upsert
# are data-modifying CTEs of the same statement: all of them see the table as
# it was before it, and nothing of the file is materialized but the sorted
# rows and the events compared with the table.
_RANKED = """
    as_read as (
        select source_row + 1 as source_row, {columns}, {quick}
        from incoming_text
        offset 0
    ),
    trimmed as (
        select source_row, {trimmed}, {all_quick} as quick
        from as_read
        offset 0
    ),
    checked as (
        select trimmed.*, case when quick then null else {first_failing_check} end as bad_check
        from trimmed
        offset 0
    ),
    ranked as (
        select
            source_row,
            bad_check,
            v_tenant_id as tenant_id,
            v_event_id as event_id,
            v_staff_id as staff_id,
            v_location_id as location_id,
            v_role as role,
            {clock_in} as clock_in,
            {clock_out} as clock_out,
            {break_minutes} as break_minutes,
            {updated_at} as updated_at,
            {cash_tips} as cash_tips,
            {card_tips} as card_tips,
            -- a refused row's clock-in text, to date it (null for valid rows)
            case when bad_check is not null then v_clock_in end as refused_clock_in,
            row_number() over (
                partition by v_event_id collate "C", v_tenant_id collate "C"
                order by {updated_at} desc nulls last, source_row desc
            ) as version
        from checked
    ),
    rejected as (
        insert into raw.rejected_rows (
            file_sha256, source_row, source_file, file_kind,
            tenant_id, record_id, staff_id, field, reason, clock_in
        )
        select
            %(sha)s, source_row, %(file)s, 'attendance',
            left(tenant_id, 128), left(event_id, 128), left(staff_id, 128),
            (%(fields)s::text[])[bad_check], (%(reasons)s::text[])[bad_check],
            {refused_clock_in}
        from ranked
        where bad_check is not null
        on conflict (file_sha256, source_row) do nothing
    )
"""

# Rows of the file that a newer row of the same event in the file replaces.
_SUPERSEDED_IN_FILE = """
        insert into raw.attendance_superseded (
            file_sha256, source_row, source_file, tenant_id, event_id, staff_id,
            clock_in, clock_out, updated_at, reason
        )
        select
            %(sha)s, source_row, %(file)s, tenant_id, event_id, staff_id,
            clock_in, clock_out, updated_at, 'superseded_in_file'
        from ranked
        where bad_check is null and version > 1
"""

# Against the table only a strictly newer updated_at replaces. Every valid row
# that does not become current lands in raw.attendance_superseded with its
# reason, and so does the row a correction replaces. Only rows that change
# something are written: the same file loaded again writes no row at all.
_INTO_TABLE = """
    compared as (
        select
            n.*,
            t.updated_at as loaded_updated_at,
            t.file_sha256 as loaded_sha,
            t.source_file as loaded_file,
            t.source_row as loaded_row,
            t.staff_id as loaded_staff_id,
            t.clock_in as loaded_clock_in,
            t.clock_out as loaded_clock_out
        from ranked as n
        left join raw.attendance as t
            on t.tenant_id = n.tenant_id and t.event_id = n.event_id
        where n.bad_check is null and n.version = 1
    ),
    superseded as (
{superseded_in_file}        union all
        select
            %(sha)s, source_row, %(file)s, tenant_id, event_id, staff_id,
            clock_in, clock_out, updated_at, 'older_than_loaded'
        from compared
        where updated_at <= loaded_updated_at
            and (loaded_sha, loaded_row) is distinct from (%(sha)s, source_row)
        union all
        select
            coalesce(loaded_sha, 'before-migration-0017:' || loaded_file),
            loaded_row, loaded_file, tenant_id, event_id, loaded_staff_id,
            loaded_clock_in, loaded_clock_out, loaded_updated_at, 'replaced_by_correction'
        from compared
        where updated_at > loaded_updated_at
        on conflict (file_sha256, source_row) do nothing
        returning reason
    ),
    upserted as (
        insert into raw.attendance as t (
            tenant_id, event_id, staff_id, location_id, role,
            clock_in, clock_out, break_minutes, updated_at, cash_tips, card_tips,
            source_file, source_row, file_sha256
        )
        select
            tenant_id, event_id, staff_id, location_id, role,
            clock_in, clock_out, break_minutes, updated_at, cash_tips, card_tips,
            %(file)s, source_row, %(sha)s
        from compared
        where loaded_updated_at is null or updated_at > loaded_updated_at
        on conflict (tenant_id, event_id) do update set
            staff_id = excluded.staff_id,
            location_id = excluded.location_id,
            role = excluded.role,
            clock_in = excluded.clock_in,
            clock_out = excluded.clock_out,
            break_minutes = excluded.break_minutes,
            updated_at = excluded.updated_at,
            cash_tips = excluded.cash_tips,
            card_tips = excluded.card_tips,
            source_file = excluded.source_file,
            source_row = excluded.source_row,
            file_sha256 = excluded.file_sha256,
            loaded_at = now()
        where excluded.updated_at > t.updated_at
        returning (xmax = 0) as inserted
    )
    select r.received, r.rejected, c.newest, u.inserted, u.replaced, s.ignored
    from
        (
            select count(*) as received, count(*) filter (where bad_check is not null) as rejected
            from ranked
        ) as r,
        (select count(*) as newest from compared) as c,
        (
            select
                count(*) filter (where inserted) as inserted,
                count(*) filter (where not inserted) as replaced
            from upserted
        ) as u,
        (
            select count(*) filter (where reason = 'older_than_loaded') as ignored
            from superseded
        ) as s
""".replace("{superseded_in_file}", _SUPERSEDED_IN_FILE)

# Into a table known to be empty (under the large load's lock): nothing to
# compare with, no conflict possible (the newest versions are one per event),
# so every newest version is inserted as it is.
_INTO_EMPTY_TABLE = """
    superseded as (
{superseded_in_file}        on conflict (file_sha256, source_row) do nothing
    ),
    inserted as (
        insert into raw.attendance (
            tenant_id, event_id, staff_id, location_id, role,
            clock_in, clock_out, break_minutes, updated_at, cash_tips, card_tips,
            source_file, source_row, file_sha256
        )
        select
            tenant_id, event_id, staff_id, location_id, role,
            clock_in, clock_out, break_minutes, updated_at, cash_tips, card_tips,
            %(file)s, source_row, %(sha)s
        from ranked
        where bad_check is null and version = 1
    )
    select received, rejected, newest, newest, 0, 0
    from (
        select
            count(*) as received,
            count(*) filter (where bad_check is not null) as rejected,
            count(*) filter (where bad_check is null and version = 1) as newest
        from ranked
    ) as r
""".replace("{superseded_in_file}", _SUPERSEDED_IN_FILE)


def _landing_statement(empty_table: bool) -> str:
    ranked = _RANKED.format(
        columns=", ".join(_COLUMNS),
        # the statement takes parameters: a literal % is written %%
        quick=_quick_columns().replace("%", "%%"),
        trimmed=_trimmed_columns(),
        all_quick=_all_quick(),
        first_failing_check=_first_failing_check().replace("%", "%%"),
        clock_in=_valid_only("v_clock_in::timestamptz"),
        clock_out=_valid_only("v_clock_out::timestamptz"),
        break_minutes=_valid_only("coalesce(v_break_minutes::integer, 0)"),
        updated_at=_valid_only("v_updated_at::timestamptz"),
        # absent or empty: 0, as for break_minutes
        **{c: _valid_only(f"coalesce(v_{c}::numeric(14, 2), 0)") for c in _TIP_COLUMNS},
        refused_clock_in=_refused_clock_in().replace("%", "%%"),
    )
    into = _INTO_EMPTY_TABLE if empty_table else _INTO_TABLE
    return f"with {ranked},{into}"


def _create_incoming_text(cur: psycopg2.extensions.cursor) -> None:
    text_columns = ", ".join(f"{c} text" for c in _COLUMNS)
    cur.execute(
        "create temp table incoming_text ("
        "source_row bigint generated always as identity, "
        f"{text_columns}) on commit drop"
    )


def load_attendance_file(
    conn: psycopg2.extensions.connection,
    kind: FileKind,
    path: Path,
    header: list[str],
) -> FileResult:
    with conn.cursor() as cur:
        # the sort of a million rows, and the compared events, fit in memory
        cur.execute(f"set local work_mem = '{_WORK_MEM}'")
        _create_incoming_text(cur)
        with open_hashed(path) as source:
            copied = _copy_file(cur, source, path, header)
            sha = source.sha256()
        with indexes_set_aside(cur, copied) as empty_table:
            cur.execute(
                _landing_statement(empty_table),
                {
                    "sha": sha,
                    "file": str(path),
                    "fields": [field for field, _, _ in _CHECKS],
                    "reasons": [f"{field}: {reason}" for field, _, reason in _CHECKS],
                },
            )
            received, rejected, newest, inserted, replaced, ignored = cur.fetchone()
    if ignored:
        _log.warning(
            "attendance_corrections_ignored",
            file=str(path),
            rows=ignored,
            reason="older_than_loaded",
        )
    return FileResult(
        file=str(path),
        kind=kind.name,
        file_sha256=sha,
        received=received,
        loaded=inserted,
        replaced=replaced,
        unchanged=newest - inserted - replaced,
        superseded=received - rejected - newest,
        rejected=rejected,
    )
