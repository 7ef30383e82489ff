"""The published marts, as their dbt yml declares them: ``config.meta.published``
of each model in ``dbt_project/models/marts/`` says which run publishes it,
the period column a run replaces rows by and whether analysts read it
directly; the model's contract constraints give its key, which the build
table and ``marts.<mart>`` both enforce. Read from the install-time manifest
(``make`` runs ``dbt parse``), so a new mart is one yml block, not a Python
list to keep in step."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"
RUNS = ("pay_period", "calendar")


@dataclass(frozen=True)
class Mart:
    name: str
    # the column a pay-period run replaces its rows by; None: the whole table
    period_column: str | None = "period_start"
    primary_key: tuple[str, ...] = ()
    # unique with nulls equal, for a grain with a nullable column
    unique_key: tuple[str, ...] = ()
    run: str = "pay_period"
    analyst_readable: bool = False


class MartCatalogError(RuntimeError):
    pass


@functools.cache
def published_marts(manifest: Path = MANIFEST) -> tuple[Mart, ...]:
    """Every model with ``meta.published``, by name."""
    try:
        nodes = json.loads(manifest.read_text())["nodes"]
    except FileNotFoundError:
        raise MartCatalogError(f"{manifest} is missing: run `make install` (dbt parse)") from None
    marts = []
    for node in nodes.values():
        declared = node.get("config", {}).get("meta", {}).get("published")
        if node.get("resource_type") != "model" or declared is None:
            continue
        marts.append(_mart(node["name"], declared, node.get("constraints") or []))
    return tuple(sorted(marts, key=lambda mart: mart.name))


def marts_of_run(run: str, manifest: Path = MANIFEST) -> tuple[Mart, ...]:
    if run not in RUNS:
        raise ValueError(f"unknown run {run!r}: one of {', '.join(RUNS)}")
    return tuple(mart for mart in published_marts(manifest) if mart.run == run)


def _mart(name: str, declared: dict, constraints: list[dict]) -> Mart:
    unknown = set(declared) - {"run", "period_column", "analyst_readable"}
    if unknown or declared.get("run") not in RUNS:
        raise MartCatalogError(
            f"{name}: meta.published has {sorted(declared)}; expected run ({'/'.join(RUNS)}), "
            "period_column, analyst_readable"
        )
    return Mart(
        name=name,
        period_column=declared.get("period_column"),
        primary_key=_constraint_columns(constraints, "primary_key"),
        unique_key=_constraint_columns(constraints, "unique", expression="nulls not distinct"),
        run=declared["run"],
        analyst_readable=bool(declared.get("analyst_readable", False)),
    )


def _constraint_columns(
    constraints: list[dict], kind: str, expression: str | None = None
) -> tuple[str, ...]:
    """The columns of the model-level constraint of that kind (and
    expression), or none."""
    for constraint in constraints:
        if constraint.get("type") == kind and constraint.get("expression") == expression:
            return tuple(constraint.get("columns") or ())
    return ()
