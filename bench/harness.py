"""``make bench [SIZE=S|M|L]``: the pipeline, as a user runs it, against the
SQL floor, the naive row-by-row baseline, raw COPY and the trivial floor,
on one seeded dataset in a database of its own.

Phases, each timed: generate the data; COPY the attendance file into an
unindexed table and into one with the landing indexes (the ingest
ceilings); ``payroll ingest`` of the reference files, then of the
attendance file (the whole command); ``payroll run --all-closed`` (the full
build); the floor statement and its cross-check; the naive baseline and its
cross-check; one ``payroll run --period`` of the biggest tenant's last
computed period; the trivial floor (``bench/trivial``); ``EXPLAIN
(ANALYZE, BUFFERS)`` of the three heaviest models; the correction cascade
(``bench/cascade.py``). Results: ``bench/results/<size>-<timestamp>.json``
(with the plans beside it), a table on the terminal with each goal met or
missed (``bench/goals.py``), a section appended to ``bench/RESULTS.md``.

Nothing is read from the output of ``payroll`` but its exit code: periods,
runs and pay come from the warehouse, dbt timings from dbt's artifacts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import cascade, generator, growth, report
from bench.copy_ceiling import indexed_copy, raw_copy
from bench.db import query
from bench.dbt_timings import PhaseTimings, collect, compiled_sql
from bench.figures import goal_ratios, peak_rss
from bench.floor import cross_check, mart_rows, naive_mismatches, run_floor
from bench.measure import Measured, run_measured
from bench.naive import run_naive
from bench.server import Server, bench_server, create_database, drop_database, server_version
from bench.trivial import project as trivial_project

REPO = Path(__file__).resolve().parents[1]
PAYROLL = REPO / ".venv" / "bin" / "payroll"
PYTHON = REPO / ".venv" / "bin" / "python"
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
TRIVIAL_RUNS = 3
ONE_PERIOD_RUNS = 3
# one period is run again (best of ONE_PERIOD_RUNS) only when a run is cheap
ONE_PERIOD_REPEAT_UNDER_SECONDS = 60.0
# what `payroll ingest` printed when it still refreshed the pay calendar
CALENDAR_MARKER = "building reference data and the pay calendar"
_CALENDAR_DONE = re.compile(r"done in ([0-9.]+)s")


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Bench:
    size: str
    url: str
    home: Path
    dbt_dir: Path

    def command(self, phase: str, argv: Sequence[str], partial_parse: Path) -> Measured:
        """``argv`` as a user runs it, against the benchmark database and its
        Dagster storage; dbt's artifacts land under ``dbt/<phase>``, where
        dagster-dbt finds the partial parse to start from."""
        target = self.dbt_dir / phase
        target.mkdir(parents=True, exist_ok=True)
        if partial_parse.exists():
            shutil.copy(partial_parse, target / partial_parse.name)
        env = os.environ.copy()
        env.update(
            PAYROLL_DATABASE_URL=self.url,
            PAYROLL_HOME=str(self.home),
            DBT_TARGET_PATH=str(target),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            GX_ANALYTICS_ENABLED="false",
        )
        for inherited in ("PAYROLL_DAGSTER_DATABASE_URL", "PAYROLL_LANDING_DIR"):
            env.pop(inherited, None)  # Dagster's storage: the benchmark database
        shown = " ".join([Path(argv[0]).name, *argv[1:]])
        started = time.perf_counter()
        _say(f"  $ {shown}")
        measured = run_measured(argv, env=env, cwd=REPO)
        logs = self.home.parent / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / f"{len(list(logs.iterdir())) + 1:02d}-{phase}.log"
        log.write_text(f"$ {shown}\n{measured.stdout}\n{measured.stderr}")
        _say(f"    {time.perf_counter() - started:.1f}s (output: {log.relative_to(REPO)})")
        return measured.check()

    def payroll(self, phase: str, *args: str) -> Measured:
        return self.command(phase, [str(PAYROLL), *args], PARTIAL_PARSE)

    def trivial(self) -> Measured:
        argv = [str(PYTHON), "-m", "bench.trivial.run"]
        return self.command("trivial", argv, trivial_project.PARTIAL_PARSE)

    def timings(self, phase: str) -> PhaseTimings:
        return collect(self.dbt_dir / phase)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return query(self.url, sql, params)


def _calendar_seconds(output: str) -> float | None:
    """The pay-calendar refresh a command printed it ran, if it ran one."""
    if CALENDAR_MARKER not in output:
        return None
    found = _CALENDAR_DONE.findall(output.split(CALENDAR_MARKER, 1)[1])
    return float(found[0]) if found else None


def _dbt_figures(timings: PhaseTimings, suffix: str) -> dict[str, object]:
    """dbt's own seconds for a phase; None when it left no artifacts."""
    if not timings.measured:
        return {
            f"dbt_{name}_{suffix}": None for name in ("seconds", "model_seconds", "test_seconds")
        }
    return {
        f"dbt_seconds_{suffix}": round(timings.dbt_elapsed_seconds, 2),
        f"dbt_model_seconds_{suffix}": round(timings.summed("model"), 2),
        f"dbt_test_seconds_{suffix}": round(timings.summed("test"), 2),
    }


def _top_nodes(timings: PhaseTimings, count: int = 8) -> list[dict[str, object]] | None:
    if not timings.measured:
        return None
    nodes = sorted(timings.nodes.values(), key=lambda n: n.seconds, reverse=True)[:count]
    return [n.to_json() for n in nodes]


def _ingest(bench: Bench, data: Path, rows: int) -> tuple[dict[str, object], list[Measured]]:
    _say("• ingest: the reference files, then attendance.csv (the whole command timed) …")
    reference = bench.payroll(
        "reference", "ingest", *(str(data / f"{name}.csv") for name in REFERENCE_FILES)
    )
    ingest = bench.payroll("ingest", "ingest", str(data / "attendance.csv"))
    started = time.perf_counter()
    bench.query("analyze")
    return {
        "reference_ingest_seconds": round(reference.seconds, 2),
        "ingest_seconds": round(ingest.seconds, 2),
        "ingest_rows_per_second": round(rows / ingest.seconds),
        "ingest_calendar_seconds": _calendar_seconds(ingest.stdout),
        "analyze_seconds": round(time.perf_counter() - started, 2),
    }, [reference, ingest]


def _require_closed_periods(bench: Bench, last_day: dt.date) -> None:
    """Every period holding data is closed (the calendar may run past the
    data, up to today)."""
    rows = bench.query(
        "select count(*) from marts.dim_pay_periods where not is_closed and period_start <= %s",
        (last_day,),
    )
    if rows[0][0]:
        raise RuntimeError(
            f"{rows[0][0]} pay periods of the benchmark data are not closed yet: this "
            f"machine's date ({dt.date.today()}) is before the end of the data "
            f"({last_day}) plus a pay period"
        )


def _full_build(bench: Bench, last_day: dt.date) -> tuple[dict[str, object], Measured]:
    _say("• full build: payroll run --all-closed …")
    build = bench.payroll("full_build", "run", "--all-closed")
    _require_closed_periods(bench, last_day)
    periods = bench.query("select count(distinct (tenant_id, period_start)) from marts.fct_payroll")
    closed = bench.query("select count(*) from marts.dim_pay_periods where is_closed")
    timings = bench.timings("full_build")
    _say(f"  {periods[0][0]} periods computed ({closed[0][0]} closed)")
    return {
        "full_build_seconds": round(build.seconds, 2),
        "periods": periods[0][0],
        "periods_closed": closed[0][0],
        "dbt_invocations_full_build": timings.invocations,
        **_dbt_figures(timings, "full_build"),
        "heaviest_nodes_full_build": _top_nodes(timings),
    }, build


def _floor(bench: Bench) -> dict[str, object]:
    _say("• SQL floor …")
    runs = [run_floor(bench.url) for _ in range(FLOOR_RUNS)]
    check = cross_check(bench.url)
    _say(f"  {min(runs):.2f}s; matches fct_workweek_hours to the cent: {check.matches}")
    return {
        "floor_seconds": round(min(runs), 3),
        "floor_runs_seconds": [round(s, 3) for s in runs],
        "floor_check": check.to_json(),
    }


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
    _say("• naive baseline (ORM query per staff and period, pay in Python) …")
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
    matches = missing == 0 and differing == 0
    _say(f"  {run.seconds:.1f}s for {sample_rows:,} rows; matches: {matches}")
    return {
        "naive_measured_seconds": round(run.seconds, 2),
        "naive_measured_attendance_rows": sample_rows,
        "naive_queries": run.queries,
        "naive_seconds_per_shift": per_shift,
        "naive_is_extrapolated": sample is not None,
        "naive_seconds_extrapolated": round(per_shift * shifts, 1),
        "naive_check": {
            "matches": matches,
            "rows_compared": compared,
            "rows_missing": missing,
            "rows_differing": differing,
        },
    }


def _last_full_period(bench: Bench, tenant_id: str) -> tuple[dt.date, int]:
    """The tenant's last computed period that is a full one (at least half
    the punches of its busiest: the data may end a few days into a period,
    and the calendar may go on past the data) and the punches in it."""
    rows = bench.query(
        """
        with counted as (
            select p.period_start, (
                select count(*) from raw.attendance as a
                where a.tenant_id = p.tenant_id
                    and a.clock_in >= p.period_start and a.clock_in < p.period_end + 1
            ) as punches
            from marts.dim_pay_periods as p
            where p.tenant_id = %s
                and p.period_start in (
                    select period_start from marts.fct_payroll where tenant_id = %s
                )
        )
        select period_start, punches
        from counted
        where punches * 2 >= (select max(punches) from counted)
        order by period_start desc
        limit 1
        """,
        (tenant_id, tenant_id),
    )
    return rows[0][0], rows[0][1]


def _one_period(bench: Bench) -> tuple[dict[str, object], list[Measured]]:
    tenant_id = cascade.biggest_tenant(bench.url)
    start, punches = _last_full_period(bench, tenant_id)
    _say(f"• one period: payroll run --period {start} --tenant {tenant_id} …")
    before = cascade.run_ids(bench.url)
    args = ("run", "--period", start.isoformat(), "--tenant", tenant_id)
    runs = [bench.payroll("one_period", *args)]
    recomputed = cascade.periods_recomputed(bench.url, before)
    _say(f"  periods it recomputed: {', '.join(f'{t} {p}' for t, p in recomputed) or 'none'}")
    if runs[0].seconds < ONE_PERIOD_REPEAT_UNDER_SECONDS:
        runs += [bench.payroll("one_period", *args) for _ in range(ONE_PERIOD_RUNS - 1)]
    timings = bench.timings("one_period")
    return {
        "one_period_tenant": tenant_id,
        "one_period_start": start.isoformat(),
        "one_period_shifts": punches,
        "one_period_seconds": round(min(m.seconds for m in runs), 2),
        "one_period_runs_seconds": [round(m.seconds, 2) for m in runs],
        "one_period_timing": f"best of {len(runs)}" if len(runs) > 1 else "1 run",
        "one_period_periods_recomputed": len(recomputed),
        **_dbt_figures(timings, "one_period"),
        "heaviest_nodes_one_period": _top_nodes(timings),
    }, runs


def _trivial(bench: Bench) -> dict[str, object]:
    from dagster_project.lib.database import dbt_env

    _say("• trivial floor: one Dagster run of one asset running `select 1 as x` …")
    trivial_project.parse(dbt_env(bench.url))  # before timing: partial parsing applies
    runs = [bench.trivial() for _ in range(TRIVIAL_RUNS)]
    return {
        "trivial_run_seconds": round(min(m.seconds for m in runs), 2),
        "trivial_runs_seconds": [round(m.seconds, 2) for m in runs],
        "trivial_timing": f"best of {len(runs)}",
        "trivial_peak_rss_mb": max(m.peak_tree_rss_mb for m in runs),
    }


def _cascade(bench: Bench, work: Path) -> tuple[dict[str, object], list[Measured]]:
    correction = cascade.prepare(bench.url, work / "correction")
    _say(
        f"• correction cascade: punch {correction.event_id} of {correction.tenant_id} "
        f"{correction.period_start} clocks out 15 minutes later …"
    )
    ingest = bench.payroll("cascade_ingest", "ingest", str(correction.file))
    before = cascade.run_ids(bench.url)
    args = ("run", "--period", correction.period_start.isoformat())
    run = bench.payroll("cascade", *args, "--tenant", correction.tenant_id)
    recomputed = cascade.periods_recomputed(bench.url, before)
    check = cascade.verify(bench.url, correction, recomputed)
    _say(
        f"  {len(recomputed)} periods recomputed (expected {correction.periods_expected}); "
        f"hours worked {check['hours_before']} → {check['hours_after']}: "
        f"{'ok' if check['matches'] else 'WRONG'}"
    )
    return {
        "cascade_ingest_seconds": round(ingest.seconds, 2),
        "cascade_seconds": round(run.seconds, 2),
        "cascade_periods": len(recomputed),
        "cascade_check": check,
    }, [ingest, run]


def _explain(bench: Bench, models: list[str], phases: Sequence[str], path: Path) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each model's compiled SELECT, as the
    first phase that compiled it did, into one text file."""
    explained = []
    with path.open("w", encoding="utf-8") as out:
        for model in models:
            sql = next(
                (s for p in phases if (s := compiled_sql(bench.dbt_dir / p, model)) is not None),
                None,
            )
            if sql is None:
                continue
            plan = bench.query(f"explain (analyze, buffers, verbose false) {sql}")
            out.write(f"==== {model}\n")
            out.write("\n".join(line for (line,) in plan) + "\n\n")
            explained.append(model)
    return explained


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


def run(size: str, shifts: int, seed: int, keep: bool, weeks: int) -> dict[str, object]:
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = started_at.replace(":", "").replace("-", "")
    work = WORK_DIR / size.lower()
    shutil.rmtree(work, ignore_errors=True)
    data, home, dbt_dir = work / "data", work / "home", work / "dbt"
    load_before = os.getloadavg()[0]
    wall_started = time.perf_counter()

    _say(f"• generating {size}: {shifts:,} shifts over {weeks} weeks (seed {seed}) …")
    started = time.perf_counter()
    dataset = generator.generate(data, shifts, seed=seed, calendar=generator.Calendar(weeks=weeks))
    generate_seconds = time.perf_counter() - started
    attendance_rows = dataset.rows["attendance"]
    _say(f"  {dataset.shifts:,} shifts, {attendance_rows:,} attendance rows in "
         f"{generate_seconds:.1f}s")  # fmt: skip

    dbname = f"payroll_bench_{size.lower()}"
    with bench_server(work) as server:
        url = create_database(server, dbname)
        _say(f"• database {dbname} on {server.kind}")
        try:
            result = _measure(Bench(size, url, home, dbt_dir), server, dataset, work, stamp)
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
        weeks=weeks,
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
    work: Path,
    stamp: str,
) -> dict[str, object]:
    rows = dataset.rows["attendance"]
    attendance = dataset.folder / "attendance.csv"

    _say("• raw COPY of attendance.csv into an unindexed table, then an indexed one …")
    copy_seconds = raw_copy(bench.url, attendance)
    indexed_seconds = indexed_copy(bench.url, attendance)
    _say(f"  {copy_seconds:.2f}s unindexed, {indexed_seconds:.2f}s with the landing indexes")

    ingest, ingest_commands = _ingest(bench, dataset.folder, rows)
    build, build_command = _full_build(bench, dataset.last_day)
    floor = _floor(bench)
    naive = _naive(bench, dataset.shifts)
    one_period, one_period_commands = _one_period(bench)
    trivial = _trivial(bench)

    _say("• EXPLAIN (ANALYZE, BUFFERS) of the three heaviest models …")
    heaviest = [n.name for n in bench.timings("full_build").heaviest("model", EXPLAINED_MODELS)]
    report.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    plans_path = report.RESULTS_DIR / f"{bench.size}-{stamp}.explain.txt"
    explained = _explain(bench, heaviest, ("one_period", "full_build"), plans_path)

    corrected, cascade_commands = _cascade(bench, work)
    commands = [
        *zip(("reference_ingest", "ingest"), ingest_commands, strict=True),
        ("full_build", build_command),
        *(("one_period", m) for m in one_period_commands),
        *zip(("cascade_ingest", "cascade"), cascade_commands, strict=True),
    ]
    result: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "postgres": server_version(bench.url),
            "server": server.kind,
            "python": sys.version.split()[0],
        },
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_second": round(rows / copy_seconds),
        "indexed_copy_seconds": round(indexed_seconds, 3),
        "indexed_copy_rows_per_second": round(rows / indexed_seconds),
        **ingest,
        **build,
        **floor,
        **naive,
        **one_period,
        **trivial,
        **corrected,
        **peak_rss(commands),
        "explained_models": explained,
        "explain_file": str(plans_path.relative_to(REPO)),
    }
    result.update(goal_ratios(result))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The payroll benchmark (make bench).")
    parser.add_argument("--size", choices=report.SIZE_ORDER, default="S")
    parser.add_argument("--shifts", type=int, help="Override the size's shift count.")
    parser.add_argument(
        "--weeks",
        type=int,
        default=generator.WEEKS,
        help="A shorter year, to try the harness quickly (not a benchmark result).",
    )
    parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
    parser.add_argument(
        "--keep", action="store_true", help="Keep the database and the generated files."
    )
    args = parser.parse_args(argv)
    shifts = args.shifts or generator.SIZES[args.size]
    result = run(args.size, shifts, args.seed, args.keep, args.weeks)
    stamp = result["started_at"].replace(":", "").replace("-", "")
    result["results_file"] = f"bench/results/{args.size}-{stamp}.json"
    result["goals"] = report.goal_results(result)
    path = report.write_json(result, stamp)
    result["growth"] = growth.growth(report.latest_by_size())
    report.write_json(result, stamp)
    table = report.render_table(result)
    print()
    print(table)
    if report.is_trial(result):
        print(
            f"\nresults: {path.relative_to(REPO)} "
            f"(a trial over {args.weeks} weeks: not in RESULTS.md)"
        )
    else:
        report.append_markdown(result, table)
        print(f"\nresults: {path.relative_to(REPO)}; appended to bench/RESULTS.md")
    print("\nlatest run of each size:\n")
    print(report.render_summary(report.latest_by_size()))
    return _exit_code(result)


def _exit_code(result: dict[str, object]) -> int:
    failed = [
        name
        for name, key in (
            ("the SQL floor", "floor_check"),
            ("the naive baseline", "naive_check"),
            ("the correction cascade", "cascade_check"),
        )
        if not result[key]["matches"]  # type: ignore[index]
    ]
    for name in failed:
        print(
            f"error: {name} does not match the marts (see its check in the results)",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
