"""The benchmark's two baselines compute what the pipeline computes: on a
small generated dataset run through the pipeline, the SQL floor and the
naive row-by-row code equal marts.fct_workweek_hours row by row and in
total, to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bench import generator
from bench.floor import cross_check, mart_rows, naive_mismatches, run_floor
from bench.naive import run_naive

SHIFTS = 2_000
CALENDAR = generator.Calendar(weeks=2)  # one biweekly pay period of the chain
# environment the pipeline sets in-process; restored after the module
_PROCESS_ENV = (
    "DAGSTER_HOME",
    "PAYROLL_DAGSTER_STORAGE_URL",
    "PAYROLL_DBT_HOST",
    "PAYROLL_DBT_PORT",
    "PAYROLL_DBT_USER",
    "PAYROLL_DBT_PASSWORD",
    "PAYROLL_DBT_DBNAME",
    "PAYROLL_DBT_SSLMODE",
)


@pytest.fixture(scope="module")
def computed(make_database, tmp_path_factory):
    """One chain pay period generated, ingested and run through Dagster."""
    url = make_database("bench_floor")
    folder = tmp_path_factory.mktemp("bench_floor_data")
    summary = generator.generate(
        folder, SHIFTS, seed=11, calendar=CALENDAR, tenants=(generator.TENANTS[0],)
    )
    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(tmp_path_factory.mktemp("bench_floor_home")))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    for name in _PROCESS_ENV:
        patch.setenv(name, "")
    from dagster_project.core.periods import PayPeriodKey
    from dagster_project.definitions import defs
    from dagster_project.ingest.loader import ingest_paths
    from dagster_project.lib.instance import get_instance
    from dagster_project.lib.launch import refresh_calendar, run_periods
    from dagster_project.settings import get_settings

    get_settings.cache_clear()
    try:
        ingest_paths(url, [folder])
        instance = get_instance()
        # the calendar ends with the data (noon the day after it), not today
        day_after = summary.last_day + dt.timedelta(days=1)
        as_of = dt.datetime.combine(day_after, dt.time(12), dt.UTC).isoformat()
        assert refresh_calendar(defs(), instance, as_of).success
        outcome = run_periods(defs(), instance, [PayPeriodKey("chain", CALENDAR.first_day)])
        assert outcome.success, outcome
        yield url, summary
    finally:
        patch.undo()
        get_settings.cache_clear()


def test_floor_equals_fct_workweek_hours_to_the_cent(computed):
    url, summary = computed
    assert run_floor(url) > 0
    check = cross_check(url)
    assert check.rows_mart > 0.9 * summary.staff  # every staff member with hours, per week
    assert check.rows_floor == check.rows_mart
    assert (check.only_in_floor, check.only_in_mart, check.differing) == (0, 0, 0)
    assert check.totals_floor == check.totals_mart
    # the data exercises what the floor must get right
    totals = {key: Decimal(value) for key, value in check.totals_mart.items()}
    assert totals["overtime_hours"] > 0
    assert totals["double_time_hours"] > 0
    assert totals["bonus_pay"] > 0
    assert totals["gross_pay"] == (
        totals["straight_time_pay"] + totals["bonus_pay"] + totals["overtime_premium_pay"]
    )
    assert check.matches


def test_naive_baseline_equals_fct_workweek_hours(computed):
    url, summary = computed
    run = run_naive(url)
    mart = mart_rows(url)
    compared, missing, differing = naive_mismatches(run.rows, mart, None)
    assert (compared, missing, differing) == (len(mart), 0, 0)
    # one query per staff member employed in the one period
    assert len({(t, s) for t, s, _ in mart}) <= run.queries <= summary.staff
