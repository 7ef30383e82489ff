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
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_project.lib.database import sqlalchemy_url

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

_log = logging.getLogger(__name__)

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


def validate_tables(
    warehouse_url: str,
    schema: str,
    tables: Sequence[str],
    gx_home: Path,
    run_name: str,
) -> dict[str, SuiteOutcome]:
    """Validate each ``schema.<table>`` with the suite of the same name; keep
    the results and rebuild Data Docs under ``gx_home``."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier
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

    validations = []
    for table in tables:
        # one asset per mart, pointed at this run's audited copy
        if table in [asset.name for asset in datasource.assets]:
            datasource.delete_asset(table)
        asset = datasource.add_table_asset(name=table, table_name=table, schema_name=schema)
        batch_definition = asset.add_batch_definition_whole_table("whole_table")
        suite = context.suites.add_or_update(gx.ExpectationSuite(**load_suite_config(table)))
        validations.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=table, data=batch_definition, suite=suite)
            )
        )
    checkpoint_name = "audit_" + "_".join(tables)
    with contextlib.suppress(Exception):  # a checkpoint of an older layout
        context.checkpoints.delete(checkpoint_name)
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=checkpoint_name,
            validation_definitions=validations,
            actions=[UpdateDataDocsAction(name="data_docs")],
            result_format=RESULT_FORMAT,
        )
    )
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_name))

    row_counts = _row_counts(warehouse_url, schema, tables)
    outcomes: dict[str, SuiteOutcome] = {}
    for validation in result.run_results.values():
        table = validation.meta["active_batch_definition"]["data_asset_name"]
        outcomes[table] = SuiteOutcome(
            suite=validation.suite_name,
            table=table,
            rows=row_counts[table],
            outcomes=tuple(
                ExpectationOutcome(
                    name=(res.expectation_config.meta or {}).get(
                        "name", res.expectation_config.type
                    ),
                    column=res.expectation_config.kwargs.get("column"),
                    success=bool(res.success),
                    unexpected_rows=_unexpected_rows(
                        dict(res.result or {}), res.expectation_config.type
                    ),
                )
                for res in validation.results
            ),
        )
    for outcome in outcomes.values():
        _log.info(
            "gx_suite_validated suite=%s table=%s.%s expectations=%d failed=%s",
            outcome.suite,
            schema,
            outcome.table,
            len(outcome.outcomes),
            ",".join(outcome.failed) or "none",
        )
    return outcomes


def _row_counts(warehouse_url: str, schema: str, tables: Sequence[str]) -> dict[str, int]:
    from psycopg2 import sql

    from dagster_project.lib.database import transaction

    counts = {}
    with transaction(warehouse_url) as conn, conn.cursor() as cur:
        for table in tables:
            cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table)))
            counts[table] = cur.fetchone()[0]
    return counts
