"""Nothing received is lost: every attendance row of every delivered file is
current (paid or an exception), superseded, or refused at ingest — exactly
once, by (file content hash, row number)."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg2 import sql

from dagster_project.lib.database import transaction

_ACCOUNTED_ROWS = """
    select file_sha256, source_row from raw.attendance
    union all
    select file_sha256, source_row from raw.attendance_superseded
    union all
    select file_sha256, source_row from raw.rejected_rows where file_kind = 'attendance'
"""

_FILES_NOT_CONSERVED = f"""
    with received as (
        select distinct on (file_sha256) file_sha256, rows_received
        from raw.ingested_files
        where file_kind = 'attendance'
        order by file_sha256, ingested_at
    ),
    accounted as (
        select
            file_sha256,
            count(*) as rows_accounted,
            count(distinct source_row) as distinct_rows
        from ({_ACCOUNTED_ROWS}) as rows
        group by file_sha256
    )
    select
        count(*) filter (where coalesce(a.rows_accounted, 0) <> r.rows_received),
        count(*) filter (where coalesce(a.rows_accounted, 0) <> coalesce(a.distinct_rows, 0)),
        count(*),
        coalesce(sum(r.rows_received), 0)
    from received as r
    left join accounted as a using (file_sha256)
"""

# received = used + superseded + exceptions, per tenant, from the marts'
# point of view: a row the mart neither pays nor lists would break it.
_BY_TENANT = """
    with counts as (
        select
            t.tenant_id,
            (select count(*) from raw.attendance as a where a.tenant_id = t.tenant_id)
                as current_rows,
            (
                select count(*) from raw.attendance_superseded as s
                where s.tenant_id = t.tenant_id
            ) as superseded,
            (
                select count(*) from raw.rejected_rows as r
                where r.tenant_id = t.tenant_id and r.file_kind = 'attendance'
            ) as refused,
            (
                select count(*) from {exceptions} as e
                where e.tenant_id = t.tenant_id
            ) as exceptions,
            (
                select count(*) from intermediate.int_attendance_events_classified as c
                where c.tenant_id = t.tenant_id and c.reason_code is null
            ) as used
        from raw.tenants as t
    )
    select tenant_id, current_rows + superseded + refused, used, superseded, exceptions
    from counts
    order by tenant_id
"""


@dataclass(frozen=True)
class Conservation:
    files: int
    rows_received: int
    files_with_rows_missing: int
    files_with_rows_counted_twice: int
    by_tenant: dict[str, dict[str, int]]

    @property
    def unbalanced_tenants(self) -> list[str]:
        return [
            tenant
            for tenant, n in self.by_tenant.items()
            if n["received"] != n["used"] + n["superseded"] + n["exceptions"]
        ]

    @property
    def holds(self) -> bool:
        return (
            self.files_with_rows_missing == 0
            and self.files_with_rows_counted_twice == 0
            and not self.unbalanced_tenants
        )


def check_conservation(url: str, exceptions_schema: str = "marts") -> Conservation:
    """Against the exceptions of ``exceptions_schema``: a run's audited copy
    before it is published, or the published ``marts``."""
    exceptions = sql.Identifier(exceptions_schema, "fct_attendance_exceptions")
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(_FILES_NOT_CONSERVED)
        missing, doubled, files, received = cur.fetchone()
        cur.execute(sql.SQL(_BY_TENANT).format(exceptions=exceptions))
        by_tenant = {
            tenant: {
                "received": received_rows,
                "used": used,
                "superseded": superseded,
                "exceptions": exceptions,
            }
            for tenant, received_rows, used, superseded, exceptions in cur.fetchall()
        }
    return Conservation(files, int(received), missing, doubled, by_tenant)
