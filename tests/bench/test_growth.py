"""Growth across sizes: the least-squares slope in µs per shift, the cost
per shift at each size, and the linearity verdict."""

from __future__ import annotations

import pytest

from bench import growth
from bench.goals import MET, MISSED, NOT_APPLICABLE

SHIFTS = {"S": 100_000, "M": 1_000_000, "L": 5_000_000}


def _results(key: str, seconds: dict[str, float]) -> dict[str, dict[str, object]]:
    return {size: {"shifts": SHIFTS[size], key: s} for size, s in seconds.items()}


def test_least_squares_of_points_on_a_line():
    slope, intercept = growth.least_squares([1.0, 2.0, 4.0], [7.0, 9.0, 13.0])
    assert slope == pytest.approx(2.0)
    assert intercept == pytest.approx(5.0)


def test_least_squares_of_scattered_points():
    # by hand: mean x 2, mean y 3; Σ(dx·dy) = 5, Σdx² = 2 → slope 2.5, intercept -2
    slope, intercept = growth.least_squares([1.0, 2.0, 3.0], [1.0, 2.0, 6.0])
    assert slope == pytest.approx(2.5)
    assert intercept == pytest.approx(-2.0)


def test_slope_in_microseconds_per_shift_and_cost_per_size():
    # 20 s fixed + 10 µs per shift
    seconds = {size: 20 + 10e-6 * shifts for size, shifts in SHIFTS.items()}
    info = growth.series(_results("floor_seconds", seconds), "floor_seconds")
    assert info["sizes"] == ["S", "M", "L"]
    assert info["slope_us_per_shift"] == pytest.approx(10.0)
    assert info["intercept_seconds"] == pytest.approx(20.0)
    assert info["us_per_shift"] == pytest.approx([210.0, 30.0, 14.0])
    assert info["linear"] == MET


def test_a_cost_per_shift_that_rises_with_size_is_not_linear():
    # 10 µs per shift up to M, 20 µs per shift added from M to L
    seconds = {"S": 1.0, "M": 10.0, "L": 90.0}
    info = growth.series(_results("ingest_seconds", seconds), "ingest_seconds")
    assert info["linear"] == MISSED


def test_linear_within_the_tolerance():
    # from S to M 10 µs per added shift; from M to L just under / over 1.2 ×
    assert growth.linear_verdict([1e5, 1e6, 5e6], [1.0, 10.0, 10.0 + 4e6 * 11.9e-6]) == MET
    assert growth.linear_verdict([1e5, 1e6, 5e6], [1.0, 10.0, 10.0 + 4e6 * 12.1e-6]) == MISSED


def test_linearity_needs_the_three_sizes():
    assert growth.linear_verdict([1e5, 1e6], [1.0, 10.0]) == NOT_APPLICABLE
    info = growth.series(_results("floor_seconds", {"S": 1.0, "M": 10.0}), "floor_seconds")
    assert info["slope_us_per_shift"] == pytest.approx(10.0)
    assert info["linear"] == NOT_APPLICABLE


def test_a_series_needs_two_sizes_with_the_figure():
    assert growth.series(_results("floor_seconds", {"S": 1.0}), "floor_seconds") is None
    results = _results("floor_seconds", {"S": 1.0, "M": 10.0, "L": 50.0})
    results["M"]["floor_seconds"] = None
    info = growth.series(results, "floor_seconds")
    assert info["sizes"] == ["S", "L"]


def test_growth_of_the_three_series():
    results = {
        size: {
            "shifts": shifts,
            "full_build_seconds": 30 + 50e-6 * shifts,
            "floor_seconds": 9e-6 * shifts,
            "ingest_seconds": 2 + 25e-6 * shifts,
        }
        for size, shifts in SHIFTS.items()
    }
    found = growth.growth(results)
    assert set(found["series"]) == {"full build", "SQL floor", "ingest"}
    assert found["series"]["full build"]["slope_us_per_shift"] == pytest.approx(50.0)
    assert found["series"]["SQL floor"]["slope_us_per_shift"] == pytest.approx(9.0)
    assert found["series"]["ingest"]["slope_us_per_shift"] == pytest.approx(25.0)
    assert found["linear"] == MET
    results["L"]["full_build_seconds"] = 30 + 50e-6 * 1e6 + 100e-6 * 4e6
    assert growth.growth(results)["linear"] == MISSED
    del results["L"]
    assert growth.growth(results)["linear"] == NOT_APPLICABLE
    assert growth.growth({"S": results["S"]}) is None
