"""Blocking Great Expectations suite on ``marts.fct_payroll``: a failure fails
the run, so a period whose numbers do not add up is never reported as done."""

import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.payroll_suite import validate_payroll_table

FCT_PAYROLL = dg.AssetKey(["marts", "fct_payroll"])


@dg.asset_check(
    asset=FCT_PAYROLL,
    name="gx_payroll_suite",
    blocking=True,
    description=(
        "Great Expectations, in the warehouse: gross and net identities, no negative "
        "amounts, one row per staff and period, net ≤ gross, taxes ≤ gross, "
        "hours ≤ 24 × days."
    ),
)
def gx_payroll_suite(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    outcome = validate_payroll_table(warehouse.url())
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "expectations": len(outcome.outcomes),
            "failed_expectations": ", ".join(outcome.failed) or "none",
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[gx_payroll_suite])
