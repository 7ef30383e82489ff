"""Great Expectations suite for ``marts.fct_payroll``, validated in the warehouse.

GX 1.x reads the table through its Postgres data source: every expectation
becomes a query; no row of pay ever leaves the database. Results are kept at
``BOOLEAN_ONLY`` so that no value (names, amounts) reaches logs or metadata.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from dagster_project.lib.database import sqlalchemy_url
from dagster_project.lib.payroll_columns import (
    EMPLOYEE_TAX_COLUMNS,
    HOUR_COLUMNS,
    MONEY_COLUMNS,
)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

_log = logging.getLogger(__name__)

_URL_VARIABLE = "PAYROLL_GX_WAREHOUSE_URL"
PAYROLL_TABLE = "fct_payroll"
PAYROLL_SCHEMA = "marts"

# Each rule: a name an operator can read, and the rows that break it.
ROW_RULES: dict[str, str] = {
    "gross_pay_equals_its_parts": (
        "select * from {batch} where gross_pay <> "
        "salary_pay + straight_time_pay + overtime_premium_pay + bonus_pay"
    ),
    "net_pay_equals_gross_less_deductions_and_taxes": (
        "select * from {batch} where net_pay <> gross_pay - retirement_401k - section_125 - "
        + " - ".join(EMPLOYEE_TAX_COLUMNS)
        + " - post_tax_deductions"
    ),
    "net_pay_not_above_gross_pay": "select * from {batch} where net_pay > gross_pay",
    "taxes_not_above_gross_pay": (
        "select * from {batch} where " + " + ".join(EMPLOYEE_TAX_COLUMNS) + " > gross_pay"
    ),
    "hours_fit_in_the_period": (
        # +1: a day in which clocks fall back has 25 hours
        "select * from {batch} where hours_worked > 24 * ((period_end - period_start) + 1) + 1"
    ),
    "overtime_within_hours_worked": (
        "select * from {batch} where overtime_hours + double_time_hours > hours_worked"
    ),
}


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    success: bool


@dataclass(frozen=True)
class SuiteOutcome:
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failed(self) -> list[str]:
        return [outcome.name for outcome in self.outcomes if not outcome.success]


def _expectations() -> list[tuple[str, object]]:
    import great_expectations.expectations as gxe

    named: list[tuple[str, object]] = [
        (
            "unique_tenant_staff_period",
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["tenant_id", "staff_id", "period_start"]
            ),
        )
    ]
    for column in ("tenant_id", "staff_id", "period_start", "period_end", "pay_date"):
        named.append((f"{column}_not_null", gxe.ExpectColumnValuesToNotBeNull(column=column)))
    for column in MONEY_COLUMNS + HOUR_COLUMNS:
        named.append(
            (
                f"{column}_not_negative",
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, mostly=1.0),
            )
        )
    for name, query in ROW_RULES.items():
        named.append(
            (name, gxe.UnexpectedRowsExpectation(unexpected_rows_query=query, description=name))
        )
    return named


def validate_payroll_table(warehouse_url: str) -> SuiteOutcome:
    """Run the suite against ``marts.fct_payroll``; never returns row values."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # A config variable rather than the URL itself: GX keeps no credentials,
    # and it accepts unix-socket URLs (no host) that its URL check refuses.
    os.environ[_URL_VARIABLE] = sqlalchemy_url(warehouse_url)
    datasource = context.data_sources.add_postgres(
        name="warehouse", connection_string="${" + _URL_VARIABLE + "}"
    )
    asset = datasource.add_table_asset(
        name=PAYROLL_TABLE, table_name=PAYROLL_TABLE, schema_name=PAYROLL_SCHEMA
    )
    batch_definition = asset.add_batch_definition_whole_table("whole_table")
    batch = batch_definition.get_batch()

    named = _expectations()
    suite = context.suites.add(gx.ExpectationSuite(name="fct_payroll_suite"))
    for _, expectation in named:
        suite.add_expectation(expectation)
    result = batch.validate(suite, result_format="BOOLEAN_ONLY")

    by_id = {exp.id: name for name, exp in named}
    outcomes = tuple(
        ExpectationOutcome(
            name=by_id.get(res.expectation_config.id, res.expectation_config.type),
            success=bool(res.success),
        )
        for res in result.results
    )
    outcome = SuiteOutcome(outcomes)
    _log.info(
        "gx_suite_validated table=%s.%s expectations=%d failed=%s",
        PAYROLL_SCHEMA,
        PAYROLL_TABLE,
        len(outcomes),
        ",".join(outcome.failed) or "none",
    )
    return outcome
