"""What dbt spent its time on, from the ``run_results.json`` of every dbt
invocation of a benchmark phase: ``DBT_TARGET_PATH`` is one folder per
phase; dagster-dbt's CLI invocations write their artifacts in a subfolder
each, dbt invoked in-process writes them in the folder itself. A phase
without any (or with unreadable ones) has no timings: ``measured`` is
false, and the report says "n/a"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class NodeTime:
    unique_id: str
    seconds: float = 0.0  # summed over the phase's invocations
    runs: int = 0
    slowest: float = 0.0

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.unique_id.split(".")[2]

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.unique_id,
            "seconds": round(self.seconds, 2),
            "runs": self.runs,
            "slowest_run_seconds": round(self.slowest, 2),
        }


@dataclass(frozen=True)
class PhaseTimings:
    invocations: int
    dbt_elapsed_seconds: float  # dbt's own wall time, summed
    nodes: dict[str, NodeTime]

    def heaviest(self, resource_type: str, count: int) -> list[NodeTime]:
        chosen = [n for n in self.nodes.values() if n.resource_type == resource_type]
        return sorted(chosen, key=lambda n: n.seconds, reverse=True)[:count]

    def summed(self, resource_type: str) -> float:
        return sum(n.seconds for n in self.nodes.values() if n.resource_type == resource_type)

    @property
    def measured(self) -> bool:
        return self.invocations > 0


def _read(results_file: Path) -> dict | None:
    try:
        results = json.loads(results_file.read_text())
    except (OSError, ValueError):
        return None
    return results if isinstance(results, dict) else None


def collect(phase_dir: Path) -> PhaseTimings:
    nodes: dict[str, NodeTime] = {}
    invocations = 0
    elapsed = 0.0
    for results_file in sorted(phase_dir.glob("**/run_results.json")):
        results = _read(results_file)
        if results is None:
            continue
        invocations += 1
        elapsed += float(results.get("elapsed_time") or 0.0)
        for result in results.get("results", []):
            node = nodes.setdefault(result["unique_id"], NodeTime(result["unique_id"]))
            seconds = float(result.get("execution_time") or 0.0)
            node.seconds += seconds
            node.runs += 1
            node.slowest = max(node.slowest, seconds)
    return PhaseTimings(invocations, elapsed, nodes)


def compiled_sql(phase_dir: Path, model_name: str) -> str | None:
    """The compiled SELECT of a model in the phase's latest invocation."""
    found = sorted(
        phase_dir.glob(f"**/compiled/*/models/**/{model_name}.sql"),
        key=lambda path: path.stat().st_mtime,
    )
    return found[-1].read_text() if found else None
