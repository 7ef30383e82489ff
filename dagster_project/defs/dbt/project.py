"""The one dbt project. Its manifest is built at install time (``make``
runs ``dbt parse``), or by ``dagster dev`` through ``prepare_if_dev``."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

payroll_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
payroll_dbt_project.prepare_if_dev()
