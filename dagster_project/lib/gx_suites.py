"""Great Expectations: one suite per published mart, validated in the warehouse.

The suites are versioned in the repository (``dagster_project/gx/expectations/
<mart>.json``, GX 1.x suite format). A run validates the copy it is about to
publish (schema ``wap_<run id>``): every expectation becomes a query, no row
of pay leaves the database, and results keep counts only (``SUMMARY`` with
no sample of unexpected values or rows), so no value (names, amounts) reaches
logs, metadata or Data Docs. Results are
stored in a GX file context under ``PAYROLL_HOME/gx`` and rendered as Data
Docs in ``PAYROLL_HOME/gx/uncommitted/data_docs/local_site/``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster_project.lib.database import sqlalchemy_url
from dagster_project.lib.logs import get_logger

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

_log = get_logger(__name__)

SUITES_DIR = Path(__file__).resolve().parents[1] / "gx" / "expectations"
_URL_VARIABLE = "GX_WAREHOUSE_URL"
_DATASOURCE = "warehouse"
# counts of unexpected rows, never a sample of their values
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
}


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    column: str | None
    success: bool
    unexpected_rows: int | None = None


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    table: str
    rows: int
    outcomes: tuple[ExpectationOutcome, ...]
    # rows per pay period of the run ("tenant|period start"), for period marts
    rows_by_period: dict[str, int] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failed(self) -> list[str]:
        return [outcome.name for outcome in self.outcomes if not outcome.success]

    def failure_summary(self) -> str:
        """Expectation names and columns with the table's row count — never a
        value of a row."""
        failed = [_describe_failure(o, self.rows) for o in self.outcomes if not o.success]
        return (
            f"{self.table}: {len(failed)} of {len(self.outcomes)} expectations failed: "
            + "; ".join(failed)
        )


def _describe_failure(outcome: ExpectationOutcome, rows: int) -> str:
    """``overtime_within_hours_worked: 1 of 3 rows`` — what and how many, no value."""
    where = f" (column {outcome.column})" if outcome.column else ""
    count = "?" if outcome.unexpected_rows is None else str(outcome.unexpected_rows)
    return f"{outcome.name}{where}: {count} of {rows} rows"


def _unexpected_rows(result: dict[str, Any], expectation_type: str) -> int | None:
    count = result.get("unexpected_count")
    if count is None and expectation_type == "unexpected_rows_expectation":
        count = result.get("observed_value")
    return int(count) if isinstance(count, int | float) else None


def suite_names() -> list[str]:
    return sorted(path.stem for path in SUITES_DIR.glob("*.json"))


def load_suite_config(name: str) -> dict[str, Any]:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def data_docs_index(gx_home: Path) -> Path:
    return gx_home / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


@contextlib.contextmanager
def _context(gx_home: Path, warehouse_url: str) -> Iterator[tuple[Any, Any]]:
    """The file context under ``gx_home`` and its warehouse data source,
    whose database connections are closed on the way out: GX keeps them
    pooled (for PostgreSQL, until the garbage collector finds the pool),
    and a long-lived process validates run after run."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    gx_home.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_home))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # A config variable rather than the URL itself: GX stores no credentials,
    # and it accepts unix-socket URLs (no host) that its URL check refuses.
    os.environ[_URL_VARIABLE] = sqlalchemy_url(warehouse_url)
    try:
        datasource = context.data_sources.get(_DATASOURCE)
    except KeyError:
        datasource = context.data_sources.add_postgres(
            name=_DATASOURCE, connection_string="${" + _URL_VARIABLE + "}"
        )
    try:
        yield context, datasource
    finally:
        _close_connections([datasource, *context.data_sources.all().values()])


def _close_connections(datasources: Sequence[Any]) -> None:
    """Dispose of the SQLAlchemy engines of the data sources (each one's own
    and its execution engine's): their pooled connections are closed now."""
    for datasource in datasources:
        engines = [
            getattr(datasource, "_engine", None),
            getattr(getattr(datasource, "_execution_engine", None), "engine", None),
        ]
        for engine in engines:
            dispose = getattr(engine, "dispose", None)
            if dispose is not None:
                dispose()


def _run_suites(
    context,
    datasource,
    schema: str,
    targets: Sequence[tuple[str, str, str]],
    run_name: str,
    build_docs: bool = True,
) -> dict[str, Any]:
    """Validate each ``(asset name, table in schema, suite)`` in one
    checkpoint; the validation results by asset name. Data Docs are built
    once for the checkpoint's results (an action per validation would render
    the site once per suite)."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    existing = {asset.name for asset in datasource.assets}
    suites: dict[str, Any] = {}
    validations = []
    for asset_name, table, suite_name in targets:
        if asset_name in existing:
            datasource.delete_asset(asset_name)
        asset = datasource.add_table_asset(name=asset_name, table_name=table, schema_name=schema)
        batch_definition = asset.add_batch_definition_whole_table("whole_table")
        if suite_name not in suites:
            suites[suite_name] = context.suites.add_or_update(
                gx.ExpectationSuite(**load_suite_config(suite_name))
            )
        validations.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(
                    name=asset_name, data=batch_definition, suite=suites[suite_name]
                )
            )
        )
    checkpoint_name = "audit_" + "_".join(sorted({suite for _, _, suite in targets}))
    with contextlib.suppress(Exception):  # a checkpoint of an older layout
        context.checkpoints.delete(checkpoint_name)
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=checkpoint_name,
            validation_definitions=validations,
            actions=[],
            result_format=RESULT_FORMAT,
        )
    )
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_name))
    if build_docs:
        context.build_data_docs(resource_identifiers=list(result.run_results))
    return {
        validation.meta["active_batch_definition"]["data_asset_name"]: validation
        for validation in result.run_results.values()
    }


def _outcome(validation, table: str, rows: int, rows_by_period: dict[str, int]) -> SuiteOutcome:
    return SuiteOutcome(
        suite=validation.suite_name,
        table=table,
        rows=rows,
        outcomes=tuple(
            ExpectationOutcome(
                name=(res.expectation_config.meta or {}).get("name", res.expectation_config.type),
                column=res.expectation_config.kwargs.get("column"),
                success=bool(res.success),
                unexpected_rows=_unexpected_rows(
                    dict(res.result or {}), res.expectation_config.type
                ),
            )
            for res in validation.results
        ),
        rows_by_period=rows_by_period,
    )


def validate_tables(
    warehouse_url: str,
    schema: str,
    tables: Mapping[str, str | None],
    gx_home: Path,
    run_name: str,
) -> dict[str, SuiteOutcome]:
    """Validate each ``schema.<table>`` with the suite of the same name, in
    one context and one checkpoint; keep the results and rebuild Data Docs
    under ``gx_home``. ``tables`` maps each table to its period column (rows
    are counted per pay period of the run) or None."""
    with _context(gx_home, warehouse_url) as (context, datasource):
        validations = _run_suites(
            context, datasource, schema, [(table, table, table) for table in tables], run_name
        )
    counts = _row_counts(warehouse_url, schema, tables)
    outcomes = {table: _outcome(validations[table], table, *counts[table]) for table in tables}
    for outcome in outcomes.values():
        _log.info(
            "gx_suite_validated",
            suite=outcome.suite,
            table=f"{schema}.{outcome.table}",
            expectations=len(outcome.outcomes),
            failed=",".join(outcome.failed) or "none",
        )
    return outcomes


def failing_periods(
    warehouse_url: str, schema: str, table: str, period_column: str, gx_home: Path
) -> list[str]:
    """The run's pay periods (``tenant|period start``) on which ``table``'s
    suite fails when validated alone: a failed range names its periods. Only
    run for a suite that failed, over one view per period."""
    from psycopg2 import sql

    from dagster_project.lib.database import transaction

    with transaction(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(
            sql.SQL("select tenant_id, period_start from {} order by 1, 2").format(
                sql.Identifier(schema, "_pay_periods")
            )
        )
        periods = cur.fetchall()
        if len(periods) < 2:
            return [f"{tenant}|{start}" for tenant, start in periods]
        for number, (tenant, start) in enumerate(periods):
            cur.execute(
                sql.SQL(
                    "create or replace view {} as select * from {} where {} = %s and {} = %s"
                ).format(
                    sql.Identifier(schema, f"{table}__period_{number}"),
                    sql.Identifier(schema, table),
                    sql.Identifier("tenant_id"),
                    sql.Identifier(period_column),
                ),
                (tenant, start),
            )
    targets = [
        (f"{table}__period_{number}", f"{table}__period_{number}", table)
        for number in range(len(periods))
    ]
    with _context(gx_home, warehouse_url) as (context, datasource):
        validations = _run_suites(
            context, datasource, schema, targets, f"{schema}-periods", build_docs=False
        )
    return [
        f"{tenant}|{start}"
        for number, (tenant, start) in enumerate(periods)
        if not validations[f"{table}__period_{number}"].success
    ]


def _row_counts(
    warehouse_url: str, schema: str, tables: Mapping[str, str | None]
) -> dict[str, tuple[int, dict[str, int]]]:
    """Rows of each table, and per pay period of the run for period tables."""
    from psycopg2 import sql

    from dagster_project.lib.database import transaction

    counts: dict[str, tuple[int, dict[str, int]]] = {}
    with transaction(warehouse_url) as conn, conn.cursor() as cur:
        for table, period_column in tables.items():
            relation = sql.Identifier(schema, table)
            if period_column is None:
                cur.execute(sql.SQL("select count(*) from {}").format(relation))
                counts[table] = (cur.fetchone()[0], {})
                continue
            cur.execute(
                sql.SQL(
                    "select p.tenant_id, p.period_start, count(t.tenant_id) from {} as p "
                    "left join {} as t on t.tenant_id = p.tenant_id and t.{} = p.period_start "
                    "group by 1, 2 order by 1, 2"
                ).format(
                    sql.Identifier(schema, "_pay_periods"), relation, sql.Identifier(period_column)
                )
            )
            by_period = {f"{tenant}|{start}": rows for tenant, start, rows in cur.fetchall()}
            counts[table] = (sum(by_period.values()), by_period)
    return counts
