import ast
from pathlib import Path

import dagster as dg

from dagster_project.definitions import defs

MARTS = (
    "fct_payroll",
    "fct_workweek_hours",
    "fct_earnings",
    "rpt_location_labor_cost",
    "fct_payroll_adjustments",
    "fct_attendance_exceptions",
)


def test_definitions_load_with_jobs_partitions_and_the_blocking_checks():
    definitions = defs()
    jobs = {job.name for job in definitions.resolve_all_job_defs()}
    assert {"pay_calendar_job", "pay_period_job"} <= jobs
    period_job = definitions.resolve_job_def("pay_period_job")
    assert period_job.partitions_def.name == "pay_periods"
    assert period_job.tags["payroll/warehouse-writer"] == "true"
    assert period_job.tags["dagster/max_runtime"] == "3600"
    graph = definitions.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"raw/attendance", "reference/federal_withholding_2026"} <= keys
    for mart in (*MARTS, "dim_pay_periods"):
        # written to build, audited there, published to marts
        assert {f"build/{mart}", f"marts/{mart}"} <= keys
        check = dg.AssetCheckKey(dg.AssetKey(["build", mart]), "gx_suite")
        assert graph.get_check_spec(check).blocking, mart
    conservation = dg.AssetCheckKey(
        dg.AssetKey(["build", "fct_attendance_exceptions"]), "attendance_conservation"
    )
    assert graph.get_check_spec(conservation).blocking


def test_publish_waits_for_every_blocking_check_of_the_period():
    """The publish step of a pay-period run depends on the audit step, so a
    failed expectation leaves the published marts untouched."""
    job = defs().resolve_job_def("pay_period_job")
    plan_deps = {
        node.name: {
            upstream.node.name
            for upstream in job.graph.dependency_structure.all_upstream_outputs_from_node(node.name)
        }
        for node in job.graph.nodes
    }
    assert "pay_period_audit" in plan_deps["published_pay_period"]
    assert "pay_period_models" in plan_deps["pay_period_audit"]


def test_dbt_models_are_grouped_and_owned():
    graph = defs().resolve_asset_graph()
    node = graph.get(dg.AssetKey(["build", "fct_payroll"]))
    assert node.group_name == "taxes"
    assert graph.get(dg.AssetKey(["build", "fct_workweek_hours"])).group_name == "reports"
    assert graph.get(dg.AssetKey(["marts", "fct_payroll"])).group_name == "reports"
    assert graph.get(dg.AssetKey(["staging", "stg_raw__attendance"])).group_name == "ingest"
    assert graph.get(dg.AssetKey(["intermediate", "int_period_earnings"])).group_name == "pay"
    assert node.owners == ["team:payroll"]
    assert graph.get(dg.AssetKey(["intermediate", "int_workweeks_summed"])).group_name == "hours"
    assert graph.get(dg.AssetKey(["reference", "payroll_tax_rates"])).group_name == "reference"


def test_every_pay_period_run_is_tagged_with_its_tenant_and_period():
    import datetime as dt

    from dagster_project.core.periods import PayPeriodKey
    from dagster_project.core.tags import range_tags

    first, last = (
        PayPeriodKey("bistro", dt.date(2026, 3, 1)),
        PayPeriodKey("bistro", dt.date(2026, 3, 29)),
    )
    one = range_tags([first])
    assert (one["payroll/tenant"], one["payroll/period"]) == ("bistro", "2026-03-01")
    assert one["dagster/partition"] == "bistro|2026-03-01"
    several = range_tags([first, last])
    assert several["payroll/period"] == "2026-03-01..2026-03-29"
    assert several["dagster/asset_partition_range_start"] == "bistro|2026-03-01"
    assert several["dagster/asset_partition_range_end"] == "bistro|2026-03-29"


def test_every_defs_module_is_merged_into_the_one_entry_point():
    """definitions.py lists the modules of defs/ by hand: one whose ``defs()``
    is not in the list would be silently missing from the code location."""
    package = Path(__file__).resolve().parents[2] / "dagster_project"
    with_defs = {
        ".".join(path.relative_to(package.parent).with_suffix("").parts)
        for path in (package / "defs").rglob("*.py")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "defs"
            for node in ast.parse(path.read_text(encoding="utf-8")).body
        )
    }
    entry_point = ast.parse((package / "definitions.py").read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in ast.walk(entry_point)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    merged = {
        imported[node.func.value.id]
        for node in ast.walk(entry_point)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "defs"
        and isinstance(node.func.value, ast.Name)
    }
    assert with_defs and with_defs <= merged, sorted(with_defs - merged)
    decorated = [
        path.name
        for path in (package / "defs").rglob("*.py")
        if "@dg.definitions" in path.read_text(encoding="utf-8")
    ]
    assert decorated == []
