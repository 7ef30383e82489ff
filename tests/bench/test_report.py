"""The results JSON and the tables: every goal printed with its verdict,
"n/a" for what was not measured, old and trial runs never compared."""

from __future__ import annotations

import json

from bench import growth, report

GOAL_KEYS = (
    "full_build_vs_floor_ratio",
    "naive_vs_full_build_speedup",
    "one_period_vs_trivial_run_ratio",
    "cascade_vs_one_period_ratio",
    "ingest_vs_copy_ratio",
    "ingest_vs_indexed_copy_ratio",
    "peak_rss_mb",
)


def _result(size: str = "S", **changes: object) -> dict[str, object]:
    result: dict[str, object] = {
        "size": size,
        "started_at": "2026-12-01T10:00:00Z",
        "shifts": 100_000,
        "attendance_rows": 101_500,
        "dataset": {"staff": 636},
        "ingest_seconds": 7.0,
        "ingest_rows_per_second": 14_500,
        "copy_seconds": 0.09,
        "copy_rows_per_second": 1_100_000,
        "indexed_copy_seconds": 0.7,
        "indexed_copy_rows_per_second": 145_000,
        "full_build_seconds": 12.0,
        "periods": 25,
        "dbt_seconds_full_build": None,
        "floor_seconds": 0.9,
        "naive_seconds_extrapolated": 12.0,
        "naive_is_extrapolated": False,
        "one_period_start": "2026-10-25",
        "one_period_tenant": "chain",
        "one_period_seconds": 9.0,
        "one_period_shifts": 4_767,
        "one_period_timing": "best of 3",
        "one_period_periods_recomputed": 1,
        "trivial_run_seconds": 8.0,
        "trivial_timing": "best of 3",
        "cascade_seconds": 16.0,
        "cascade_periods": 22,
        "cascade_check": {
            "matches": True,
            "tenant": "chain",
            "period_start": "2026-01-04",
            "hours_before": "70.2500",
            "hours_after": "70.5000",
            "hours_expected": "70.5000",
            "periods_expected": 22,
        },
        "peak_rss_mb": 310.0,
        "peak_rss_mb_by_command": {"ingest #0": 250.0, "full_build #1": 310.0},
        "floor_check": {"matches": True},
        "naive_check": {"matches": True},
        "full_build_vs_floor_ratio": 13.33,
        "naive_vs_full_build_speedup": 1.0,
        "one_period_vs_trivial_run_ratio": 1.12,
        "cascade_vs_one_period_ratio": 1.78,
        "ingest_vs_copy_ratio": 0.013,
        "ingest_vs_indexed_copy_ratio": 0.1,
        "weeks": 44,
    }
    result.update(changes)
    return result


def _goal_line(table: str, key: str) -> list[str]:
    (line,) = [row for row in table.splitlines() if f"(`{key}`)" in row]
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_every_goal_is_printed_with_its_verdict_at_the_size():
    table = report.render_table(_result())
    assert _goal_line(table, "full_build_vs_floor_ratio")[1:] == ["13.33", "≤ 15", "met"]
    assert _goal_line(table, "one_period_vs_trivial_run_ratio")[1:] == ["1.12", "≤ 1.5", "met"]
    assert _goal_line(table, "cascade_vs_one_period_ratio")[1:] == ["1.78", "≤ 2", "met"]
    assert _goal_line(table, "peak_rss_mb")[1:] == ["310.00", "≤ 300", "missed"]
    # measured at S, but set for M
    assert _goal_line(table, "naive_vs_full_build_speedup")[1:] == [
        "1.00",
        "none at S (≥ 4 at M)",
        "n/a",
    ]
    # a ratio below 1 keeps three decimals
    assert _goal_line(table, "ingest_vs_copy_ratio")[1:] == [
        "0.013",
        "none at S (≥ 0.3 at M)",
        "n/a",
    ]


def test_the_same_figures_at_m_are_judged_by_m_targets():
    table = report.render_table(_result("M", full_build_vs_floor_ratio=13.33))
    assert _goal_line(table, "full_build_vs_floor_ratio")[2:] == ["≤ 3", "missed"]
    assert _goal_line(table, "ingest_vs_copy_ratio")[2:] == ["≥ 0.3", "missed"]
    assert _goal_line(table, "one_period_vs_trivial_run_ratio")[3] == "n/a"


def test_a_figure_not_measured_is_n_a():
    table = report.render_table(_result(cascade_vs_one_period_ratio=None))
    assert _goal_line(table, "cascade_vs_one_period_ratio")[1:] == ["n/a", "≤ 2", "n/a"]
    # dbt left no run_results.json
    assert "| … of which dbt s (models / tests) | n/a (no dbt artifacts) |" in table


def test_the_table_names_the_commands_and_the_cascade_check():
    table = report.render_table(_result())
    assert "`payroll run --period 2026-10-25 --tenant chain`" in table
    assert "| 9.0 (4,767; 1; best of 3) |" in table
    assert "`payroll run --period 2026-01-04 --tenant chain` s" in table
    assert "| 16.0 (22 / 22) |" in table
    assert "70.2500 → 70.5000 (70.5000): ok" in table
    assert "| 310.0 (full_build #1) |" in table
    assert "growth S → M → L: n/a" in table


def test_the_growth_table_of_three_sizes():
    results = {
        size: {
            "shifts": shifts,
            "full_build_seconds": 30 + 50e-6 * shifts,
            "floor_seconds": 9e-6 * shifts,
            "ingest_seconds": 2 + 25e-6 * shifts,
        }
        for size, shifts in (("S", 100_000), ("M", 1_000_000), ("L", 5_000_000))
    }
    table = report.render_table(_result(growth=growth.growth(results)))
    assert "| SQL floor | 9.0 | 9.0 | 9.0 | 9.00 | met |" in table
    assert "| full build | 350.0 | 80.0 | 56.0 | 50.00 | met |" in table
    (goal,) = [row for row in table.splitlines() if row.startswith("| growth S → M → L")]
    assert goal.endswith("| met |")


def test_the_json_holds_the_goal_keys_and_their_verdicts(tmp_path):
    result = _result()
    result["goals"] = report.goal_results(result)
    path = report.write_json(result, "20261201T100000Z", tmp_path)
    written = json.loads(path.read_text())
    assert path.name == "S-20261201T100000Z.json"
    assert written["results_format"] == report.RESULTS_FORMAT
    for key in GOAL_KEYS:
        assert key in written, key
        assert written["goals"][key]["value"] == result[key]
    assert written["goals"]["peak_rss_mb"] | {"goal": None} == {
        "value": 310.0,
        "target": 300,
        "higher_is_better": False,
        "goal": None,
        "verdict": "missed",
    }
    assert written["goals"]["naive_vs_full_build_speedup"]["verdict"] == "n/a"


def test_latest_by_size_compares_only_this_harness_and_no_trial(tmp_path):
    report.write_json(_result(started_at="2026-12-01T10:00:00Z"), "a", tmp_path)
    report.write_json(_result(started_at="2026-12-02T10:00:00Z", shifts=1), "b", tmp_path)
    report.write_json(_result(started_at="2026-12-03T10:00:00Z", weeks=4), "c", tmp_path)
    old = _result(started_at="2026-12-04T10:00:00Z")  # the previous harness: no format
    (tmp_path / "S-old.json").write_text(json.dumps(old))
    report.write_json(_result("M", started_at="2026-11-01T10:00:00Z"), "d", tmp_path)
    latest = report.latest_by_size(tmp_path)
    assert sorted(latest) == ["M", "S"]
    assert latest["S"]["started_at"] == "2026-12-02T10:00:00Z"


def test_summary_of_the_latest_runs_side_by_side():
    summary = report.render_summary({"S": _result(), "M": _result("M")})
    assert summary.splitlines()[0] == "| | S | M |"
    (line,) = [row for row in summary.splitlines() if row.startswith("| full build (")]
    assert line.endswith("| 13.33 (met) | 13.33 (missed) |")
    assert report.render_summary({}) == "(no benchmark run of this harness yet)"
