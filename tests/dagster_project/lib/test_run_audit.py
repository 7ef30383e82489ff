import datetime as dt

from dagster_project.core.periods import PayPeriodKey
from dagster_project.lib.run_audit import pay_periods_of_run

PERIOD = PayPeriodKey("bistro", dt.date(2026, 3, 15))
REGISTERED = ["bistro|2026-03-01", "bistro|2026-03-15", "bistro|2026-03-29", "acme|2026-03-02"]
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def test_a_job_run_of_one_partition_is_a_pay_period_run():
    assert pay_periods_of_run({"dagster/partition": "bistro|2026-03-15"}) == [PERIOD]


def test_a_materialize_click_of_one_partition_is_a_pay_period_run():
    tags = {RANGE_START: "bistro|2026-03-15", RANGE_END: "bistro|2026-03-15"}
    assert pay_periods_of_run(tags) == [PERIOD]


def test_a_range_run_records_every_period_of_its_range_in_partition_order():
    tags = {RANGE_START: "bistro|2026-03-01", RANGE_END: "bistro|2026-03-29"}
    assert pay_periods_of_run(tags, REGISTERED) == [
        PayPeriodKey("bistro", dt.date(2026, 3, 1)),
        PERIOD,
        PayPeriodKey("bistro", dt.date(2026, 3, 29)),
    ]


def test_runs_of_no_pay_period_or_an_unknown_range_are_not_recorded():
    assert pay_periods_of_run({}) == []
    unknown = {RANGE_START: "bistro|2025-01-01", RANGE_END: "bistro|2026-03-15"}
    assert pay_periods_of_run(unknown, REGISTERED) == []
    assert pay_periods_of_run({"dagster/partition": "2026-03-01"}) == []
