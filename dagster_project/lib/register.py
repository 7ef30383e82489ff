"""The pay register of a period, read from ``marts`` and rendered for people
(table) or programs (csv, json)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from dagster_project.lib.database import transaction
from dagster_project.lib.exceptions_report import period_exceptions
from dagster_project.lib.payroll_columns import HOUR_COLUMNS, MONEY_COLUMNS

REGISTER_COLUMNS = ("staff_id", "location_id", *HOUR_COLUMNS, *MONEY_COLUMNS)
# The table view: what an operator checks before payday.
_TABLE_COLUMNS = (
    ("staff_id", "staff"),
    ("location_id", "location"),
    ("hours_worked", "hours"),
    ("overtime_hours", "ot h"),
    ("card_tips_pay", "card tips"),
    ("cash_tips_reported", "cash tips"),
    ("minimum_wage_makeup_pay", "make-up"),
    ("premium_pay", "premiums"),
    ("gross_pay", "gross"),
    ("pre_tax_deductions", "pre-tax"),
    ("employee_taxes", "taxes"),
    ("post_tax_deductions", "post-tax"),
    ("net_pay", "net"),
)
_TOTALS = (
    "hours_worked",
    "overtime_hours",
    "card_tips_pay",
    "cash_tips_reported",
    "minimum_wage_makeup_pay",
    "premium_pay",
    "gross_pay",
    "pre_tax_deductions",
    "employee_taxes",
    "post_tax_deductions",
    "net_pay",
)


@dataclass(frozen=True)
class Register:
    tenant_id: str
    period_start: dt.date
    period_end: dt.date | None
    pay_date: dt.date | None
    rows: list[dict[str, object]]
    exceptions: int

    def totals(self) -> dict[str, Decimal]:
        return {
            column: sum((Decimal(row[column]) for row in self.rows), Decimal(0))
            for column in _TOTALS
        }


def load_register(url: str, tenant_id: str, period_start: dt.date) -> Register:
    columns = ", ".join(REGISTER_COLUMNS)
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            f"select {columns}, period_end, pay_date from marts.fct_payroll "
            "where tenant_id = %s and period_start = %s order by location_id, staff_id",
            (tenant_id, period_start),
        )
        fetched = cur.fetchall()
    exceptions = period_exceptions(url, tenant_id, period_start).count
    # pre-tax deductions and employee taxes are the mart's own columns
    rows = [dict(zip(REGISTER_COLUMNS, values, strict=False)) for values in fetched]
    period_end = fetched[0][len(REGISTER_COLUMNS)] if fetched else None
    pay_date = fetched[0][len(REGISTER_COLUMNS) + 1] if fetched else None
    return Register(tenant_id, period_start, period_end, pay_date, rows, exceptions)


def render_table(register: Register) -> str:
    headers = [label for _, label in _TABLE_COLUMNS]
    body = [[_cell(row[key]) for key, _ in _TABLE_COLUMNS] for row in register.rows]
    totals = register.totals()
    footer = [
        "TOTAL",
        f"{len(register.rows)} staff",
        *[_cell(totals[key]) if key in totals else "" for key, _ in _TABLE_COLUMNS[2:]],
    ]
    widths = [
        max(len(str(c)) for c in column) for column in zip(headers, *body, footer, strict=True)
    ]

    def line(cells: list[str]) -> str:
        first, second, *numbers = cells
        parts = [first.ljust(widths[0]), second.ljust(widths[1])]
        parts += [c.rjust(w) for c, w in zip(numbers, widths[2:], strict=True)]
        return "  ".join(parts)

    rule = "  ".join("-" * w for w in widths)
    title = (
        f"Pay register  tenant={register.tenant_id}  period={register.period_start}"
        f"..{register.period_end}  pay date={register.pay_date}"
    )
    lines = [title, line(headers), rule, *(line(r) for r in body), rule, line(footer)]
    lines.append(
        f"attendance exceptions in the period: {register.exceptions} "
        f"(payroll exceptions --period {register.period_start})"
    )
    return "\n".join(lines)


def render_csv(register: Register) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["tenant_id", "period_start", *REGISTER_COLUMNS])
    for row in register.rows:
        cells = [register.tenant_id, register.period_start, *(row[c] for c in REGISTER_COLUMNS)]
        writer.writerow([_csv_text(cell) for cell in cells])
    return out.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: object) -> object:
    """Text a spreadsheet would run as a formula (``=cmd|' /C calc'!A0``) gets a
    leading quote (OWASP CSV injection); numbers, negative ones too, stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def render_json(register: Register) -> str:
    payload = {
        "tenant_id": register.tenant_id,
        "period_start": register.period_start.isoformat(),
        "period_end": register.period_end.isoformat() if register.period_end else None,
        "pay_date": register.pay_date.isoformat() if register.pay_date else None,
        "attendance_exceptions": register.exceptions,
        "rows": [{c: _json_value(row[c]) for c in REGISTER_COLUMNS} for row in register.rows],
        "totals": {k: str(v) for k, v in register.totals().items()},
    }
    return json.dumps(payload, indent=2)


def _cell(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _json_value(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value
