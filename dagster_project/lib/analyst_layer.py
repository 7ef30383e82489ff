"""What analysts browse and query: the dbt docs site and MetricFlow's
semantic layer, both over the published marts.

The pipeline's own parse (``make install``) resolves the marts to ``build``,
where dbt writes them; this one, into ``target/published``, passes
``published_marts`` (``macros/generate_schema_name.sql``), so the docs
catalog lists the tables of ``marts`` and MetricFlow queries them: only
numbers that passed their checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from dagster_project.lib.database import dbt_env, transaction
from dagster_project.lib.mart_catalog import published_marts

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PUBLISHED_TARGET = DBT_PROJECT_DIR / "target" / "published"
# the only place `mf` looks for its input, whatever the project's target-path
MF_SEMANTIC_MANIFEST = DBT_PROJECT_DIR / "target" / "semantic_manifest.json"
PUBLISHED_VARS = json.dumps({"published_marts": True})


class AnalystLayerError(RuntimeError):
    """The warehouse has nothing to describe yet, or dbt failed."""


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def tool_env(url: str) -> dict[str, str]:
    """The connection ``profiles.yml`` reads, for dbt and ``mf``."""
    env = {**os.environ, **dbt_env(url)}
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["DBT_PROFILES_DIR"] = str(DBT_PROJECT_DIR)
    env["DBT_PROJECT_DIR"] = str(DBT_PROJECT_DIR)
    return env


def missing_marts(url: str) -> list[str]:
    """The published marts not (yet) in schema ``marts``."""
    names = [mart.name for mart in published_marts()]
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select name from unnest(%s::text[]) as name "
            "where to_regclass(format('marts.%%I', name)) is null order by 1",
            (names,),
        )
        return [row[0] for row in cur.fetchall()]


def require_marts(url: str) -> None:
    missing = missing_marts(url)
    if missing:
        raise AnalystLayerError(
            f"the warehouse has no published {', '.join(missing)} yet: compute a pay "
            "period first (`make run` builds the demo into the embedded database)"
        )


# dbt quiet, on this project, writing the published marts' artifacts apart
_PUBLISHED_PROJECT = (
    "--quiet",
    "--project-dir",
    str(DBT_PROJECT_DIR),
    "--profiles-dir",
    str(DBT_PROJECT_DIR),
    "--target-path",
    str(PUBLISHED_TARGET),
)


def _published_dbt(url: str, *args: str) -> None:
    result = subprocess.run(
        [_tool("dbt"), *args, *_PUBLISHED_PROJECT, "--vars", PUBLISHED_VARS],
        env=tool_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise AnalystLayerError(f"dbt {args[0]} failed:\n{output[-4000:]}")


def generate_docs(url: str) -> Path:
    """The docs site of the published marts (lineage, descriptions, the
    catalog of ``marts``); its folder. Models are not compiled: their SQL as
    written is shown, never SQL compiled for one run's periods."""
    require_marts(url)
    _published_dbt(url, "docs", "generate", "--no-compile")
    return PUBLISHED_TARGET


def docs_serve_command(port: int) -> list[str]:
    return [
        _tool("dbt"),
        "docs",
        "serve",
        *_PUBLISHED_PROJECT,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-browser",
    ]


def prepare_metricflow(url: str) -> None:
    """Hand ``mf`` the semantic manifest of the published marts."""
    require_marts(url)
    _published_dbt(url, "parse")
    shutil.copyfile(PUBLISHED_TARGET / "semantic_manifest.json", MF_SEMANTIC_MANIFEST)


def mf_command(args: Sequence[str]) -> list[str]:
    return [_tool("mf"), *args]
