"""Results: one JSON file per run, a table on the terminal, a section
appended to ``bench/RESULTS.md``, and the slope across sizes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

RESULTS_DIR = Path(__file__).with_name("results")
RESULTS_MD = Path(__file__).with_name("RESULTS.md")
SIZE_ORDER = ("S", "M", "L")

# (key, goal, higher is better) — the goals of the benchmark issue
GOALS: dict[str, tuple[float, bool]] = {
    "pipeline_vs_floor_ratio": (1.5, False),
    "ingest_vs_copy_ratio": (0.7, True),
    "incremental_vs_overhead_ratio": (3.0, False),
    "naive_vs_pipeline_speedup": (15.0, True),
    "ingest_peak_rss_mb": (300.0, False),  # the goal is set for L
}

MD_HEADER = """# Benchmark results

Appended by `make bench` (`make bench SIZE=M|L`); the newest run is last.
Every number is measured on the machine named in its section, in one run,
on the same seeded data (`bench/generator.py`). How each one is measured:

- **ingest rows/s**: attendance rows ÷ the wall time of `payroll ingest
  attendance.csv` without the pay-calendar refresh it triggers (process
  start included); **COPY**: the same file `COPY`ed into an unindexed table
  of text columns (the ceiling).
- **full build**: wall time of `payroll run --all-closed` (every closed
  period, one Dagster run each, after one pay-calendar run). **Overhead** is
  what the same command costs on a near-empty warehouse (the `probe` tenant:
  process start, migrations check, calendar run, one period run with dbt
  parse/compile, tests and checks), counted once per command, once per
  calendar run and once per period; **work** is the rest, the per-shift
  part.
- **floor**: `bench/floor.sql`, one hand-written statement writing the same
  rows as `marts.fct_workweek_hours` (cross-checked: every row and total to
  the cent), best of two runs.
- **incremental**: `payroll run --period <last period>` of the chain with
  the whole history loaded, against its own fixed overhead (the probe run).
- **naive**: one ORM query per staff member and period, pay computed in
  Python (`bench/naive.py`), measured on at most S's 100 k shifts and
  extrapolated linearly beyond (marked *extrapolated*).
- **peak RSS**: the largest resident set of any single Python process
  (`payroll`, `dbt`), polled every 50 ms; the goal (300 MB at L) is for
  `payroll ingest` while it loads (until it starts the pay-calendar run in
  the same process), which must stream: compare it with the same command
  loading only the small files.
"""


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def goal_met(key: str, value: float | None) -> bool | None:
    if value is None or key not in GOALS:
        return None
    goal, higher = GOALS[key]
    return value >= goal if higher else value <= goal


def render_table(result: Mapping[str, object]) -> str:
    """Markdown: the headline numbers, then each goal with its verdict."""
    r = result
    naive_note = " (extrapolated)" if r.get("naive_is_extrapolated") else ""
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| shifts (staff) | {_fmt(r['shifts'])} ({_fmt(r['dataset']['staff'])}) |",
        f"| attendance rows | {_fmt(r['attendance_rows'])} |",
        f"| ingest rows/s: ours / raw COPY | {_fmt(r['ingest_rows_per_second'], 0)} / "
        f"{_fmt(r['copy_rows_per_second'], 0)} |",
        f"| ingest s (process start included) / COPY into a text table with the landing "
        f"indexes s | {_fmt(r.get('ingest_seconds'), 1)} / "
        f"{_fmt(r.get('indexed_copy_seconds'), 1)} |",
        f"| full build s ({r['periods']} periods): total = overhead + work | "
        f"{_fmt(r['pipeline_seconds'])} = {_fmt(r['full_build_overhead_seconds'])} + "
        f"{_fmt(r['pipeline_work_seconds'])} |",
        f"| of which dbt (models + tests) s | {_fmt(r['dbt_seconds_full_build'])} |",
        f"| SQL floor s | {_fmt(r['floor_seconds'], 2)} |",
        f"| fixed overhead of one `payroll run` s | {_fmt(r['fixed_overhead_seconds'])} |",
        f"| incremental period s (shifts in period) | {_fmt(r['incremental_seconds'])} "
        f"({_fmt(r['incremental_period_shifts'])}) |",
        f"| small incremental period s (shifts) | {_fmt(r['small_incremental_seconds'])} "
        f"({_fmt(r['small_incremental_period_shifts'])}) |",
        f"| naive s{naive_note} | {_fmt(r['naive_seconds_extrapolated'])} |",
        f"| peak RSS MB of any process (ingest command / run / dbt) | "
        f"{_fmt(r['peak_rss_mb'])} ({_fmt(r['rss_by_phase_mb'].get('ingest'))} / "
        f"{_fmt(r['rss_by_phase_mb'].get('full_build'))} / "
        f"{_fmt(r['rss_by_phase_mb'].get('dbt'))}) |",
        f"| ingest peak RSS MB while loading: attendance / small files | "
        f"{_fmt(r.get('ingest_peak_rss_mb'))} / {_fmt(r.get('ingest_small_files_peak_rss_mb'))} |",
        "",
        "| goal | measured | target | met |",
        "|---|---|---|---|",
    ]
    for key, (goal, higher) in GOALS.items():
        value = r.get(key)
        verdict = goal_met(key, value)
        mark = "–" if verdict is None else ("yes" if verdict else "no")
        lines.append(
            f"| {key} | {_fmt(value, 2)} | {'≥' if higher else '≤'} {_fmt(goal, 1)} | {mark} |"
        )
    slope = r.get("slope")
    if slope:
        lines += ["", "| across sizes | " + " | ".join(slope["sizes"]) + " | slope µs/shift |"]
        lines.append("|---|" + "---|" * (len(slope["sizes"]) + 1))
        for name, series in slope["series"].items():
            per_million = " | ".join(_fmt(v, 1) for v in series["seconds_per_million_shifts"])
            lines.append(f"| {name} s per 1 M shifts | {per_million} | {series['slope_us']:.2f} |")
    return "\n".join(lines)


SUMMARY_ROWS: tuple[tuple[str, str, int], ...] = (
    ("shifts", "shifts", 0),
    ("ingest rows/s (raw COPY rows/s)", "ingest_rows_per_second", 0),
    ("ingest / COPY (goal ≥ 0.7)", "ingest_vs_copy_ratio", 3),
    ("ingest / COPY with the landing indexes", "ingest_vs_indexed_copy_ratio", 3),
    ("ingest peak RSS MB while loading (goal < 300 at L)", "ingest_peak_rss_mb", 0),
    ("full build s (`run --all-closed`)", "pipeline_seconds", 0),
    ("… fixed overhead s (per run × runs)", "full_build_overhead_seconds", 0),
    ("… per-shift work s", "pipeline_work_seconds", 0),
    ("SQL floor s", "floor_seconds", 2),
    ("work / floor (goal ≤ 1.5)", "pipeline_vs_floor_ratio", 1),
    ("one `payroll run --period` on a near-empty warehouse s", "fixed_overhead_seconds", 1),
    ("one-period incremental run, history loaded s", "incremental_seconds", 1),
    ("incremental / overhead (goal ≤ 3)", "incremental_vs_overhead_ratio", 2),
    ("naive s (S measured, beyond extrapolated)", "naive_seconds_extrapolated", 0),
    ("naive / pipeline work (goal ≥ 15)", "naive_vs_pipeline_speedup", 2),
)


def render_summary(results: Mapping[str, Mapping[str, object]]) -> str:
    """The latest run of each size side by side (README, end of a run)."""
    sizes = [s for s in SIZE_ORDER if s in results]
    lines = [
        "| | " + " | ".join(sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for label, key, digits in SUMMARY_ROWS:
        cells = []
        for size in sizes:
            value = results[size].get(key)
            if key == "ingest_rows_per_second" and value is not None:
                cell = f"{_fmt(value, 0)} ({_fmt(results[size].get('copy_rows_per_second'), 0)})"
            else:
                cell = _fmt(float(value) if isinstance(value, int) and digits else value, digits)
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    slope_info = slope(results)
    if slope_info:
        for name, series in slope_info["series"].items():
            lines.append(
                f"| {name}: s per 1 M shifts (slope {series['slope_us']:.1f} µs/shift) | "
                + " | ".join(_fmt(v, 1) for v in series["seconds_per_million_shifts"])
                + " |"
            )
    return "\n".join(lines)


def write_json(result: Mapping[str, object], stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{result['size']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True, default=str) + "\n")
    return path


def append_markdown(result: Mapping[str, object], table: str) -> None:
    if not RESULTS_MD.exists():
        RESULTS_MD.write_text(MD_HEADER)
    machine = result["machine"]
    heading = (
        f"\n## {result['size']} — {result['started_at']} — commit {result['commit']}\n\n"
        f"{machine['cpus']} CPUs, PostgreSQL {machine['postgres']} ({machine['server']}), "
        f"load average {machine['load_before']:.1f} before, {machine['load_after']:.1f} after; "
        f"`{result['results_file']}`\n\n"
    )
    with RESULTS_MD.open("a", encoding="utf-8") as handle:
        handle.write(heading + table + "\n")


def latest_by_size(results_dir: Path = RESULTS_DIR) -> dict[str, dict[str, object]]:
    latest: dict[str, tuple[str, dict[str, object]]] = {}
    for path in results_dir.glob("*.json"):
        data = json.loads(path.read_text())
        size, started = data.get("size"), str(data.get("started_at", ""))
        if size in SIZE_ORDER and (size not in latest or started > latest[size][0]):
            latest[size] = (started, data)
    return {size: data for size, (_, data) in latest.items()}


SLOPE_SERIES = {
    "pipeline work": "pipeline_work_seconds",
    "full build": "pipeline_seconds",
    "SQL floor": "floor_seconds",
    "ingest": "ingest_seconds",
}  # the incremental run is one period at every size: no per-shift slope


def slope(results: Mapping[str, Mapping[str, object]]) -> dict[str, object] | None:
    """Least-squares seconds per shift over the latest run of each size."""
    sizes = [s for s in SIZE_ORDER if s in results]
    if len(sizes) < 2:
        return None
    shifts = [float(results[s]["shifts"]) for s in sizes]
    series = {}
    for name, key in SLOPE_SERIES.items():
        values = [results[s].get(key) for s in sizes]
        if any(v is None for v in values):
            continue
        ys = [float(v) for v in values]
        mean_x, mean_y = sum(shifts) / len(shifts), sum(ys) / len(ys)
        var = sum((x - mean_x) ** 2 for x in shifts)
        b = sum((x - mean_x) * (y - mean_y) for x, y in zip(shifts, ys, strict=True)) / var
        series[name] = {
            "seconds": ys,
            "seconds_per_million_shifts": [y / x * 1e6 for x, y in zip(shifts, ys, strict=True)],
            "slope_us": b * 1e6,
            "intercept_seconds": mean_y - b * mean_x,
        }
    return {"sizes": sizes, "shifts": shifts, "series": series}
