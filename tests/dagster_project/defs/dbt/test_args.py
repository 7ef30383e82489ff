import datetime as dt
import json

from dagster_project.defs.dbt.args import calendar_build_args, period_build_args
from dagster_project.defs.periods.partitions import PayPeriodKey


def test_period_build_passes_tenant_and_period_as_vars():
    args = period_build_args(PayPeriodKey("bistro", dt.date(2026, 3, 15)), "run-1")
    assert args[0] == "build"
    assert json.loads(args[args.index("--vars") + 1]) == {
        "tenant_id": "bistro",
        "period_start": "2026-03-15",
        "run_id": "run-1",
    }


def test_calendar_build_always_runs_build_so_tests_run_with_models():
    args = calendar_build_args()
    assert args[0] == "build"
    assert args[args.index("--indirect-selection") + 1] == "buildable"


def test_orchestrated_builds_leave_unit_tests_to_the_test_suite():
    for args in (
        calendar_build_args(),
        period_build_args(PayPeriodKey("b", dt.date(2026, 3, 1)), "r"),
    ):
        assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
