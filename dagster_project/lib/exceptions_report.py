"""Attendance exceptions of a pay period, for ``payroll exceptions`` and the
register's closing line. A punch belongs to the period holding the local
date of its clock-in; rows refused at ingest have no trustworthy date and
are counted per tenant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dagster_project.lib.database import transaction

_PERIOD_EXCEPTIONS = """
    select e.event_id, e.staff_id, e.reason_code, e.detail, e.source_file, e.source_row
    from marts.fct_attendance_exceptions as e
    inner join raw.attendance as a
        on a.tenant_id = e.tenant_id and a.event_id = e.event_id
    left join raw.locations as l
        on l.tenant_id = a.tenant_id and l.location_id = a.location_id
    inner join marts.dim_pay_periods as p
        on p.tenant_id = e.tenant_id and p.period_start = %(period)s
    where e.tenant_id = %(tenant)s
        and e.reason_code <> 'malformed_value'
        and (a.clock_in at time zone coalesce(l.timezone, 'UTC'))::date
            between p.period_start and p.period_end
    order by e.reason_code, e.source_file, e.source_row
"""
_REFUSED_AT_INGEST = """
    select count(*) from marts.fct_attendance_exceptions
    where tenant_id = %(tenant)s and reason_code = 'malformed_value'
"""


@dataclass(frozen=True)
class PeriodExceptions:
    rows: list[tuple]
    refused_at_ingest: int

    @property
    def count(self) -> int:
        return len(self.rows)


def period_exceptions(url: str, tenant_id: str, period_start: dt.date) -> PeriodExceptions:
    params = {"tenant": tenant_id, "period": period_start}
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(_PERIOD_EXCEPTIONS, params)
        rows = cur.fetchall()
        cur.execute(_REFUSED_AT_INGEST, params)
        refused = cur.fetchone()[0]
    return PeriodExceptions(rows, refused)


def render_exceptions(tenant_id: str, period_start: dt.date, found: PeriodExceptions) -> str:
    headers = ("reason_code", "event_id", "staff_id", "source", "detail")
    body = [
        (reason, event, staff or "", f"{file}:{row}", detail)
        for event, staff, reason, detail, file, row in found.rows
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *body, strict=True)]

    def line(values: tuple) -> str:
        return "  ".join(str(v).ljust(w) for v, w in zip(values, widths, strict=True))

    lines = [f"Attendance exceptions  tenant={tenant_id}  period starting {period_start}"]
    lines += [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in body)]
    lines.append(f"{found.count} exceptions in the period")
    lines.append(
        f"{found.refused_at_ingest} rows of {tenant_id} refused at ingest (malformed_value), "
        "listed in marts.fct_attendance_exceptions"
    )
    return "\n".join(lines)
