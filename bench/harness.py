"""``make bench [SIZE=S|M|L]``: the pipeline, as a user runs it, against the
SQL floor, the naive row-by-row baseline and a raw COPY, on one seeded
dataset in a database of its own.

Phases, each timed: generate the data; COPY the attendance file into an
unindexed table (the ingest ceiling); the fixed overhead of one ``payroll
run`` on a near-empty warehouse (the probe tenant); ``payroll ingest``;
``payroll run --all-closed`` (the full build); the floor statement and its
cross-check; the naive baseline and its cross-check; one-period incremental
runs with the whole history loaded; ``EXPLAIN (ANALYZE, BUFFERS)`` of the
three heaviest models. Results: ``bench/results/<size>-<timestamp>.json``
(with the plans beside it), a table on the terminal, a section appended to
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from bench import generator, report
from bench.dbt_timings import PhaseTimings, collect, compiled_sql
from bench.floor import cross_check, mart_rows, naive_mismatches, run_floor
from bench.measure import Measured, run_measured
from bench.naive import run_naive
from bench.server import Server, bench_server, create_database, drop_database, server_version

REPO = Path(__file__).resolve().parents[1]
PAYROLL = REPO / ".venv" / "bin" / "payroll"
WORK_DIR = Path(__file__).with_name(".work")
PARTIAL_PARSE = REPO / "dbt_project" / "target" / "partial_parse.msgpack"
REFERENCE_FILES = (
    "tenants",
    "locations",
    "staff",
    "pay_rates",
    "deductions",
    "adjustments",
    "ytd_opening",
)
NAIVE_SAMPLE_SHIFTS = generator.SIZES["S"]
EXPLAINED_MODELS = 3
FLOOR_RUNS = 2
# `payroll ingest` prints it when the loading is done and the calendar run starts
CALENDAR_MARKER = "building reference data and the pay calendar"
_CALENDAR = re.compile(r"done in ([0-9.]+)s")
_PERIOD = re.compile(r"\] pay period (\S+) (\d{4}-\d{2}-\d{2}) …\n\s+(ok|FAILED) in ([0-9.]+)s")


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Bench:
    size: str
    url: str
    home: Path
    dbt_dir: Path

    def payroll(self, phase: str, *args: str, marker: str | None = None) -> Measured:
        """``payroll ARGS`` as a user runs it, against the benchmark database;
        dbt's per-invocation artifacts land under ``dbt/<phase>``."""
        target = self.dbt_dir / phase
        target.mkdir(parents=True, exist_ok=True)
        if PARTIAL_PARSE.exists():  # what dagster-dbt copies from dbt_project/target
            shutil.copy(PARTIAL_PARSE, target / PARTIAL_PARSE.name)
        env = os.environ.copy()
        env.update(
            PAYROLL_DATABASE_URL=self.url,
            PAYROLL_HOME=str(self.home),
            DBT_TARGET_PATH=str(target),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            GX_ANALYTICS_ENABLED="false",
        )
        for inherited in ("PAYROLL_DAGSTER_DATABASE_URL", "PAYROLL_LANDING_DIR"):
            env.pop(inherited, None)
        started = time.perf_counter()
        _say(f"  $ payroll {' '.join(args)}")
        measured = run_measured([str(PAYROLL), *args], env=env, cwd=REPO, marker=marker)
        logs = self.home.parent / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / f"{len(list(logs.iterdir())) + 1:02d}-{phase}.log"
        log.write_text(f"$ payroll {' '.join(args)}\n{measured.stdout}\n{measured.stderr}")
        _say(f"    {time.perf_counter() - started:.1f}s (output: {log.relative_to(REPO)})")
        return measured.check()

    def timings(self, phase: str) -> PhaseTimings:
        return collect(self.dbt_dir / phase)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        conn = psycopg2.connect(self.url)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql, params or None)  # no params: a % in the SQL is literal
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


def _calendar_seconds(output: str) -> float:
    found = _CALENDAR.findall(output)
    return float(found[-1]) if found else 0.0


def _period_runs(output: str) -> list[dict[str, object]]:
    runs = [
        {"tenant": t, "period": p, "ok": status == "ok", "seconds": float(s)}
        for t, p, status, s in _PERIOD.findall(output)
    ]
    failed = [r for r in runs if not r["ok"]]
    if failed:
        raise RuntimeError(f"pay period runs failed: {failed}")
    return runs


# COPY into a table with the landing table's three indexes (raw.attendance),
# text columns: what index maintenance alone costs, without any validation.
_INDEXED_COPY_TABLE = """
    create table bench.attendance_indexed ({columns});
    create index on bench.attendance_indexed (tenant_id, event_id);
    create index on bench.attendance_indexed (tenant_id, staff_id, clock_in);
    create index on bench.attendance_indexed (tenant_id, clock_in);
"""


def _timed_copy(url: str, attendance: Path, create: str, table: str) -> float:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("create schema if not exists bench")
            cur.execute(create)
        with conn, conn.cursor() as cur, attendance.open("rb") as handle:
            started = time.perf_counter()
            cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", handle)
            seconds = time.perf_counter() - started
        with conn, conn.cursor() as cur:
            cur.execute(f"drop table {table}")
    finally:
        conn.close()
    return seconds


def _text_columns() -> str:
    return ", ".join(f"{c} text" for c in generator.CONTRACT_COLUMNS["attendance"])


def _copy_ceiling(url: str, attendance: Path) -> float:
    """COPY of the attendance file into an unindexed table of text columns."""
    create = f"create table bench.attendance_copy ({_text_columns()})"
    return _timed_copy(url, attendance, create, "bench.attendance_copy")


def _indexed_copy(url: str, attendance: Path) -> float:
    create = _INDEXED_COPY_TABLE.format(columns=_text_columns())
    return _timed_copy(url, attendance, create, "bench.attendance_indexed")


def _require_closed_periods(bench: Bench) -> None:
    rows = bench.query("select count(*) from marts.dim_pay_periods where not is_closed")
    if rows[0][0]:
        raise RuntimeError(
            f"{rows[0][0]} pay periods of the benchmark data are not closed yet: this "
            f"machine's date ({dt.date.today()}) is before the end of the data "
            f"({generator.Calendar().last_day}) plus a pay period"
        )


def _naive_sample(bench: Bench, shifts: int) -> dict[str, set[str]] | None:
    """All staff at S; beyond, the chain's first staff up to S's shift count."""
    if shifts <= NAIVE_SAMPLE_SHIFTS * 1.05:
        return None
    counts = bench.query(
        "select staff_id, count(*) from raw.attendance where tenant_id = 'chain' "
        "group by staff_id order by staff_id"
    )
    chosen: set[str] = set()
    total = 0
    for staff_id, count in counts:
        if total >= NAIVE_SAMPLE_SHIFTS:
            break
        chosen.add(staff_id)
        total += count
    return {"chain": chosen}


def _naive(bench: Bench, shifts: int) -> dict[str, object]:
    sample = _naive_sample(bench, shifts)
    run = run_naive(bench.url, sample)
    staff = None if sample is None else {(t, s) for t, ids in sample.items() for s in ids}
    compared, missing, differing = naive_mismatches(run.rows, mart_rows(bench.url), staff)
    if sample is None:
        sample_rows = bench.query("select count(*) from raw.attendance")[0][0]
    else:
        sample_rows = bench.query(
            "select count(*) from raw.attendance where tenant_id = 'chain' and staff_id = any(%s)",
            (sorted(sample["chain"]),),
        )[0][0]
    per_shift = run.seconds / sample_rows
    return {
        "naive_measured_seconds": round(run.seconds, 2),
        "naive_measured_attendance_rows": sample_rows,
        "naive_queries": run.queries,
        "naive_seconds_per_shift": per_shift,
        "naive_is_extrapolated": sample is not None,
        "naive_seconds_extrapolated": round(per_shift * shifts, 1),
        "naive_check": {
            "matches": missing == 0 and differing == 0,
            "rows_compared": compared,
            "rows_missing": missing,
            "rows_differing": differing,
        },
    }


def _last_periods(bench: Bench) -> dict[str, tuple[dt.date, int]]:
    """Each data tenant's last closed period that is a full one (at least
    half the punches of its busiest period: the data may end a few days into
    the last closed period) and the punches in it."""
    rows = bench.query(
        """
        with counted as (
            select p.tenant_id, p.period_start, (
                select count(*) from raw.attendance as a
                where a.tenant_id = p.tenant_id
                    and a.clock_in >= p.period_start and a.clock_in < p.period_end + 1
            ) as punches
            from marts.dim_pay_periods as p
            where p.is_closed
        ),
        full_periods as (
            select tenant_id, period_start, punches
            from counted as c
            where punches * 2 >= (
                select max(punches) from counted as m where m.tenant_id = c.tenant_id
            )
        )
        select distinct on (tenant_id) tenant_id, period_start, punches
        from full_periods
        order by tenant_id, period_start desc
        """
    )
    return {tenant: (start, count) for tenant, start, count in rows}


def _explain(bench: Bench, models: list[str], phase: str, path: Path) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each model's compiled SELECT, as the
    incremental run compiled it, into one text file."""
    explained = []
    with path.open("w", encoding="utf-8") as out:
        for model in models:
            sql = compiled_sql(bench.dbt_dir / phase, model)
            if sql is None:
                continue
            plan = bench.query(f"explain (analyze, buffers, verbose false) {sql}")
            out.write(f"==== {model}\n")
            out.write("\n".join(line for (line,) in plan) + "\n\n")
            explained.append(model)
    return explained


def _rss(measured: Sequence[Measured], prefix: str) -> float | None:
    peaks = [
        peak for m in measured for label, peak in m.peak_rss_mb.items() if label.startswith(prefix)
    ]
    return max(peaks, default=None)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def run(size: str, shifts: int, seed: int, keep: bool) -> dict[str, object]:
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = started_at.replace(":", "").replace("-", "")
    work = WORK_DIR / size.lower()
    shutil.rmtree(work, ignore_errors=True)
    data, probe, home, dbt_dir = work / "data", work / "probe", work / "home", work / "dbt"
    load_before = os.getloadavg()[0]
    wall_started = time.perf_counter()

    _say(f"• generating {size}: {shifts:,} shifts (seed {seed}) …")
    started = time.perf_counter()
    dataset = generator.generate(data, shifts, seed=seed)
    generator.write_probe_files(probe)
    generate_seconds = time.perf_counter() - started
    attendance_rows = dataset.rows["attendance"]
    _say(f"  {dataset.shifts:,} shifts, {attendance_rows:,} attendance rows in "
         f"{generate_seconds:.1f}s")  # fmt: skip

    dbname = f"payroll_bench_{size.lower()}"
    with bench_server(work) as server:
        url = create_database(server, dbname)
        _say(f"• database {dbname} on {server.kind}")
        try:
            result = _measure(
                Bench(size, url, home, dbt_dir), server, dataset, data, probe, size, stamp
            )
        except Exception:
            _say(f"! the benchmark stopped; its files stay in {work.relative_to(REPO)}")
            raise
        finally:
            if not keep:
                drop_database(server, dbname)
    result.update(
        size=size,
        started_at=started_at,
        commit=_commit(),
        generate_seconds=round(generate_seconds, 2),
        attendance_rows=attendance_rows,
        dataset=dataset.to_json(),
        shifts=dataset.shifts,
        harness_seconds=round(time.perf_counter() - wall_started, 1),
    )
    result["machine"].update(load_before=load_before, load_after=os.getloadavg()[0])
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _measure(
    bench: Bench,
    server: Server,
    dataset: generator.DatasetSummary,
    data: Path,
    probe: Path,
    size: str,
    stamp: str,
) -> dict[str, object]:
    shifts = dataset.shifts
    attendance = data / "attendance.csv"

    _say("• raw COPY of attendance.csv into an unindexed table …")
    copy_seconds = _copy_ceiling(bench.url, attendance)
    copy_rate = dataset.rows["attendance"] / copy_seconds
    _say(f"  {copy_seconds:.2f}s, {copy_rate:,.0f} rows/s")
    indexed_copy_seconds = _indexed_copy(bench.url, attendance)
    _say(f"  with the landing table's three indexes: {indexed_copy_seconds:.2f}s")

    _say("• fixed overhead: one period of a near-empty warehouse (probe tenant) …")
    # the reference files come along: no attendance yet, so nothing to compute
    reference = bench.payroll(
        "probe",
        "ingest",
        str(probe),
        *(str(data / f"{name}.csv") for name in REFERENCE_FILES),
        marker=CALENDAR_MARKER,
    )
    probe_period = generator.FIRST_DAY.isoformat()
    overhead = bench.payroll("probe", "run", "--period", probe_period, "--tenant", "probe")
    overhead_calendar = _calendar_seconds(overhead.stdout)
    overhead_period = sum(float(r["seconds"]) for r in _period_runs(overhead.stdout))
    overhead_command = overhead.seconds - overhead_calendar - overhead_period

    _say("• ingest …")
    ingest = bench.payroll("ingest", "ingest", str(attendance), marker=CALENDAR_MARKER)
    ingest_calendar = _calendar_seconds(ingest.stdout)
    ingest_seconds = ingest.seconds - ingest_calendar
    ingest_rate = dataset.rows["attendance"] / ingest_seconds
    _require_closed_periods(bench)
    started = time.perf_counter()
    bench.query("analyze")
    analyze_seconds = time.perf_counter() - started

    _say("• full build: payroll run --all-closed …")
    build = bench.payroll("full_build", "run", "--all-closed")
    build_runs = _period_runs(build.stdout)
    build_calendar = _calendar_seconds(build.stdout)
    build_timings = bench.timings("full_build")
    periods = len(build_runs)
    build_overhead = overhead_command + overhead_calendar + periods * overhead_period
    work_seconds = build.seconds - build_overhead

    _say("• SQL floor …")
    floor_runs = [run_floor(bench.url) for _ in range(FLOOR_RUNS)]
    floor_seconds = min(floor_runs)
    check = cross_check(bench.url)
    _say(f"  {floor_seconds:.2f}s; matches fct_workweek_hours to the cent: {check.matches}")

    _say("• naive baseline (ORM query per staff and period, pay in Python) …")
    naive = _naive(bench, shifts)
    _say(
        f"  {naive['naive_measured_seconds']}s for {naive['naive_measured_attendance_rows']:,} "
        f"rows; matches: {naive['naive_check']['matches']}"
    )

    _say("• incremental: the last period of each tenant, whole history loaded …")
    last = _last_periods(bench)
    chain_start, chain_shifts = last["chain"]
    incremental = bench.payroll(
        "incremental", "run", "--period", chain_start.isoformat(), "--tenant", "chain"
    )
    small: Measured | None = None
    small_shifts = None
    if "bistro" in last and size != "S":  # at S, history is too short to tell
        bistro_start, small_shifts = last["bistro"]
        small = bench.payroll(
            "incremental_small", "run", "--period", bistro_start.isoformat(), "--tenant", "bistro"
        )

    _say("• EXPLAIN (ANALYZE, BUFFERS) of the three heaviest models …")
    heaviest = [n.name for n in build_timings.heaviest("model", EXPLAINED_MODELS)]
    plans_path = report.RESULTS_DIR / f"{size}-{stamp}.explain.txt"
    report.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    explained = _explain(bench, heaviest, "incremental", plans_path)

    commands = [reference, overhead, ingest, build, incremental]
    if small is not None:
        commands.append(small)
    peak = max(m.peak_process_rss_mb for m in commands)
    incremental_timings = bench.timings("incremental")
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "postgres": server_version(bench.url),
            "server": server.kind,
            "python": sys.version.split()[0],
        },
        "periods": periods,
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_second": round(copy_rate),
        "ingest_command_seconds": round(ingest.seconds, 2),
        "ingest_calendar_seconds": ingest_calendar,
        "ingest_seconds": round(ingest_seconds, 2),
        "ingest_rows_per_second": round(ingest_rate),
        "ingest_vs_copy_ratio": round(ingest_rate / copy_rate, 3),
        "indexed_copy_seconds": round(indexed_copy_seconds, 3),
        "ingest_vs_indexed_copy_ratio": round(indexed_copy_seconds / ingest_seconds, 3),
        "reference_and_probe_ingest_seconds": round(reference.seconds, 2),
        "analyze_seconds": round(analyze_seconds, 2),
        "fixed_overhead_seconds": round(overhead.seconds, 2),
        "fixed_overhead_parts": {
            "command_seconds": round(overhead_command, 2),
            "calendar_run_seconds": overhead_calendar,
            "period_run_seconds": overhead_period,
            "dbt_seconds": round(bench.timings("probe").dbt_elapsed_seconds, 2),
        },
        "pipeline_seconds": round(build.seconds, 2),
        "full_build_overhead_seconds": round(build_overhead, 2),
        "pipeline_work_seconds": round(work_seconds, 2),
        "full_build_calendar_seconds": build_calendar,
        "full_build_period_seconds": [r["seconds"] for r in build_runs],
        "full_build_period_seconds_median": statistics.median(
            float(r["seconds"]) for r in build_runs
        ),
        "dbt_seconds_full_build": round(build_timings.dbt_elapsed_seconds, 2),
        "dbt_model_seconds_full_build": round(build_timings.summed("model"), 2),
        "dbt_test_seconds_full_build": round(build_timings.summed("test"), 2),
        "heaviest_nodes_full_build": [n.to_json() for n in _top_nodes(build_timings)],
        "floor_seconds": round(floor_seconds, 3),
        "floor_runs_seconds": [round(s, 3) for s in floor_runs],
        "floor_check": check.to_json(),
        "pipeline_vs_floor_ratio": round(work_seconds / floor_seconds, 2),
        "full_build_vs_floor_ratio": round(build.seconds / floor_seconds, 2),
        **naive,
        "naive_vs_pipeline_speedup": round(
            float(naive["naive_seconds_extrapolated"]) / work_seconds, 2
        ),
        "naive_vs_floor_ratio": round(
            float(naive["naive_seconds_extrapolated"]) / floor_seconds, 2
        ),
        "incremental_period": chain_start.isoformat(),
        "incremental_period_shifts": chain_shifts,
        "incremental_seconds": round(incremental.seconds, 2),
        "incremental_parts": {
            "calendar_run_seconds": _calendar_seconds(incremental.stdout),
            "period_run_seconds": sum(
                float(r["seconds"]) for r in _period_runs(incremental.stdout)
            ),
            "dbt_seconds": round(incremental_timings.dbt_elapsed_seconds, 2),
        },
        "heaviest_nodes_incremental": [n.to_json() for n in _top_nodes(incremental_timings)],
        "incremental_vs_overhead_ratio": round(incremental.seconds / overhead.seconds, 2),
        "small_incremental_seconds": None if small is None else round(small.seconds, 2),
        "small_incremental_period_shifts": small_shifts,
        "peak_rss_mb": peak,
        # the loading itself (before the calendar run the command starts after it)
        "ingest_peak_rss_mb": ingest.peak_before_marker_mb,
        "ingest_small_files_peak_rss_mb": reference.peak_before_marker_mb,
        "ingest_command_peak_rss_mb": ingest.peak_process_rss_mb,
        "rss_by_phase_mb": {
            "ingest": ingest.peak_process_rss_mb,
            "full_build": _rss([build], "payroll"),
            "dbt": _rss(commands, "dbt"),
        },
        "rss_by_command_mb": {
            " ".join(m.command[1:3]) + f" #{n}": m.peak_rss_mb for n, m in enumerate(commands)
        },
        "explained_models": explained,
        "explain_file": str(plans_path.relative_to(REPO)),
    }


def _top_nodes(timings: PhaseTimings, count: int = 8):
    return sorted(timings.nodes.values(), key=lambda n: n.seconds, reverse=True)[:count]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The payroll benchmark (make bench).")
    parser.add_argument("--size", choices=report.SIZE_ORDER, default="S")
    parser.add_argument("--shifts", type=int, help="Override the size's shift count.")
    parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
    parser.add_argument(
        "--keep", action="store_true", help="Keep the database and the generated files."
    )
    args = parser.parse_args(argv)
    shifts = args.shifts or generator.SIZES[args.size]
    result = run(args.size, shifts, args.seed, args.keep)
    stamp = result["started_at"].replace(":", "").replace("-", "")
    result["results_file"] = f"bench/results/{args.size}-{stamp}.json"
    path = report.write_json(result, stamp)
    result["slope"] = report.slope(report.latest_by_size())
    report.write_json(result, stamp)
    table = report.render_table(result)
    report.append_markdown(result, table)
    print()
    print(table)
    print(f"\nresults: {path.relative_to(REPO)}; appended to bench/RESULTS.md")
    print("\nlatest run of each size:\n")
    print(report.render_summary(report.latest_by_size()))
    ok = result["floor_check"]["matches"] and result["naive_check"]["matches"]
    if not ok:
        print("error: a baseline does not match marts.fct_workweek_hours", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
