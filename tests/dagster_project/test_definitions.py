import dagster as dg

from dagster_project.definitions import defs


def test_definitions_load_with_jobs_partitions_and_the_blocking_check():
    definitions = defs()
    jobs = {job.name for job in definitions.resolve_all_job_defs()}
    assert {"pay_calendar_job", "pay_period_job"} <= jobs
    period_job = definitions.resolve_job_def("pay_period_job")
    assert period_job.partitions_def.name == "pay_periods"
    assert period_job.tags["payroll/warehouse-writer"] == "true"
    assert period_job.tags["dagster/max_runtime"] == "3600"
    graph = definitions.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {
        "raw/attendance",
        "marts/fct_payroll",
        "marts/fct_workweek_hours",
        "marts/fct_attendance_exceptions",
        "marts/rpt_location_labor_cost",
        "marts/dim_pay_periods",
        "reference/federal_withholding_2026",
    } <= keys
    check = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_payroll"]), "gx_payroll_suite")
    assert graph.get_check_spec(check).blocking


def test_dbt_models_are_grouped_and_owned():
    graph = defs().resolve_asset_graph()
    node = graph.get(dg.AssetKey(["marts", "fct_payroll"]))
    assert node.group_name == "reports"
    assert node.owners == ["team:payroll"]
    assert graph.get(dg.AssetKey(["intermediate", "int_workweeks_summed"])).group_name == "hours"
    assert graph.get(dg.AssetKey(["reference", "payroll_tax_rates"])).group_name == "reference"
