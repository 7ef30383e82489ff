"""The audit of write-audit-publish: blocking checks on what a run built.

Each check validates the run's audited copy (schema ``wap_<run id>``) of a
mart — the exact rows the publish step will copy into ``marts`` — so a
failure stops the run before analysts see a number: the Great Expectations
suite of every published mart, and the conservation of attendance rows.
Failures name the expectation, column and row count, never a value.
"""

from collections.abc import Iterator, Sequence

import dagster as dg

from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource
from dagster_project.lib.conservation import Conservation, check_conservation
from dagster_project.lib.gx_suites import SuiteOutcome, failing_periods, validate_tables
from dagster_project.lib.instance import WAREHOUSE_POOL
from dagster_project.lib.publish import (
    BUILD_SCHEMA,
    CALENDAR_MARTS,
    PAY_PERIOD_MARTS,
    Mart,
    run_schema,
)

GX_CHECK = "gx_suite"
CONSERVATION_CHECK = "attendance_conservation"
EXCEPTIONS_MART = "fct_attendance_exceptions"


def _build_key(mart: str) -> dg.AssetKey:
    return dg.AssetKey([BUILD_SCHEMA, mart])


def _suite_spec(mart: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        GX_CHECK,
        asset=_build_key(mart),
        blocking=True,
        description=(
            f"Great Expectations suite `{mart}` (dagster_project/gx/expectations/{mart}.json) "
            "on the run's audited copy, before it is published to marts."
        ),
    )


def _suite_result(
    mart: str, outcome: SuiteOutcome, failed_periods: Sequence[str] = ()
) -> dg.AssetCheckResult:
    description = None
    if not outcome.success:
        description = outcome.failure_summary()
        if failed_periods:
            description = f"{description} — in {', '.join(failed_periods)}"
    return dg.AssetCheckResult(
        asset_key=_build_key(mart),
        check_name=GX_CHECK,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "suite": outcome.suite,
            "rows": outcome.rows,
            "expectations": len(outcome.outcomes),
            "failed_expectations": ", ".join(outcome.failed) or "none",
            **{f"{period} rows": rows for period, rows in outcome.rows_by_period.items()},
            "failed_periods": ", ".join(failed_periods) or "none",
        },
    )


def _validate(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
    marts: Sequence[Mart],
) -> dict[str, SuiteOutcome]:
    return validate_tables(
        warehouse.url(),
        run_schema(context.run.run_id),
        {mart.name: mart.period_column for mart in marts},
        gx_home=payroll_settings.home_dir,
        run_name=context.run.run_id,
    )


@dg.multi_asset_check(
    name="pay_period_audit",
    specs=[
        *[_suite_spec(mart.name) for mart in PAY_PERIOD_MARTS],
        dg.AssetCheckSpec(
            CONSERVATION_CHECK,
            asset=_build_key(EXCEPTIONS_MART),
            blocking=True,
            description=(
                "Every attendance row received is used, superseded or an exception — exactly "
                "once: per delivered file (by content hash and row) and per tenant over the "
                "attendance the run classified (received = used + superseded + exceptions)."
            ),
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def pay_period_audit(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> Iterator[dg.AssetCheckResult]:
    with warehouse.exclusive_writer():
        outcomes = _validate(context, warehouse, payroll_settings, PAY_PERIOD_MARTS)
        conservation = check_conservation(
            warehouse.url(), run_schema(context.run.run_id), run_window=True
        )
        failed_periods = {
            mart.name: failing_periods(
                warehouse.url(),
                run_schema(context.run.run_id),
                mart.name,
                mart.period_column,
                gx_home=payroll_settings.home_dir,
            )
            for mart in PAY_PERIOD_MARTS
            if not outcomes[mart.name].success and mart.period_column is not None
        }
    for mart in PAY_PERIOD_MARTS:
        yield _suite_result(mart.name, outcomes[mart.name], failed_periods.get(mart.name, ()))
    yield _conservation_result(conservation)


@dg.multi_asset_check(
    name="pay_calendar_audit",
    specs=[_suite_spec(mart.name) for mart in CALENDAR_MARTS],
)
def pay_calendar_audit(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> Iterator[dg.AssetCheckResult]:
    outcomes = _validate(context, warehouse, payroll_settings, CALENDAR_MARTS)
    for mart in CALENDAR_MARTS:
        yield _suite_result(mart.name, outcomes[mart.name])


def _conservation_result(result: Conservation) -> dg.AssetCheckResult:
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
    for tenant, (start, end) in (result.windows or {}).items():
        metadata[f"{tenant} clock-in window (UTC)"] = f"{start} – {end}"
    return dg.AssetCheckResult(
        asset_key=_build_key(EXCEPTIONS_MART),
        check_name=CONSERVATION_CHECK,
        passed=result.holds,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[pay_period_audit, pay_calendar_audit])
