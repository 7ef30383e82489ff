"""dbt models as Dagster assets: the pay calendar, and pay periods — any
number of them in one run and one ``dbt build``.

dbt runs in the run's own process from the manifest parsed at install time
(``lib/dbt_inprocess.py``); dagster-dbt turns each node's result into the
asset's materialization or check result as the build goes.
"""

import json
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES
from dagster_dbt import dbt_assets
from dagster_dbt.asset_utils import get_subset_selection_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from dagster_project.core.periods import PayPeriodKey, parse_partition_key
from dagster_project.core.tags import PERIOD_TAG, TENANT_TAG
from dagster_project.defs.dbt.args import (
    CALENDAR_SELECT,
    PERIOD_EXCLUDE,
    PERIOD_SELECT,
    build_args,
)
from dagster_project.defs.dbt.project import DBT_PROJECT_DIR, payroll_dbt_project
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource
from dagster_project.lib.build_selection import clear_selection, finalized_periods, select_periods
from dagster_project.lib.database import dbt_env
from dagster_project.lib.dbt_inprocess import DbtBuild, stream_build
from dagster_project.lib.dbt_translator import PayrollDbtTranslator
from dagster_project.lib.gx_prefetch import prefetch_audit_modules
from dagster_project.lib.instance import WAREHOUSE_POOL
from dagster_project.lib.pay_calendar import start_calendar_build
from dagster_project.lib.publish import stage_calendar, stage_periods
from dagster_project.lib.table_statistics import analyze_stale_tables
from dagster_project.lib.transient import (
    MAX_RETRIES,
    SECONDS_BETWEEN_RETRIES,
    is_transient_database_error,
)

_TRANSLATOR = PayrollDbtTranslator()


@lru_cache(maxsize=1)
def _manifest_dict() -> dict[str, Any]:
    return json.loads(Path(payroll_dbt_project.manifest_path).read_text(encoding="utf-8"))


def _dbt_dirs(home: Path) -> tuple[Path, Path]:
    """Where a build leaves its artifacts (run_results.json, compiled SQL) and
    its log: ``DBT_TARGET_PATH`` when set, else under ``PAYROLL_HOME``."""
    target = Path(os.environ.get("DBT_TARGET_PATH") or home / "dbt" / "target")
    logs = home / "logs"
    target.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    return target, logs


def _build(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
    select: str,
    exclude: str | None,
) -> Iterator[Any]:
    """``dbt build`` of this step's selected assets, in this process; each
    node's result becomes its Dagster event as it arrives. A failed node
    fails the step with dbt's messages (a lost connection is retried)."""
    manifest = _manifest_dict()
    selection, indirect = get_subset_selection_for_context(
        context=context,
        manifest=manifest,
        select=select,
        exclude=exclude,
        selector=None,
        dagster_dbt_translator=_TRANSLATOR,
        current_dbt_indirect_selection_env=None,
    )
    target, logs = _dbt_dirs(payroll_settings.home_dir)
    env = dbt_env(warehouse.url())
    os.environ.update(env)
    args = build_args(
        selection,
        project_dir=DBT_PROJECT_DIR,
        target_path=target,
        log_path=logs,
        indirect_selection=indirect,
    )
    build = DbtBuild(args)
    for raw_event in stream_build(
        args, Path(payroll_dbt_project.manifest_path), env["PAYROLL_DBT_DBNAME"], build
    ):
        event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
        yield from event.to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=_TRANSLATOR, context=context
        )
    if not build.success:
        message = "; ".join(build.errors) or "dbt build failed"
        # a lost connection is retried (each model replaces its periods, so
        # a rerun is clean); a failed test or bad data fails the run at once
        if is_transient_database_error(message):
            raise dg.RetryRequested(
                max_retries=MAX_RETRIES, seconds_to_wait=SECONDS_BETWEEN_RETRIES
            )
        raise dg.Failure(description=f"dbt build failed: {message[:4000]}")


class PayCalendarConfig(dg.Config):
    """``as_of``: the instant whose local date ends the calendar (ISO 8601
    with offset); empty = now. The demo runs as of its own last day."""

    as_of: str | None = None


@dbt_assets(
    manifest=payroll_dbt_project.manifest_path,
    project=payroll_dbt_project,
    select=CALENDAR_SELECT,
    name="pay_calendar_models",
    dagster_dbt_translator=_TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def pay_calendar_models(
    context: dg.AssetExecutionContext,
    config: PayCalendarConfig,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> Iterator[Any]:
    with warehouse.exclusive_writer():
        with warehouse.transaction() as conn:
            _analyze_stale_tables(context, conn)
            start_calendar_build(conn, context.run_id, config.as_of)
        yield from _build(context, warehouse, payroll_settings, CALENDAR_SELECT, None)
        # write done: copy the calendar into this run's audit schema
        stage_calendar(warehouse.url(), context.run_id)


@dbt_assets(
    manifest=payroll_dbt_project.manifest_path,
    project=payroll_dbt_project,
    select=PERIOD_SELECT,
    exclude=PERIOD_EXCLUDE,
    name="pay_period_models",
    partitions_def=PAY_PERIODS,
    # a backfill of any number of periods is one run and one dbt build:
    # year-to-date figures come from one window over the range
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=_TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def pay_period_models(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    payroll_settings: PayrollSettingsResource,
) -> Iterator[Any]:
    periods = run_periods(context)
    _tag_run(context, periods)
    with warehouse.transaction() as conn:
        finalized = finalized_periods(conn, periods)
    computed = [period for period in periods if period not in finalized]
    for period in sorted(finalized):
        context.log.info(
            f"pay_period_skipped tenant={period.tenant_id} period_start={period.period_start} "
            "reason=finalized"
        )
    if not computed:
        raise dg.Failure(
            description="every period of the run is finalized: their published rows never change"
        )
    context.log.info(
        f"pay_period_build periods={len(computed)} first={computed[0].partition_key} "
        f"last={computed[-1].partition_key}"
    )
    prefetch_audit_modules()
    with warehouse.exclusive_writer():
        with warehouse.transaction() as conn:
            _analyze_stale_tables(context, conn)
            select_periods(conn, context.run_id, computed)
        try:
            yield from _build(context, warehouse, payroll_settings, PERIOD_SELECT, PERIOD_EXCLUDE)
            # write done: copy exactly what this run built into its audit
            # schema, still under the lock, for the checks and the publish
            staged = stage_periods(
                warehouse.url(), context.run_id, computed, _runs_in_progress(context.instance)
            )
        finally:
            with warehouse.transaction() as conn:
                clear_selection(conn)
    context.log.info(
        "pay_period_staged " + " ".join(f"{mart}={rows}" for mart, rows in staged.items())
    )


def _analyze_stale_tables(context: dg.AssetExecutionContext, conn: Any) -> None:
    analyzed = analyze_stale_tables(conn)
    if analyzed:
        context.log.info("tables_analyzed " + " ".join(analyzed))


def run_periods(context: dg.AssetExecutionContext) -> list[PayPeriodKey]:
    """The run's periods, in order: its partition, or its partition range."""
    return sorted(parse_partition_key(key) for key in context.partition_keys)


def _tag_run(context: dg.AssetExecutionContext, periods: list[PayPeriodKey]) -> None:
    """Every pay-period run carries ``payroll/tenant`` and ``payroll/period``
    (``first..last`` for a range), however it was launched."""
    if TENANT_TAG in context.run.tags:
        return
    first, last = periods[0], periods[-1]
    span = first.period_start.isoformat()
    if last != first:
        span = f"{span}..{last.period_start.isoformat()}"
    tenants = ",".join(sorted({period.tenant_id for period in periods}))
    context.instance.add_run_tags(context.run_id, {TENANT_TAG: tenants, PERIOD_TAG: span})


def _runs_in_progress(instance: dg.DagsterInstance) -> list[str]:
    """Runs whose audit schema may still be needed (the others' are dropped)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=list(IN_PROGRESS_RUN_STATUSES)))
    return [run.run_id for run in runs]


def defs() -> dg.Definitions:
    return dg.Definitions(assets=[pay_calendar_models, pay_period_models])
