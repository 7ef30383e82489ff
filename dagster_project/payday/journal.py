"""``payroll gl``: the period's journal entry per location, from
``marts.fct_gl_journal``, as CSV or JSON, with each location's totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from dagster_project.lib.database import transaction

JOURNAL_COLUMNS = ("location_id", "line", "account", "debit", "credit")


@dataclass(frozen=True)
class Journal:
    tenant_id: str
    period_start: dt.date
    rows: list[dict[str, object]]

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """(debits, credits) by location."""
        totals: dict[str, tuple[Decimal, Decimal]] = {}
        for row in self.rows:
            debit, credit = totals.get(row["location_id"], (Decimal(0), Decimal(0)))
            totals[row["location_id"]] = (debit + row["debit"], credit + row["credit"])
        return totals

    @property
    def is_balanced(self) -> bool:
        return all(debit == credit for debit, credit in self.totals().values())


def load_journal(url: str, tenant_id: str, period_start: dt.date) -> Journal:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select j.location_id, j.line, j.account, j.debit, j.credit
            from marts.fct_gl_journal as j
            inner join reference.gl_account_defaults as d on j.line = d.line
            where j.tenant_id = %s and j.period_start = %s
            order by j.location_id, d.side desc, j.line
            """,
            (tenant_id, period_start),
        )
        rows = [dict(zip(JOURNAL_COLUMNS, values, strict=True)) for values in cur.fetchall()]
    return Journal(tenant_id, period_start, rows)


def render_csv(journal: Journal) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["tenant_id", "period_start", *JOURNAL_COLUMNS])
    for row in journal.rows:
        writer.writerow(
            [journal.tenant_id, journal.period_start, *(row[c] for c in JOURNAL_COLUMNS)]
        )
    return out.getvalue()


def render_json(journal: Journal) -> str:
    payload = {
        "tenant_id": journal.tenant_id,
        "period_start": journal.period_start.isoformat(),
        "lines": [{c: _json_value(row[c]) for c in JOURNAL_COLUMNS} for row in journal.rows],
        "totals": {
            location: {"debit": str(debit), "credit": str(credit)}
            for location, (debit, credit) in journal.totals().items()
        },
        "balanced": journal.is_balanced,
    }
    return json.dumps(payload, indent=2)


def _json_value(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value
