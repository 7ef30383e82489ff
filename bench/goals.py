"""The benchmark's goals (issue 13) and their verdicts. A goal's target may
depend on the size; a size without a target, or a figure not measured at
that size, is "n/a"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MET, MISSED, NOT_APPLICABLE = "met", "missed", "n/a"


@dataclass(frozen=True)
class Goal:
    key: str  # in the results JSON
    label: str
    higher_is_better: bool
    by_size: Mapping[str, float] = field(default_factory=dict)
    default: float | None = None  # for sizes not in by_size

    def target(self, size: str) -> float | None:
        return self.by_size.get(size, self.default)

    def verdict(self, size: str, value: float | None) -> str:
        target = self.target(size)
        if value is None or target is None:
            return NOT_APPLICABLE
        met = value >= target if self.higher_is_better else value <= target
        return MET if met else MISSED

    def describe(self) -> str:
        """ "≤ 15 at S, ≤ 3 at M, ≤ 2 at L", "≤ 300 at any size"."""
        sign = "≥" if self.higher_is_better else "≤"
        parts = [f"{sign} {_number(t)} at {size}" for size, t in self.by_size.items()]
        if self.default is not None:
            parts.append(
                f"{sign} {_number(self.default)} at {'other sizes' if parts else 'any size'}"
            )
        return ", ".join(parts)

    def describe_at(self, size: str) -> str:
        target = self.target(size)
        if target is None:
            return f"none at {size} ({self.describe()})"
        return f"{'≥' if self.higher_is_better else '≤'} {_number(target)}"


def _number(value: float) -> str:
    return f"{value:g}"


GOALS: tuple[Goal, ...] = (
    Goal(
        "full_build_vs_floor_ratio",
        "full build (`payroll run --all-closed`) ÷ SQL floor",
        False,
        {"S": 15, "M": 3, "L": 2},
    ),
    Goal(
        "naive_vs_full_build_speedup",
        "naive (extrapolated beyond S) ÷ full build",
        True,
        {"M": 4},
    ),
    Goal(
        "one_period_vs_trivial_run_ratio",
        "one `payroll run --period` ÷ trivial floor",
        False,
        {"S": 1.5},
    ),
    Goal(
        "cascade_vs_one_period_ratio",
        "correction cascade ÷ one period",
        False,
        {"S": 2},
    ),
    Goal("ingest_vs_copy_ratio", "ingest rows/s ÷ raw COPY rows/s", True, {"M": 0.3}),
    Goal(
        "ingest_vs_indexed_copy_ratio",
        "ingest rows/s ÷ COPY with the landing indexes rows/s",
        True,
        {"M": 0.8},
    ),
    Goal(
        "peak_rss_mb",
        "peak RSS MB of a `payroll` process tree (max over the commands)",
        False,
        default=300,
    ),
)


def verdicts(result: Mapping[str, object]) -> dict[str, str]:
    """Each goal's verdict for one run, by key."""
    size = str(result["size"])
    return {goal.key: goal.verdict(size, _value(result.get(goal.key))) for goal in GOALS}


def _value(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
