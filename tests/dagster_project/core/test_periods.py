import datetime as dt

import pytest

from dagster_project.core.periods import PayPeriodKey, parse_partition_key


def test_partition_key_round_trips_tenant_and_period():
    key = PayPeriodKey("bistro", dt.date(2026, 3, 1))
    assert key.partition_key == "bistro|2026-03-01"
    assert parse_partition_key("bistro|2026-03-01") == key


@pytest.mark.parametrize(
    "bad", ["bistro", "bistro|2026-02-30", "'; drop table raw.staff; --|2026-03-01", "|2026-03-01"]
)
def test_partition_key_rejects_malformed_values(bad):
    with pytest.raises(ValueError):
        parse_partition_key(bad)
