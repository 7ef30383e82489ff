"""The bank account each staff member is paid into on a pay date: the latest
of ``private.bank_accounts`` in effect then. Personal data: read only here,
shown masked everywhere but the bank file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import psycopg2.extensions

from dagster_project.payday.nacha import Source


@dataclass(frozen=True)
class BankAccount:
    routing_number: str
    account_number: str
    account_type: str
    source: Source

    @property
    def masked(self) -> str:
        return f"{self.account_type.capitalize()} ••••{self.account_number[-4:]}"


def accounts_in_effect(
    cur: psycopg2.extensions.cursor, tenant_id: str, on: dt.date
) -> dict[str, BankAccount]:
    """By staff id: the account of the latest ``effective_from`` on or before ``on``."""
    cur.execute(
        """
        select distinct on (staff_id)
            staff_id, routing_number, account_number, account_type, source_file, source_row
        from private.bank_accounts
        where tenant_id = %s and effective_from <= %s
        order by staff_id, effective_from desc
        """,
        (tenant_id, on),
    )
    return {
        staff_id: BankAccount(routing, account, kind, Source(Path(file).name, row))
        for staff_id, routing, account, kind, file, row in cur.fetchall()
    }
