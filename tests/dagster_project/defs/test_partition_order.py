import datetime as dt

from dagster_project.core.periods import PayPeriodKey
from dagster_project.defs.periods.assets import keys_to_register


def _periods(*specs: tuple[str, int]) -> list[PayPeriodKey]:
    return [PayPeriodKey(tenant, dt.date(2026, month, 1)) for tenant, month in specs]


def _apply(registered: list[str], plan: tuple[list[str], list[str]]) -> list[str]:
    to_delete, to_add = plan
    return [key for key in registered if key not in to_delete] + to_add


def test_the_next_period_of_the_last_tenant_is_appended():
    periods = _periods(("a", 1), ("a", 2), ("a", 3))
    assert keys_to_register(periods, ["a|2026-01-01", "a|2026-02-01"]) == (
        [],
        ["a|2026-03-01"],
    )


def test_history_loaded_late_reregisters_the_tenant_in_period_order():
    periods = _periods(("a", 1), ("a", 2), ("a", 3), ("b", 1))
    registered = ["a|2026-02-01", "a|2026-03-01", "b|2026-01-01"]
    # a's January arrived late: a's block moves behind b, in order; b is untouched
    plan = keys_to_register(periods, registered)
    assert plan == (
        ["a|2026-02-01", "a|2026-03-01"],
        ["a|2026-01-01", "a|2026-02-01", "a|2026-03-01"],
    )
    assert _apply(registered, plan) == [
        "b|2026-01-01",
        "a|2026-01-01",
        "a|2026-02-01",
        "a|2026-03-01",
    ]


def test_a_tenant_stays_one_block_when_another_tenant_registered_after_it():
    # a range run of a's periods must not hold b's
    periods = _periods(("a", 1), ("a", 2), ("b", 1))
    registered = ["a|2026-01-01", "b|2026-01-01"]
    plan = keys_to_register(periods, registered)
    assert _apply(registered, plan) == ["b|2026-01-01", "a|2026-01-01", "a|2026-02-01"]


def test_nothing_new_registers_nothing():
    periods = _periods(("a", 1), ("a", 2))
    assert keys_to_register(periods, ["a|2026-01-01", "a|2026-02-01"]) == ([], [])
