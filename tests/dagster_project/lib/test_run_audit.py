import datetime as dt

from dagster_project.defs.periods.partitions import PayPeriodKey
from dagster_project.lib.run_audit import pay_period_of_run

PERIOD = PayPeriodKey("bistro", dt.date(2026, 3, 15))


def test_a_job_run_of_one_partition_is_a_pay_period_run():
    assert pay_period_of_run({"dagster/partition": "bistro|2026-03-15"}) == PERIOD


def test_a_materialize_click_or_backfill_run_of_one_partition_is_a_pay_period_run():
    tags = {
        "dagster/asset_partition_range_start": "bistro|2026-03-15",
        "dagster/asset_partition_range_end": "bistro|2026-03-15",
    }
    assert pay_period_of_run(tags) == PERIOD


def test_runs_of_several_or_no_pay_periods_are_not_recorded():
    assert pay_period_of_run({}) is None
    assert (
        pay_period_of_run(
            {
                "dagster/asset_partition_range_start": "bistro|2026-03-01",
                "dagster/asset_partition_range_end": "bistro|2026-03-15",
            }
        )
        is None
    )
    assert pay_period_of_run({"dagster/partition": "2026-03-01"}) is None
