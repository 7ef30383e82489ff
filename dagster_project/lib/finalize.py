"""Pay period life cycle: open → computed → finalized. A finalized period's
published rows never change: the models skip it, and the CLI and the Dagster
asset refuse to recompute it."""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.core.periods import PayPeriodKey
from dagster_project.lib.database import transaction

_LATEST_RUN = """
    select run_id, status, check_results
    from marts.payroll_runs
    where tenant_id = %s and period_start = %s
    order by ended_at desc nulls last, recorded_at desc
    limit 1
"""


@dataclass(frozen=True)
class FinalizeOutcome:
    finalized: bool
    message: str


def is_finalized(url: str, period: PayPeriodKey) -> bool:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select 1 from control.pay_period_finalizations "
            "where tenant_id = %s and period_start = %s",
            (period.tenant_id, period.period_start),
        )
        return cur.fetchone() is not None


def finalize_period(url: str, period: PayPeriodKey) -> FinalizeOutcome:
    """Lock a computed period whose latest run succeeded with every check passed."""
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select run_id from control.pay_period_finalizations "
            "where tenant_id = %s and period_start = %s",
            (period.tenant_id, period.period_start),
        )
        already = cur.fetchone()
        if already:
            return FinalizeOutcome(True, f"already finalized (run {already[0]})")
        cur.execute(_LATEST_RUN, (period.tenant_id, period.period_start))
        latest = cur.fetchone()
        if latest is None:
            return FinalizeOutcome(False, "not computed yet: run it first")
        run_id, status, checks = latest
        failed = sorted(name for name, passed in checks.items() if not passed)
        if status != "SUCCESS" or failed:
            detail = f"failed checks: {', '.join(failed)}" if failed else f"status {status}"
            return FinalizeOutcome(False, f"latest run {run_id} did not pass ({detail})")
        cur.execute(
            "insert into control.pay_period_finalizations (tenant_id, period_start, run_id) "
            "values (%s, %s, %s)",
            (period.tenant_id, period.period_start, run_id),
        )
    return FinalizeOutcome(True, f"finalized (run {run_id})")
