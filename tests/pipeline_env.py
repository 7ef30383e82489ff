"""A test's own pipeline environment: its warehouse and PAYROLL_HOME, nothing
of the caller's settings, DAGSTER_HOME where ``payroll ui`` would put it."""

from __future__ import annotations

from pathlib import Path

import pytest


def isolated_pipeline_env(url: str, home: Path) -> pytest.MonkeyPatch:
    """Applied now; ``restore_pipeline_env`` undoes it."""
    from dagster_project.lib.instance import STORAGE_URL_ENV
    from dagster_project.settings import get_settings

    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    for name in ("PAYROLL_DAGSTER_DATABASE_URL", "PAYROLL_LANDING_DIR", "PAYROLL_ENVIRONMENT"):
        patch.delenv(name, raising=False)
    # prepare_dagster_home() exports these two; the patch puts the old values back
    patch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
    patch.setenv(STORAGE_URL_ENV, "")
    get_settings.cache_clear()
    return patch


def restore_pipeline_env(patch: pytest.MonkeyPatch) -> None:
    from dagster_project.settings import get_settings

    patch.undo()
    get_settings.cache_clear()
