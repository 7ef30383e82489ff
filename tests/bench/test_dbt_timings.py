"""dbt node timings from the artifacts of a phase, wherever dbt wrote them:
a subfolder per dagster-dbt CLI invocation, or the phase folder itself (dbt
invoked in-process); none at all is "not measured", not a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.dbt_timings import collect, compiled_sql


def _run_results(folder: Path, elapsed: float, nodes: dict[str, float]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    results = [{"unique_id": uid, "execution_time": t} for uid, t in nodes.items()]
    (folder / "run_results.json").write_text(
        json.dumps({"elapsed_time": elapsed, "results": results})
    )


def test_one_subfolder_per_cli_invocation(tmp_path):
    _run_results(tmp_path / "a-1", 10.0, {"model.payroll.fct_payroll": 2.0, "test.payroll.t": 1.0})
    _run_results(tmp_path / "a-2", 12.0, {"model.payroll.fct_payroll": 3.0})
    timings = collect(tmp_path)
    assert timings.measured
    assert timings.invocations == 2
    assert timings.dbt_elapsed_seconds == pytest.approx(22.0)
    node = timings.nodes["model.payroll.fct_payroll"]
    assert (node.seconds, node.runs, node.slowest) == (5.0, 2, 3.0)
    assert timings.summed("model") == pytest.approx(5.0)
    assert timings.summed("test") == pytest.approx(1.0)
    assert [n.name for n in timings.heaviest("model", 3)] == ["fct_payroll"]


def test_dbt_in_process_writes_into_the_phase_folder_itself(tmp_path):
    _run_results(tmp_path, 30.0, {"model.payroll.int_x": 4.0, "model.payroll.int_y": 6.0})
    timings = collect(tmp_path)
    assert timings.invocations == 1
    assert [n.name for n in timings.heaviest("model", 1)] == ["int_y"]


def test_no_artifacts_is_not_measured(tmp_path):
    assert not collect(tmp_path / "never_created").measured
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run_results.json").write_text('{"elapsed_time": ')  # cut short
    timings = collect(tmp_path)
    assert not timings.measured
    assert timings.heaviest("model", 3) == []


def test_compiled_sql_in_either_layout(tmp_path):
    nested = tmp_path / "cli" / "a-1" / "compiled" / "payroll" / "models" / "marts"
    nested.mkdir(parents=True)
    (nested / "fct_payroll.sql").write_text("select 1")
    flat = tmp_path / "inproc" / "compiled" / "payroll" / "models" / "intermediate"
    flat.mkdir(parents=True)
    (flat / "int_x.sql").write_text("select 2")
    assert compiled_sql(tmp_path / "cli", "fct_payroll") == "select 1"
    assert compiled_sql(tmp_path / "inproc", "int_x") == "select 2"
    assert compiled_sql(tmp_path / "inproc", "fct_payroll") is None
