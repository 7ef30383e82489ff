"""Growth across sizes (S → M → L) from the latest run of each size: the
per-shift cost at each size, the least-squares slope (µs per shift) and
whether the growth is linear.

Linear means the marginal cost of a shift does not rise with size: the
seconds added from M to L, per shift added, are at most ``TOLERANCE`` times
those added from S to M (a fixed cost only makes the second smaller).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.goals import MET, MISSED, NOT_APPLICABLE

SIZE_ORDER = ("S", "M", "L")
SERIES = {
    "full build": "full_build_seconds",
    "SQL floor": "floor_seconds",
    "ingest": "ingest_seconds",
}
TOLERANCE = 1.2


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """(slope, intercept) of the line through the points."""
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var
    return slope, mean_y - slope * mean_x


def linear_verdict(shifts: Sequence[float], seconds: Sequence[float]) -> str:
    """Met/missed over exactly three sizes (S, M, L); n/a otherwise."""
    if len(shifts) != len(SIZE_ORDER):
        return NOT_APPLICABLE
    (s, m, large), (ts, tm, tl) = shifts, seconds
    first = (tm - ts) / (m - s)
    second = (tl - tm) / (large - m)
    return MET if second <= TOLERANCE * max(first, 0.0) else MISSED


def series(results: Mapping[str, Mapping[str, object]], key: str) -> dict[str, object] | None:
    sizes = [s for s in SIZE_ORDER if s in results and results[s].get(key) is not None]
    if len(sizes) < 2:
        return None
    shifts = [float(results[s]["shifts"]) for s in sizes]  # type: ignore[arg-type]
    seconds = [float(results[s][key]) for s in sizes]  # type: ignore[arg-type]
    slope, intercept = least_squares(shifts, seconds)
    return {
        "sizes": sizes,
        "shifts": shifts,
        "seconds": seconds,
        "us_per_shift": [y / x * 1e6 for x, y in zip(shifts, seconds, strict=True)],
        "slope_us_per_shift": slope * 1e6,
        "intercept_seconds": intercept,
        "linear": linear_verdict(shifts, seconds),
    }


def growth(results: Mapping[str, Mapping[str, object]]) -> dict[str, object] | None:
    """Every series measured at two sizes or more; the overall verdict is met
    only when every series is linear over S, M and L."""
    found = {name: series(results, key) for name, key in SERIES.items()}
    measured = {name: info for name, info in found.items() if info is not None}
    if not measured:
        return None
    linear = [found[name]["linear"] if found[name] else NOT_APPLICABLE for name in SERIES]
    if NOT_APPLICABLE in linear:
        verdict = NOT_APPLICABLE
    else:
        verdict = MET if all(v == MET for v in linear) else MISSED
    return {"series": measured, "linear": verdict, "tolerance": TOLERANCE}
