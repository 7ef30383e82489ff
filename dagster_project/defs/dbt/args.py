"""dbt command lines, kept pure so they can be unit-tested."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dagster_project.lib.pay_calendar import CALENDAR_VIEWS

# Built once per warehouse state, not per period: reference seeds, the views
# (staging, the attendance checks every run reads through its window, the
# semantic layer's day spine) and the pay calendar every partition is derived
# from.
CALENDAR_SELECT = f"resource_type:seed path:models/staging {CALENDAR_VIEWS} dim_pay_periods"
PERIOD_SELECT = "path:models/intermediate path:models/marts"
PERIOD_EXCLUDE = f"dim_pay_periods {CALENDAR_VIEWS}"

# A test runs with the build that selects all its models, or whose other
# models are upstream of it (a relationship to a staging view runs with the
# period build that reads that view, never before the mart exists).
DEFAULT_INDIRECT_SELECTION = "buildable"
# dbt unit tests prove the SQL, not the data: `make test` runs them.
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def build_args(
    selection: Sequence[str],
    *,
    project_dir: Path,
    target_path: Path,
    log_path: Path,
    indirect_selection: str | None = None,
) -> list[str]:
    """``dbt build`` of ``selection`` (``--select``/``--exclude`` arguments).

    No ``--vars``: the periods a build computes are read from the warehouse
    (``control.pay_period_build``), so dbt never re-parses for a new run.
    Only the schemas of the selected nodes are listed into dbt's relation
    cache, not every schema of the project."""
    return [
        "build",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        # dbt prints nothing: its lines are relayed as our log events
        # (lib/dbt_inprocess); its own file log keeps every detail
        "--log-level",
        "none",
        "--log-level-file",
        "debug",
        "--no-use-colors",
        "--indirect-selection",
        indirect_selection or DEFAULT_INDIRECT_SELECTION,
        *NO_UNIT_TESTS,
        "--cache-selected-only",
        *selection,
    ]
