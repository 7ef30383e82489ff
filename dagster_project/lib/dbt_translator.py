"""How dbt nodes appear in Dagster: keys by schema, groups by concern."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from dagster_project.core.names import OWNER

# What an operator looks for: where data comes in, hours, pay, taxes, reports.
_GROUP_BY_FOLDER = {
    "staging": "ingest",
    "attendance": "ingest",
    "hours": "hours",
    "pay": "pay",
    "periods": "pay",
    "marts": "reports",
}
# the marts whose job is withholding and employer taxes
_TAX_MODELS = {"fct_payroll"}


class PayrollDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """``<schema>/<name>``, so ``raw/attendance`` (a source) is the key the
        ingest asset materializes and ``marts/fct_payroll`` reads as its table."""
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """Seeds are reference data; models group by concern: ingest (staging,
        attendance checks), hours, pay, taxes (the register), reports."""
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["name"] in _TAX_MODELS:
            return "taxes"
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        if not folders:
            return None
        folder = folders[1] if folders[0] == "intermediate" and len(folders) > 1 else folders[0]
        return _GROUP_BY_FOLDER.get(folder, folder)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        """Every payroll model has one accountable owner."""
        return [OWNER]
