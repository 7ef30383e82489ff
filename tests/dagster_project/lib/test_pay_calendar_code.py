"""The calendar's code version changes with exactly what the calendar run
builds: its seeds, staging views, the attendance-check views and
dim_pay_periods, and any project macro they may call — so a new release of
any of them rebuilds the views before a pay-period run reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dagster_project.lib.pay_calendar import CALENDAR_VIEWS, MANIFEST, code_version


@pytest.fixture
def manifest(tmp_path) -> tuple[dict, Path]:
    return json.loads(MANIFEST.read_text(encoding="utf-8")), tmp_path / "manifest.json"


def _version_after(manifest: tuple[dict, Path], change) -> str:
    content, path = manifest
    change(content)
    path.write_text(json.dumps(content), encoding="utf-8")
    return code_version(path)


def _node(content: dict, name: str) -> dict:
    return next(node for node in content["nodes"].values() if node["name"] == name)


def _edit_checksum(name: str):
    def change(content: dict) -> None:
        _node(content, name)["checksum"]["checksum"] = "edited"

    return change


def test_unchanged_manifest_keeps_its_version(manifest):
    assert _version_after(manifest, lambda content: None) == code_version(MANIFEST)


@pytest.mark.parametrize(
    "name", ["stg_raw__staff", "dim_pay_periods", "payroll_tax_rates", *CALENDAR_VIEWS.split()]
)
def test_a_model_the_calendar_run_builds_changes_the_version(manifest, name):
    assert _version_after(manifest, _edit_checksum(name)) != code_version(MANIFEST)


def test_a_macro_changes_the_version(manifest):
    def change(content: dict) -> None:
        content["macros"]["macro.payroll.rate_in_effect"]["macro_sql"] += " "

    assert _version_after(manifest, change) != code_version(MANIFEST)


def test_a_pay_period_model_does_not(manifest):
    assert _version_after(manifest, _edit_checksum("fct_payroll")) == code_version(MANIFEST)
