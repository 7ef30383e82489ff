"""Landing folder → ``raw`` tables. One asset per landing table, loaded together
because a folder of files is one delivery."""

from collections.abc import Iterator

import dagster as dg

from dagster_project.core.names import OWNER
from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource
from dagster_project.ingest.loader import ingest_paths
from dagster_project.ingest.schemas import FILE_KINDS
from dagster_project.lib.migrations import apply_migrations

RAW_TABLE_DESCRIPTIONS = {
    "tenants": "Tenants and their pay calendars (tenants.csv).",
    "locations": "Locations with IANA time zone and state (locations.csv).",
    "staff": "Staff, pay type and W-4 elections (staff.csv).",
    "pay_rates": "Effective-dated role and staff rates (pay_rates.csv).",
    "attendance": "Clock-in/clock-out punches; newest updated_at wins (attendance*.csv).",
    "adjustments": "Bonuses by work date (adjustments.csv).",
    "deductions": "Per-period deductions (deductions.csv).",
    "ytd_opening": "Year-to-date amounts paid before this pipeline (ytd_opening.csv).",
    "bank_accounts": "Direct-deposit accounts (bank_accounts.csv), in the private schema.",
    "ach_settings": "Each tenant's direct-deposit originator (ach_settings.csv).",
    "gl_accounts": "Each tenant's general-ledger accounts by journal line (gl_accounts.csv).",
}


@dg.multi_asset(
    name="raw_landing_files",
    specs=[
        dg.AssetSpec(
            [kind.schema, kind.name],
            group_name="ingest",
            owners=[OWNER],
            description=RAW_TABLE_DESCRIPTIONS[kind.name],
        )
        for kind in FILE_KINDS.values()
    ],
)
def raw_landing_files(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> Iterator[dg.MaterializeResult]:
    """Loads every CSV of ``PAYROLL_LANDING_DIR``: bad rows are kept in
    ``raw.rejected_rows``, good rows upserted; re-delivered files change nothing."""
    landing = payroll_settings.landing_path
    landing.mkdir(parents=True, exist_ok=True)
    with warehouse.transaction() as conn:
        apply_migrations(conn)
    report = ingest_paths(warehouse.url(), [landing])
    for kind in FILE_KINDS.values():
        files = [f for f in report.files if f.kind == kind.name]
        yield dg.MaterializeResult(
            asset_key=[kind.schema, kind.name],
            metadata={
                "files": len(files),
                "rows_loaded": sum(f.loaded for f in files),
                "rows_replaced": sum(f.replaced for f in files),
                "rows_unchanged": sum(f.unchanged for f in files),
                "rows_rejected": sum(f.rejected for f in files),
            },
        )
    context.log.info(
        f"landing_ingested folder={landing} files={len(report.files)} "
        f"rejected={sum(f.rejected for f in report.files)}"
    )


def defs() -> dg.Definitions:
    return dg.Definitions(assets=[raw_landing_files])
