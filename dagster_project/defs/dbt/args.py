"""dbt command lines, kept pure so they can be unit-tested."""

from __future__ import annotations

import json

from dagster_project.defs.periods.partitions import PayPeriodKey

# Built once per warehouse state, not per period: reference seeds, staging
# views and the pay calendar every partition is derived from.
CALENDAR_SELECT = "resource_type:seed path:models/staging dim_pay_periods"
PERIOD_SELECT = "path:models/intermediate path:models/marts"
PERIOD_EXCLUDE = "dim_pay_periods"


# A test runs with the build that selects all its models, or whose other
# models are upstream of it (a relationship to a staging view runs with the
# period build that reads that view, never before the mart exists).
INDIRECT_SELECTION = ["--indirect-selection", "buildable"]
# dbt unit tests prove the SQL, not the data: `make test` runs them.
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def calendar_build_args() -> list[str]:
    return ["build", *INDIRECT_SELECTION, *NO_UNIT_TESTS]


def period_build_args(period: PayPeriodKey, run_id: str) -> list[str]:
    """``dbt build`` for one pay period: models read ``tenant_id`` and
    ``period_start`` and touch only that period's rows; ``run_id`` (the
    Dagster run) is stamped on every published pay row."""
    dbt_vars = {**period.dbt_vars(), "run_id": run_id}
    return [
        "build",
        *INDIRECT_SELECTION,
        *NO_UNIT_TESTS,
        "--vars",
        json.dumps(dbt_vars, sort_keys=True),
    ]
