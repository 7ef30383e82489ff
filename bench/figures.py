"""The goal figures of a run (the keys of ``bench/goals.py``), computed from
its measured seconds, rates and memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bench.measure import Measured


def ratio(numerator: object, denominator: object, digits: int = 2) -> float | None:
    """None when either side was not measured (or the denominator is 0)."""
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), digits)  # type: ignore[arg-type]


def goal_ratios(r: Mapping[str, object]) -> dict[str, float | None]:
    return {
        "full_build_vs_floor_ratio": ratio(r.get("full_build_seconds"), r.get("floor_seconds")),
        "naive_vs_full_build_speedup": ratio(
            r.get("naive_seconds_extrapolated"), r.get("full_build_seconds")
        ),
        "naive_vs_floor_ratio": ratio(r.get("naive_seconds_extrapolated"), r.get("floor_seconds")),
        "one_period_vs_trivial_run_ratio": ratio(
            r.get("one_period_seconds"), r.get("trivial_run_seconds")
        ),
        "cascade_vs_one_period_ratio": ratio(r.get("cascade_seconds"), r.get("one_period_seconds")),
        "ingest_vs_copy_ratio": ratio(
            r.get("ingest_rows_per_second"), r.get("copy_rows_per_second"), 4
        ),
        "ingest_vs_indexed_copy_ratio": ratio(
            r.get("ingest_rows_per_second"), r.get("indexed_copy_rows_per_second"), 4
        ),
    }


def peak_rss(commands: Sequence[tuple[str, Measured]]) -> dict[str, object]:
    """The whole process tree of each ``payroll`` command (summed at each
    poll), and the largest of them."""
    by_command = {f"{phase} #{n}": m.peak_tree_rss_mb for n, (phase, m) in enumerate(commands)}
    return {
        "peak_rss_mb": max(by_command.values(), default=None),
        "peak_rss_mb_by_command": by_command,
    }
