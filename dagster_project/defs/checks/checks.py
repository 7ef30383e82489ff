"""Blocking Great Expectations suite on ``marts.fct_payroll``: a failure fails
the run, so a period whose numbers do not add up is never reported as done."""

import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from dagster_project.lib.conservation import check_conservation
from dagster_project.lib.payroll_suite import validate_payroll_table

FCT_PAYROLL = dg.AssetKey(["marts", "fct_payroll"])
FCT_ATTENDANCE_EXCEPTIONS = dg.AssetKey(["marts", "fct_attendance_exceptions"])


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


@dg.asset_check(
    asset=FCT_ATTENDANCE_EXCEPTIONS,
    name="attendance_conservation",
    blocking=True,
    description=(
        "Every attendance row received is used, superseded or an exception — exactly "
        "once: per delivered file (by content hash and row) and per tenant "
        "(received = used + superseded + exceptions)."
    ),
)
def attendance_conservation(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    result = check_conservation(warehouse.url())
    metadata: dict[str, object] = {
        "files": result.files,
        "rows_received": result.rows_received,
        "files_with_rows_missing": result.files_with_rows_missing,
        "files_with_rows_counted_twice": result.files_with_rows_counted_twice,
        "unbalanced_tenants": ", ".join(result.unbalanced_tenants) or "none",
    }
    for tenant, counts in result.by_tenant.items():
        metadata[f"{tenant} received/used/superseded/exceptions"] = "/".join(
            str(counts[k]) for k in ("received", "used", "superseded", "exceptions")
        )
    return dg.AssetCheckResult(
        passed=result.holds, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[gx_payroll_suite, attendance_conservation])
