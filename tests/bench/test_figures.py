"""The goal figures written into the results JSON, from measured seconds,
rates and memory."""

from __future__ import annotations

import pytest

from bench.figures import goal_ratios, peak_rss, ratio
from bench.measure import Measured

MEASURED = {
    "full_build_seconds": 60.0,
    "floor_seconds": 20.0,
    "naive_seconds_extrapolated": 300.0,
    "one_period_seconds": 12.0,
    "trivial_run_seconds": 8.0,
    "cascade_seconds": 18.0,
    "ingest_rows_per_second": 300_000,
    "copy_rows_per_second": 1_000_000,
    "indexed_copy_rows_per_second": 400_000,
}


def test_each_goal_ratio_from_its_two_measures():
    assert goal_ratios(MEASURED) == {
        "full_build_vs_floor_ratio": 3.0,
        "naive_vs_full_build_speedup": 5.0,
        "naive_vs_floor_ratio": 15.0,
        "one_period_vs_trivial_run_ratio": 1.5,
        "cascade_vs_one_period_ratio": 1.5,
        "ingest_vs_copy_ratio": 0.3,
        "ingest_vs_indexed_copy_ratio": 0.75,
    }


def test_a_ratio_of_something_not_measured_is_none():
    found = goal_ratios({**MEASURED, "cascade_seconds": None, "floor_seconds": 0})
    assert found["cascade_vs_one_period_ratio"] is None
    assert found["full_build_vs_floor_ratio"] is None
    assert found["one_period_vs_trivial_run_ratio"] == 1.5
    assert ratio(1, 3, 3) == pytest.approx(0.333)


def _measured(tree_mb: float, single: dict[str, float]) -> Measured:
    return Measured(("payroll",), 1.0, 0, "", "", single, tree_mb)


def test_peak_rss_is_the_largest_process_tree_of_any_command():
    commands = [
        ("ingest", _measured(250.0, {"payroll ingest": 240.0})),
        # dbt beside the payroll process: the tree is what counts
        ("full_build", _measured(520.0, {"payroll run": 390.0, "dbt build": 130.0})),
        ("cascade", _measured(480.0, {"payroll run": 350.0})),
    ]
    found = peak_rss(commands)
    assert found["peak_rss_mb"] == 520.0
    assert found["peak_rss_mb_by_command"] == {
        "ingest #0": 250.0,
        "full_build #1": 520.0,
        "cascade #2": 480.0,
    }
