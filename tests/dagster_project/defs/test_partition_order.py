import datetime as dt

from dagster_project.defs.periods.assets import keys_to_register
from dagster_project.defs.periods.partitions import PayPeriodKey


def _periods(*specs: tuple[str, int]) -> list[PayPeriodKey]:
    return [PayPeriodKey(tenant, dt.date(2026, month, 1)) for tenant, month in specs]


def test_new_periods_after_the_registered_ones_are_appended():
    periods = _periods(("a", 1), ("a", 2), ("a", 3))
    assert keys_to_register(periods, ["a|2026-01-01", "a|2026-02-01"]) == ["a|2026-03-01"]


def test_history_loaded_late_reregisters_the_later_periods_after_it():
    periods = _periods(("a", 1), ("a", 2), ("a", 3), ("b", 1))
    registered = ["a|2026-02-01", "a|2026-03-01", "b|2026-01-01"]
    # a's January arrived late: February and March move behind it; b is untouched
    assert keys_to_register(periods, registered) == [
        "a|2026-01-01",
        "a|2026-02-01",
        "a|2026-03-01",
    ]


def test_nothing_new_registers_nothing():
    periods = _periods(("a", 1), ("a", 2))
    assert keys_to_register(periods, ["a|2026-01-01", "a|2026-02-01"]) == []
