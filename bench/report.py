"""Results: one JSON file per run, a table on the terminal with each goal's
verdict, a section appended to ``bench/RESULTS.md``, and the latest run of
each size side by side."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from bench.generator import WEEKS
from bench.goals import GOALS, NOT_APPLICABLE
from bench.growth import SERIES, SIZE_ORDER, TOLERANCE

RESULTS_DIR = Path(__file__).with_name("results")
RESULTS_MD = Path(__file__).with_name("RESULTS.md")
# results of an older harness measure other things under the same keys
# (its ingest seconds left out the pay-calendar refresh): never compared
RESULTS_FORMAT = 2

MD_HEADER = """# Benchmark results

Appended by `make bench` (`make bench SIZE=M|L`); the newest run is last.
Every number is measured on the machine named in its section, in one run,
on the same seeded data (`bench/generator.py`). How each one is measured:

- **ingest**: the wall time of the whole `payroll ingest attendance.csv`
  (process start included; the reference files are loaded before, by a
  command of their own); rows/s = attendance rows ÷ that time. **raw
  COPY**: the same file `COPY`ed into an unindexed table of text columns;
  **indexed COPY**: into a text table with the landing table's three
  indexes.
- **full build**: the wall time of `payroll run --all-closed`; the periods
  it computed are counted in `marts.fct_payroll`; dbt's own seconds come
  from its `run_results.json` ("n/a" when dbt left none).
- **floor**: `bench/floor.sql`, one hand-written statement writing the same
  rows as `marts.fct_workweek_hours` (cross-checked: every row and total to
  the cent), best of two runs.
- **naive**: one ORM query per staff member and period, pay computed in
  Python (`bench/naive.py`, cross-checked row by row against the mart),
  measured on at most S's 100 k shifts and extrapolated linearly beyond.
- **one period**: `payroll run --period <P> --tenant <T>`, the biggest
  tenant's last computed period (no later period to recompute), the whole
  history loaded; process start included; best of three when a run takes
  under a minute, else one run (the table says which).
- **trivial floor**: `python -m bench.trivial.run`, one Dagster run on the
  same instance and launcher as `payroll run` of one asset running one
  one-line dbt model (`select 1 as x`) through dagster-dbt; manifest parsed
  before; process start included; best of three.
- **cascade**: with the year computed, one punch of the biggest tenant's
  first period of the year comes again 15 minutes longer (newer
  `updated_at`); after `payroll ingest` of it, the wall time of `payroll
  run --period <that period> --tenant <T>`; the periods it recomputed are
  those whose pay rows a new run stamped; the extra 0.25 h must show in
  that person's `hours_worked` (the bench fails otherwise).
- **peak RSS**: the resident memory of a `payroll` command's whole process
  tree (the process and its children, dbt included, summed at each 50 ms
  poll), the largest over every `payroll` command of the run.
- **growth**: over the latest run of each size, µs per shift at each size
  and the least-squares slope; linear when the seconds added per shift from
  M to L are at most 1.2 × those from S to M.
"""


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _goal_value(value: object) -> str:
    """Ratios below 1 keep three decimals (an ingest at 0.3 % of COPY is not 0.00)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1:
        return _fmt(float(value), 3)
    return _fmt(None if value is None else float(value), 2)  # type: ignore[arg-type]


def goal_results(result: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Each goal's value, target at this run's size and verdict (for the JSON)."""
    size = str(result["size"])
    found = {}
    for goal in GOALS:
        value = result.get(goal.key)
        found[goal.key] = {
            "value": value,
            "target": goal.target(size),
            "higher_is_better": goal.higher_is_better,
            "goal": goal.describe(),
            "verdict": goal.verdict(size, None if value is None else float(value)),
        }
    return found


def _measures(r: Mapping[str, object]) -> list[tuple[str, str]]:
    naive_note = " (extrapolated)" if r.get("naive_is_extrapolated") else ""
    dbt = (
        f"{_fmt(r.get('dbt_seconds_full_build'))} ({_fmt(r.get('dbt_model_seconds_full_build'))}"
        f" / {_fmt(r.get('dbt_test_seconds_full_build'))})"
        if r.get("dbt_seconds_full_build") is not None
        else "n/a (no dbt artifacts)"
    )
    peak_rss = r.get("peak_rss_mb_by_command") or {}
    heaviest = max(peak_rss, key=peak_rss.get) if peak_rss else None
    check = r.get("cascade_check") or {}
    one_period = (
        f"`payroll run --period {r.get('one_period_start')} --tenant {r.get('one_period_tenant')}`"
    )
    cascade = f"`payroll run --period {check.get('period_start')} --tenant {check.get('tenant')}`"
    return [
        ("shifts (staff)", f"{_fmt(r['shifts'])} ({_fmt(r['dataset']['staff'])})"),
        ("attendance rows", _fmt(r["attendance_rows"])),
        (
            "ingest: whole `payroll ingest attendance.csv` s / rows/s",
            f"{_fmt(r.get('ingest_seconds'), 2)} / {_fmt(r.get('ingest_rows_per_second'), 0)}",
        ),
        (
            "raw COPY (unindexed text table) s / rows/s",
            f"{_fmt(r.get('copy_seconds'), 2)} / {_fmt(r.get('copy_rows_per_second'), 0)}",
        ),
        (
            "COPY into a text table with the landing indexes s / rows/s",
            f"{_fmt(r.get('indexed_copy_seconds'), 2)} / "
            f"{_fmt(r.get('indexed_copy_rows_per_second'), 0)}",
        ),
        (
            "full build: `payroll run --all-closed` s (periods computed)",
            f"{_fmt(r.get('full_build_seconds'))} ({_fmt(r.get('periods'))})",
        ),
        ("… of which dbt s (models / tests)", dbt),
        ("SQL floor s (best of 2)", _fmt(r.get("floor_seconds"), 2)),
        (f"naive s{naive_note}", _fmt(r.get("naive_seconds_extrapolated"))),
        (
            f"one period: {one_period} s (shifts in it; periods recomputed; timing)",
            f"{_fmt(r.get('one_period_seconds'))} ({_fmt(r.get('one_period_shifts'))}; "
            f"{_fmt(r.get('one_period_periods_recomputed'))}; {r.get('one_period_timing')})",
        ),
        (
            f"trivial floor: `python -m bench.trivial.run` s ({r.get('trivial_timing')})",
            _fmt(r.get("trivial_run_seconds"), 2),
        ),
        (
            f"correction cascade: {cascade} s (periods recomputed / expected)",
            f"{_fmt(r.get('cascade_seconds'))} ({_fmt(r.get('cascade_periods'))} / "
            f"{_fmt(check.get('periods_expected'))})",
        ),
        (
            "… corrected punch: hours worked before → after (expected)",
            f"{check.get('hours_before')} → {check.get('hours_after')} "
            f"({check.get('hours_expected')}): {'ok' if check.get('matches') else 'WRONG'}",
        ),
        (
            "peak RSS MB of a `payroll` process tree (command)",
            f"{_fmt(r.get('peak_rss_mb'))} ({heaviest})",
        ),
        (
            "floor / naive match the marts to the cent",
            f"{_fmt(r['floor_check']['matches'])} / {_fmt(r['naive_check']['matches'])}",
        ),
    ]


def _growth_rows(growth: Mapping[str, object] | None) -> list[str]:
    if not growth:
        return ["", "growth S → M → L: n/a (one size measured so far)"]
    lines = [
        "",
        "| growth: µs per shift | " + " | ".join(SIZE_ORDER) + " | slope µs/shift | linear |",
        "|---|" + "---:|" * (len(SIZE_ORDER) + 1) + "---|",
    ]
    measured = growth["series"]
    for name in SERIES:
        info = measured.get(name)  # type: ignore[union-attr]
        if info is None:
            lines.append(f"| {name} | " + " | ".join("n/a" for _ in SIZE_ORDER) + " | n/a | n/a |")
            continue
        per_size = dict(zip(info["sizes"], info["us_per_shift"], strict=True))
        cells = " | ".join(_fmt(per_size.get(size), 1) for size in SIZE_ORDER)
        lines.append(f"| {name} | {cells} | {info['slope_us_per_shift']:,.2f} | {info['linear']} |")
    return lines


def render_table(result: Mapping[str, object]) -> str:
    """Markdown: the measures, each goal with its verdict, the growth."""
    size = str(result["size"])
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in _measures(result)]
    lines += ["", f"| goal | measured | target at {size} | verdict |", "|---|---:|---|---|"]
    for goal in GOALS:
        value = result.get(goal.key)
        verdict = goal.verdict(size, None if value is None else float(value))
        lines.append(
            f"| {goal.label} (`{goal.key}`) | {_goal_value(value)} | {goal.describe_at(size)} | "
            f"{verdict} |"
        )
    growth = result.get("growth") or {}
    lines.append(
        "| growth S → M → L (full build, floor, ingest) | see below | linear (M → L per shift "
        f"≤ {TOLERANCE:g} × S → M) | {growth.get('linear', NOT_APPLICABLE)} |"
    )
    lines += _growth_rows(result.get("growth"))  # type: ignore[arg-type]
    return "\n".join(lines)


SUMMARY_ROWS: tuple[tuple[str, str, int], ...] = (
    ("shifts", "shifts", 0),
    ("ingest s (whole command)", "ingest_seconds", 1),
    ("ingest rows/s", "ingest_rows_per_second", 0),
    ("raw COPY rows/s", "copy_rows_per_second", 0),
    ("full build s (`run --all-closed`)", "full_build_seconds", 0),
    ("SQL floor s", "floor_seconds", 2),
    ("naive s (S measured, beyond extrapolated)", "naive_seconds_extrapolated", 0),
    ("one period s", "one_period_seconds", 1),
    ("trivial floor s", "trivial_run_seconds", 1),
    ("correction cascade s", "cascade_seconds", 1),
    ("periods the cascade recomputed", "cascade_periods", 0),
)


def render_summary(results: Mapping[str, Mapping[str, object]]) -> str:
    """The latest run of each size side by side, then each goal's verdict."""
    sizes = [s for s in SIZE_ORDER if s in results]
    if not sizes:
        return "(no benchmark run of this harness yet)"
    lines = ["| | " + " | ".join(sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for label, key, digits in SUMMARY_ROWS:
        cells = []
        for size in sizes:
            value = results[size].get(key)
            cells.append(_fmt(float(value) if isinstance(value, int) and digits else value, digits))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for goal in GOALS:
        cells = []
        for size in sizes:
            value = results[size].get(goal.key)
            verdict = goal.verdict(size, None if value is None else float(value))
            cells.append(f"{_goal_value(value)} ({verdict})")
        lines.append(f"| {goal.label} — {goal.describe()} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_json(result: Mapping[str, object], stamp: str, results_dir: Path = RESULTS_DIR) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result['size']}-{stamp}.json"
    written = {**result, "results_format": RESULTS_FORMAT}
    path.write_text(json.dumps(written, indent=2, sort_keys=True, default=str) + "\n")
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


def is_trial(result: Mapping[str, object]) -> bool:
    """A run over a shorter year (``--weeks``): it tries the harness, it is
    no benchmark result."""
    return result.get("weeks", WEEKS) != WEEKS


def latest_by_size(results_dir: Path = RESULTS_DIR) -> dict[str, dict[str, object]]:
    """The latest run of each size measured by this harness, trials left out."""
    latest: dict[str, tuple[str, dict[str, object]]] = {}
    for path in results_dir.glob("*.json"):
        data = json.loads(path.read_text())
        size, started = data.get("size"), str(data.get("started_at", ""))
        if data.get("results_format") != RESULTS_FORMAT or is_trial(data):
            continue
        if size in SIZE_ORDER and (size not in latest or started > latest[size][0]):
            latest[size] = (started, data)
    return {size: data for size, (_, data) in latest.items()}
