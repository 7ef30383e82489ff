"""``payroll ach``: the period's net pay as a NACHA file, from
``marts.fct_payroll`` (net pay), ``private.bank_accounts`` (the account in
effect on the pay date) and ``raw.ach_settings`` (the originator). Staff with
no net pay or no account are paid by check: listed, never in the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from dagster_project.lib.database import transaction
from dagster_project.payday.accounts import accounts_in_effect
from dagster_project.payday.errors import PaydayInputError
from dagster_project.payday.nacha import AchBatch, AchCredit, AchSettings, Source, build_file
from dagster_project.payday.private_files import make_private_dirs, write_private_file

SETTINGS_FILE = "ach_settings.csv"


@dataclass(frozen=True)
class DirectDeposit:
    batch: AchBatch
    # staff paid by check: (staff_id, why)
    paper_checks: tuple[tuple[str, str], ...]

    @property
    def total(self) -> Decimal:
        return Decimal(sum(c.amount_cents for c in self.batch.credits)) / 100


def load_direct_deposit(url: str, tenant_id: str, period_start: dt.date) -> DirectDeposit | None:
    """The tenant's batch for the period; None when the period has no register."""
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select p.staff_id, p.net_pay, p.pay_date, s.full_name, s.source_file, s.source_row
            from marts.fct_payroll as p
            inner join raw.staff as s
                on p.tenant_id = s.tenant_id and p.staff_id = s.staff_id
            where p.tenant_id = %s and p.period_start = %s
            order by p.staff_id
            """,
            (tenant_id, period_start),
        )
        rows = cur.fetchall()
        if not rows:
            return None
        pay_date = rows[0][2]
        settings = _settings(cur, tenant_id)
        accounts = accounts_in_effect(cur, tenant_id, pay_date)
    credits, paper_checks = [], []
    for staff_id, net_pay, _, name, staff_file, staff_row in rows:
        account = accounts.get(staff_id)
        if net_pay <= 0:
            paper_checks.append((staff_id, f"net pay {net_pay}"))
        elif account is None:
            paper_checks.append((staff_id, f"no bank account in effect on {pay_date}"))
        else:
            credits.append(
                AchCredit(
                    staff_id=staff_id,
                    name=name,
                    routing_number=account.routing_number,
                    account_number=account.account_number,
                    account_type=account.account_type,
                    amount_cents=int(net_pay * 100),
                    name_source=Source(Path(staff_file).name, staff_row),
                    account_source=account.source,
                )
            )
    batch = AchBatch(settings=settings, effective_date=pay_date, credits=tuple(credits))
    return DirectDeposit(batch, tuple(paper_checks))


def _settings(cur, tenant_id: str) -> AchSettings:
    cur.execute(
        """
        select odfi_routing_number, immediate_origin, immediate_origin_name,
            immediate_destination_name, company_id, company_name, source_file, source_row
        from raw.ach_settings where tenant_id = %s
        """,
        (tenant_id,),
    )
    found = cur.fetchone()
    if found is None:
        raise PaydayInputError(
            SETTINGS_FILE,
            None,
            "tenant_id",
            f"no row for tenant {tenant_id}: load {SETTINGS_FILE} (the direct-deposit "
            "originator) with `payroll ingest` first",
        )
    *values, source_file, source_row = found
    return AchSettings(tenant_id, *values, source=Source(Path(source_file).name, source_row))


def write_bank_file(deposit: DirectDeposit, out: Path, created_at: dt.datetime) -> None:
    """Validate, then write owner-only. A bad value raises before anything is written."""
    text = build_file([deposit.batch], created_at)
    make_private_dirs(out.parent)
    write_private_file(out, text.encode("ascii"))
