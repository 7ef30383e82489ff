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
# {scope} keeps the attendance counted, by tenant and clock_in: every row,
# or the window a pay-period run classifies.
_BY_TENANT = """
    with scopes as ({scopes}),
    counts as (
        select
            w.tenant_id,
            w.from_at,
            w.to_at,
            (
                select count(*) from raw.attendance as a
                where a.tenant_id = w.tenant_id and a.clock_in >= w.from_at
                    and a.clock_in < w.to_at
            ) as current_rows,
            (
                select count(*) from raw.attendance_superseded as s
                where s.tenant_id = w.tenant_id and s.clock_in >= w.from_at
                    and s.clock_in < w.to_at
            ) as superseded,
            (
                select count(*) from raw.rejected_rows as r
                where r.tenant_id = w.tenant_id and r.file_kind = 'attendance'
            ) as refused,
            (
                select count(*) from {exceptions} as e
                where e.tenant_id = w.tenant_id and (
                    e.reason_code = 'malformed_value'
                    or (e.clock_in_at >= w.from_at and e.clock_in_at < w.to_at)
                )
            ) as exceptions,
            (
                select count(*) from intermediate.{classified} as c
                where c.tenant_id = w.tenant_id and c.clock_in_at >= w.from_at
                    and c.clock_in_at < w.to_at and c.reason_code is null
            ) as used
        from scopes as w
    )
    select tenant_id, from_at, to_at, current_rows + superseded + refused, used, superseded,
        exceptions
    from counts
    order by tenant_id
"""

_EVERY_ROW = """
    select tenant_id, '-infinity'::timestamptz as from_at, 'infinity'::timestamptz as to_at
    from raw.tenants
"""

# The attendance a pay-period run classifies (in_selected_attendance_window,
# dbt_project/macros/build_selection.sql): per tenant of the periods
# computed, their clock-in window as dim_pay_periods defines it.
_RUN_WINDOW = """
    select
        tenant_id,
        min(attendance_from) as from_at,
        max(attendance_to) as to_at
    from intermediate.int_pay_periods_computed
    group by tenant_id
"""


@dataclass(frozen=True)
class Conservation:
    files: int
    rows_received: int
    files_with_rows_missing: int
    files_with_rows_counted_twice: int
    by_tenant: dict[str, dict[str, int]]
    # per tenant, the clock-in window counted (None: every row)
    windows: dict[str, tuple[str, str]] | None = None

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


def check_conservation(
    url: str, exceptions_schema: str = "marts", *, run_window: bool = False
) -> Conservation:
    """Against the exceptions of ``exceptions_schema``: a run's audited copy
    before it is published, or the published ``marts``. Per file always over
    every row; per tenant over every row, or (``run_window``) over the
    attendance the last pay-period build classified, so that a run's check
    costs what its period costs, not what the history costs."""
    exceptions = sql.Identifier(exceptions_schema, "fct_attendance_exceptions")
    scopes = sql.SQL(_RUN_WINDOW if run_window else _EVERY_ROW)
    # the run's window was classified once, into a table; every row, by the view
    classified = sql.Identifier(
        "int_attendance_events_in_window" if run_window else "int_attendance_events_classified"
    )
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(_FILES_NOT_CONSERVED)
        missing, doubled, files, received = cur.fetchone()
        cur.execute(
            sql.SQL(_BY_TENANT).format(exceptions=exceptions, scopes=scopes, classified=classified)
        )
        rows = cur.fetchall()
    by_tenant = {
        tenant: {"received": received_rows, "used": used, "superseded": superseded,
                 "exceptions": exceptions}
        for tenant, _, _, received_rows, used, superseded, exceptions in rows
    }  # fmt: skip
    windows = (
        {tenant: (f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}") for tenant, start, end,
         *_ in rows}
        if run_window
        else None
    )  # fmt: skip
    return Conservation(files, int(received), missing, doubled, by_tenant, windows)
