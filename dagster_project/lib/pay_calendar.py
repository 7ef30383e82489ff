"""When the pay calendar needs rebuilding, and its clock.

``marts.dim_pay_periods`` holds every period through the one containing each
tenant's local today, so it changes when its inputs do: the tenants and
their locations, the range of the data (punches, bonuses, hire dates), the
reference and calendar models, or a tenant's local date. A fingerprint of
exactly those is kept in ``control.pay_calendar``; a run rebuilds the
calendar only when the fingerprint moved, not on every ``run`` or ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path

import psycopg2.extensions

# views the calendar run builds besides staging: the attendance checks every
# pay-period run reads through its window (dagster_project/defs/dbt/args.py),
# and the semantic layer's day spine
CALENDAR_VIEWS = (
    "int_attendance_events_checked int_attendance_events_classified metricflow_time_spine"
)
MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"

# Cheap on any history: per-tenant first/last clock-in through the
# (tenant_id, clock_in) index; everything else is small. Any file with new
# content is a new hash in raw.ingested_files, so a changed clock-out is
# seen too; the same file delivered again changes nothing.
_DATA_FINGERPRINT = """
    with clock as (select coalesce(%(as_of)s::timestamptz, now()) as as_of)
    select md5(concat_ws('|',
        (select string_agg(concat_ws(':', t.tenant_id, t.pay_frequency, t.period_anchor,
                t.workweek_start, t.pay_date_lag_days), ',' order by t.tenant_id)
         from raw.tenants as t),
        (select string_agg(concat_ws(':', l.tenant_id, l.location_id, l.timezone), ','
                order by l.tenant_id, l.location_id)
         from raw.locations as l),
        (select md5(string_agg(distinct file_sha256, ',' order by file_sha256))
         from raw.ingested_files),
        (select string_agg(concat_ws(':', t.tenant_id,
                (select min(a.clock_in) from raw.attendance as a where a.tenant_id = t.tenant_id),
                (select max(a.clock_in) from raw.attendance as a where a.tenant_id = t.tenant_id)),
                ',' order by t.tenant_id)
         from raw.tenants as t),
        (select string_agg(concat_ws(':', tenant_id, first_hire, staff), ',' order by tenant_id)
         from (select tenant_id, min(hired_on) as first_hire, count(*) as staff
               from raw.staff group by tenant_id) as s),
        (select string_agg(concat_ws(':', tenant_id, first_day, last_day), ',' order by tenant_id)
         from (select tenant_id, min(work_date) as first_day, max(work_date) as last_day
               from raw.adjustments group by tenant_id) as b),
        (select string_agg(concat_ws(':', t.tenant_id, coalesce(
                (select min((clock.as_of at time zone l.timezone)::date)
                 from raw.locations as l where l.tenant_id = t.tenant_id),
                (clock.as_of at time zone 'UTC')::date)), ',' order by t.tenant_id)
         from raw.tenants as t, clock)
    ))
"""

_START_BUILD = """
    insert into control.pay_calendar (only_row, as_of, building_fingerprint, building_run_id)
    values (true, %(as_of)s, %(fingerprint)s, %(run_id)s)
    on conflict (only_row) do update set
        as_of = excluded.as_of,
        building_fingerprint = excluded.building_fingerprint,
        building_run_id = excluded.building_run_id
"""

_PUBLISHED = """
    update control.pay_calendar
    set inputs_fingerprint = building_fingerprint, published_run_id = building_run_id,
        published_at = now()
    where building_run_id = %(run_id)s
"""


@lru_cache(maxsize=4)
def _code_version(manifest_path: str, mtime: float) -> str:
    """The code of what the calendar run builds (CALENDAR_SELECT): its seeds,
    views and models, and the project's macros they may call."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    built = {"dim_pay_periods", *CALENDAR_VIEWS.split()}
    parts = sorted(
        f"{unique_id}={node['checksum']['checksum']}"
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "seed"
        or node.get("original_file_path", "").startswith("models/staging")
        or node.get("name") in built
    )
    macros = sorted(
        f"{unique_id}={hashlib.sha256(macro['macro_sql'].encode()).hexdigest()}"
        for unique_id, macro in manifest["macros"].items()
        if macro.get("package_name") == "payroll"
    )
    return hashlib.sha256("\n".join(parts + macros).encode()).hexdigest()


def code_version(manifest_path: Path = MANIFEST) -> str:
    return _code_version(str(manifest_path), manifest_path.stat().st_mtime)


def parse_as_of(value: str | None) -> dt.datetime | None:
    """An ISO 8601 instant with offset (or a date: its midnight UTC)."""
    if value is None or value == "":
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as_of {value[:64]!r} is not an ISO 8601 date or instant") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def fingerprint(conn: psycopg2.extensions.connection, as_of: dt.datetime | None) -> str:
    with conn.cursor() as cur:
        cur.execute(_DATA_FINGERPRINT, {"as_of": as_of})
        (data,) = cur.fetchone()
    return hashlib.sha256(f"{code_version()}|{data}".encode()).hexdigest()


def start_calendar_build(
    conn: psycopg2.extensions.connection, run_id: str, as_of: str | None
) -> None:
    """Before the build: its clock (None: the build's now) and the
    fingerprint of the inputs it is about to read."""
    instant = parse_as_of(as_of)
    with conn.cursor() as cur:
        cur.execute(
            _START_BUILD,
            {"as_of": instant, "fingerprint": fingerprint(conn, instant), "run_id": run_id},
        )


def calendar_published(conn: psycopg2.extensions.connection, run_id: str) -> None:
    """In the publish transaction: the calendar in ``marts`` is the one built
    from the fingerprint run ``run_id`` noted."""
    with conn.cursor() as cur:
        cur.execute(_PUBLISHED, {"run_id": run_id})


def calendar_is_current(conn: psycopg2.extensions.connection, as_of: str | None) -> bool:
    """True when the calendar was built from exactly today's inputs, as of
    ``as_of`` (None: now)."""
    with conn.cursor() as cur:
        cur.execute("select to_regclass('marts.dim_pay_periods') is not null")
        if not cur.fetchone()[0]:
            return False
        cur.execute("select as_of, inputs_fingerprint from control.pay_calendar")
        row = cur.fetchone()
    if row is None or row[1] is None:
        return False
    return row[1] == fingerprint(conn, parse_as_of(as_of))
