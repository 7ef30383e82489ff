"""``payroll stubs``: the period's earnings statements, from
``marts.fct_pay_stub_lines``, the employer's details (tenants.csv) and the
account each staff member is paid into (masked)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster_project.lib.database import transaction
from dagster_project.payday.accounts import accounts_in_effect
from dagster_project.payday.errors import PaydayInputError
from dagster_project.payday.statements import Statement, StatementLine

# the statement's order; lines of a kind keep the order below
LINE_ORDER = (
    "hours",
    "earning",
    "adjustment",
    "gross",
    "tips_received",
    "deduction",
    "tax",
    "net",
)
# within a kind: regular pay first (by role), then these lines in this order
DESCRIPTION_ORDER = (
    "Total hours worked",
    "Overtime hours (1.5×)",
    "Double-time hours (2×)",
    "Salary",
    "Overtime premium (overtime and double time)",
    "Minimum-wage make-up",
    "Meal-period premium",
    "Split-shift premium",
    "Spread-of-hours premium",
    "Card tips (paid with wages)",
    "Cash tips (reported)",
    "Bonus",
    "Discretionary bonus",
    "401(k)",
    "Section 125 (cafeteria plan)",
    "Post-tax deductions",
    "Federal income tax",
    "Social Security",
    "Medicare",
    "State income tax",
    "State disability insurance",
)
EMPLOYER_COLUMNS = ("legal_name", "address", "ein")


def load_statements(url: str, tenant_id: str, period_start: dt.date) -> list[Statement]:
    """One statement per staff member paid in the period; [] when the period
    has no published statement lines."""
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select
                lines.staff_id, lines.line_kind, lines.description,
                lines.hours, lines.rate, lines.amount, lines.ytd_amount
            from marts.fct_pay_stub_lines as lines
            where lines.tenant_id = %s and lines.period_start = %s
            order by
                lines.staff_id,
                array_position(%s::text[], lines.line_kind),
                coalesce(array_position(%s::text[], lines.description), 0),
                lines.description,
                lines.rate
            """,
            (tenant_id, period_start, list(LINE_ORDER), list(DESCRIPTION_ORDER)),
        )
        lines_by_staff: dict[str, list[StatementLine]] = {}
        for staff_id, kind, description, hours, rate, amount, ytd in cur.fetchall():
            lines_by_staff.setdefault(staff_id, []).append(
                StatementLine(kind, description, hours, rate, amount, ytd)
            )
        if not lines_by_staff:
            return []
        employer = _employer(cur, tenant_id)
        cur.execute(
            "select period_end, pay_date from marts.fct_payroll "
            "where tenant_id = %s and period_start = %s limit 1",
            (tenant_id, period_start),
        )
        period_end, pay_date = cur.fetchone()
        cur.execute("select staff_id, full_name from raw.staff where tenant_id = %s", (tenant_id,))
        names = dict(cur.fetchall())
        accounts = accounts_in_effect(cur, tenant_id, pay_date)
    return [
        Statement(
            tenant_id=tenant_id,
            employer_legal_name=employer["legal_name"],
            employer_address=employer["address"],
            employer_ein=employer["ein"],
            staff_id=staff_id,
            staff_name=names.get(staff_id, staff_id),
            period_start=period_start,
            period_end=period_end,
            pay_date=pay_date,
            lines=tuple(lines),
            deposit_account=accounts[staff_id].masked if staff_id in accounts else None,
        )
        for staff_id, lines in lines_by_staff.items()
    ]


def _employer(cur, tenant_id: str) -> dict[str, str]:
    cur.execute(
        "select legal_name, address, ein, source_file, source_row from raw.tenants "
        "where tenant_id = %s",
        (tenant_id,),
    )
    legal_name, address, ein, source_file, source_row = cur.fetchone()
    employer = {"legal_name": legal_name, "address": address, "ein": ein}
    for column in EMPLOYER_COLUMNS:
        if not employer[column]:
            raise PaydayInputError(
                Path(source_file).name,
                source_row,
                column,
                f"tenant {tenant_id} has no {column}: an earnings statement names the "
                "employer (legal_name, address, ein in tenants.csv)",
            )
    return employer
