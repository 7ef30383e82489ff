import datetime as dt
import json

from dagster_project.defs.dbt.args import calendar_build_args, period_build_args
from dagster_project.defs.periods.partitions import PayPeriodKey


def test_period_build_passes_tenant_and_period_as_vars():
    args = period_build_args(PayPeriodKey("bistro", dt.date(2026, 3, 15)))
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"tenant_id": "bistro", "period_start": "2026-03-15"}


def test_calendar_build_always_runs_build_so_tests_run_with_models():
    assert calendar_build_args() == ["build"]
