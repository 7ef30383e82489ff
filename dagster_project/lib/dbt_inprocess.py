"""dbt in the run's own process, from the manifest ``make install`` parsed.

A ``dbt build`` subprocess costs a Python start, a project load and a parse
(a full one whenever the profile differs from the last parse: every other
database) before its first model; in this process the manifest is loaded
once (0.2 s) and every build starts at its first node. dbt's result events
stream back to the caller as they happen, as the same JSON dictionaries
dbt's ``--log-format json`` prints (what dagster-dbt translates into
Dagster events).
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster_project.lib.logs import get_logger, run_context_fields

RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
_FAILED = frozenset({"error", "fail", "runtime error"})
_DONE = object()
# dbt's own lines, relayed as our log events (dbt prints nothing itself)
_RELAYED_LEVELS = {"info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
# PostgreSQL quotes the offending row in an error's detail: it holds pay
_ROW_VALUES = re.compile(r"(DETAIL:\s*Failing row contains|Failing row contains).*", re.DOTALL)
_dbt_log = get_logger("dagster_project.dbt")


def without_row_values(message: str) -> str:
    """dbt's message without the row PostgreSQL quotes in an error's detail."""
    return _ROW_VALUES.sub("(row values withheld)", message)


def _relay(event, log) -> None:
    level = _RELAYED_LEVELS.get(event.info.level)
    if level is None or not event.info.msg.strip():
        return
    node_info = getattr(event.data, "node_info", None)
    node = getattr(node_info, "unique_id", "") if node_info is not None else ""
    log.log(
        level,
        "dbt",
        dbt_event=event.info.name,
        node=node or None,
        msg=without_row_values(event.info.msg),
    )


class DbtBuildFailed(RuntimeError):
    """dbt ran and a node failed (a model error, a failing test)."""


@dataclass
class DbtBuild:
    """One ``dbt build``: its result events as they arrive, then its outcome."""

    args: Sequence[str]
    errors: list[str] = field(default_factory=list)
    success: bool | None = None


@functools.lru_cache(maxsize=4)
def _manifest(manifest_path: str, mtime: float, database: str):
    """The parsed project, pointed at ``database``: the manifest names the
    database it was parsed against (the install-time default), and relations
    are rendered with it."""
    from dbt.contracts.graph.manifest import Manifest, WritableManifest
    from dbt.contracts.graph.nodes import GenericTestNode

    text = Path(manifest_path).read_text(encoding="utf-8")
    raw = json.loads(text)
    manifest = Manifest.from_writable_manifest(
        WritableManifest.upgrade_schema_version(json.loads(text))
    )
    for unique_id in list(manifest.nodes):
        # the artifact does not say which tests are generic: their kwargs
        # (column, arguments) are only rendered for GenericTestNode
        if raw["nodes"][unique_id].get("test_metadata"):
            manifest.nodes[unique_id] = GenericTestNode.from_dict(raw["nodes"][unique_id])
    for node in [*manifest.nodes.values(), *manifest.sources.values()]:
        node.database = database
    return manifest


def load_manifest(manifest_path: Path, database: str):
    """The cached manifest, as parsed: a build compiles its nodes in place, and
    an ephemeral model compiled by an earlier build would not be injected
    into its parents again (``__dbt__cte__…`` "does not exist")."""
    manifest = _manifest(str(manifest_path), manifest_path.stat().st_mtime, database)
    for node in manifest.nodes.values():
        if getattr(node, "compiled", False):
            node.compiled = False
            node.compiled_code = None
            node.extra_ctes_injected = False
            node.extra_ctes = []
            node._pre_injected_sql = None
    return manifest


def stream_build(
    args: Sequence[str], manifest_path: Path, database: str, build: DbtBuild
) -> Iterator[dict[str, Any]]:
    """Run ``dbt <args>`` here; yield each node result as dbt's JSON event
    dictionary while it runs. ``build`` gets the outcome and error lines."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest = load_manifest(manifest_path, database)
    events: queue.Queue[object] = queue.Queue()
    # dbt's own threads run the nodes: the caller's run context goes with them
    log = _dbt_log.bind(**run_context_fields())

    def on_event(event) -> None:
        _relay(event, log)
        if event.info.name in RESULT_EVENTS:
            raw = msg_to_dict(event)
            events.put(raw)
            status = str(raw.get("data", {}).get("status", "")).lower()
            if status in _FAILED:
                node = raw["data"].get("node_info", {}).get("unique_id", "?")
                build.errors.append(f"{node}: {without_row_values(raw['info'].get('msg', status))}")

    def invoke() -> None:
        try:
            result = dbtRunner(manifest=manifest, callbacks=[on_event]).invoke(list(args))
            build.success = bool(result.success)
            if result.exception is not None:
                build.errors.append(without_row_values(str(result.exception)))
        except BaseException as error:  # reported to the caller, never lost in the thread
            build.success = False
            build.errors.append(f"{type(error).__name__}: {without_row_values(str(error))}")
        finally:
            events.put(_DONE)

    worker = threading.Thread(target=invoke, name="dbt-build", daemon=True)
    worker.start()
    while (item := events.get()) is not _DONE:
        yield item  # type: ignore[misc]
    worker.join()
