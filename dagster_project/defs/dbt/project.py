"""The one dbt project. Its manifest is built at install time (``make``
runs ``dbt parse``), or by ``dagster dev`` through ``prepare_if_dev``."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

payroll_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
payroll_dbt_project.prepare_if_dev()


def dbt_cli_resource() -> DbtCliResource:
    # the dbt installed beside this interpreter: the venv need not be on PATH
    return DbtCliResource(
        project_dir=payroll_dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )
