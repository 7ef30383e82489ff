"""The ingest asset loads the landing folder into raw tables, as in the UI."""

import shutil
from pathlib import Path

import dagster as dg
import psycopg2

from dagster_project.defs.ingest.assets import raw_landing_files
from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "e2e"


def test_landing_folder_materializes_every_raw_table(database_url, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES, landing)
    result = dg.materialize(
        [raw_landing_files],
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            "payroll_settings": PayrollSettingsResource(
                home=str(tmp_path / "home"), landing_dir=str(landing)
            ),
        },
    )
    assert result.success
    metadata = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert metadata["raw/attendance"]["rows_loaded"].value == 28
    assert metadata["raw/tenants"]["rows_loaded"].value == 2
    assert metadata["raw/ytd_opening"]["files"].value == 0
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        cur.execute("select count(*) from raw.attendance")
        assert cur.fetchone() == (28,)
    conn.close()
