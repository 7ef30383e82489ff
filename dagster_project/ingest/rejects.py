"""``raw.rejected_rows``: every refused input row, with field and reason."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg2.extensions
from psycopg2.extras import execute_values

_ID_LIMIT = 128  # ids are stored to find the row again, never whole hostile values


@dataclass(frozen=True)
class Rejection:
    source_row: int
    tenant_id: str | None
    record_id: str | None
    staff_id: str | None
    field: str
    reason: str

    @classmethod
    def of(cls, source_row: int, cells: dict[str, str], field: str, reason: str) -> Rejection:
        record_id = cells.get("event_id") or cells.get("adjustment_id") or cells.get("location_id")
        return cls(
            source_row,
            _short(cells.get("tenant_id")),
            _short(record_id),
            _short(cells.get("staff_id")),
            field[:64],
            reason[:500],
        )


def _short(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:_ID_LIMIT] or None


def record_rejections(
    cur: psycopg2.extensions.cursor,
    rejections: list[Rejection],
    file_sha256: str,
    source_file: str,
    file_kind: str,
) -> None:
    """One statement; the same file loaded again adds nothing."""
    if not rejections:
        return
    execute_values(
        cur,
        """
        insert into raw.rejected_rows (
            file_sha256, source_row, source_file, file_kind,
            tenant_id, record_id, staff_id, field, reason
        ) values %s
        on conflict (file_sha256, source_row) do nothing
        """,
        [
            (
                file_sha256,
                r.source_row,
                source_file,
                file_kind,
                r.tenant_id,
                r.record_id,
                r.staff_id,
                r.field,
                r.reason,
            )
            for r in rejections
        ],
        page_size=len(rejections),
    )
