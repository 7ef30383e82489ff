from pathlib import Path

from dagster_project.defs.dbt.args import CALENDAR_SELECT, build_args

ARGS = build_args(
    ["--select", CALENDAR_SELECT],
    project_dir=Path("/p"),
    target_path=Path("/t"),
    log_path=Path("/l"),
)


def test_builds_run_build_so_tests_run_with_their_models():
    assert ARGS[0] == "build"
    assert ARGS[ARGS.index("--indirect-selection") + 1] == "buildable"
    assert ARGS[-2:] == ["--select", CALENDAR_SELECT]


def test_no_run_parameter_reaches_dbt_as_vars():
    # vars invalidate dbt's partial parsing: the run's periods are in the warehouse
    assert "--vars" not in ARGS


def test_orchestrated_builds_leave_unit_tests_to_the_test_suite():
    assert ARGS[ARGS.index("--exclude-resource-type") + 1] == "unit_test"


def test_only_the_selected_schemas_are_cached():
    assert "--cache-selected-only" in ARGS


def test_artifacts_and_logs_go_where_the_run_says():
    assert ARGS[ARGS.index("--target-path") + 1] == "/t"
    assert ARGS[ARGS.index("--log-path") + 1] == "/l"
