"""One logging setup for the CLI, Dagster runs, sensors and dbt's relayed lines.

Every line carries ``timestamp`` (UTC), ``level``, ``logger``, ``event`` and,
inside a Dagster run, ``run_id``, ``tenant`` and ``period``, then the event's
own fields. ``PAYROLL_LOG_FORMAT=json`` writes one JSON object per line,
``console`` aligned text for a human; the default is ``console`` on a
terminal and ``json`` otherwise (a container, a pipe, a log shipper).

Our modules log through :func:`get_logger` with an event name and fields
(``_log.info("wap_published", schema=..., rows=...)``); records of other
libraries' stdlib loggers are rendered the same way. Fields are counts, ids,
names of files, tables and checks — never a person or an amount.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any, Literal

import structlog

LogFormat = Literal["json", "console"]
FORMAT_ENV = "PAYROLL_LOG_FORMAT"
LEVEL_ENV = "PAYROLL_LOG_LEVEL"
DEFAULT_LEVEL = "WARNING"
# Dagster's log records carry their context here (dagster._core.log_manager).
_DAGSTER_META = "dagster_meta"
_KEY_VALUES = re.compile(r"(?P<event>[a-z][a-z0-9_]*)(?P<pairs>(?: [a-z][a-z0-9_]*=\S*)*)")
# dagster-dbt's and `get_dagster_logger()`'s stdlib logger: inside a run its
# records reach us a second time, through Dagster's log manager, with context
_DAGSTER_USER_LOGGER = "dagster.builtin"


def run_context_fields() -> dict[str, str]:
    """Inside a Dagster op (CLI in-process runs and run workers alike): the
    run id, tenant and period(s) of the run, from its tags; else nothing."""
    if "dagster" not in sys.modules:
        return {}
    from dagster._core.execution.context.compute import current_execution_context

    current = current_execution_context.get()
    if current is None:
        return {}
    # an asset's, a check's or an op's context: the op's carries the run
    context = current.op_execution_context
    fields = {"run_id": context.run_id}
    _add_tags(fields, context.run.tags)
    return fields


def _add_run_context(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    if "run_id" not in event:
        event.update(run_context_fields())
    return event


def _add_tags(event: dict[str, Any], tags: Mapping[str, str]) -> None:
    # only ever called with Dagster loaded: the CLI's import stays light
    from dagster_project.core.tags import PERIOD_TAG, TENANT_TAG

    for field, tag in (("tenant", TENANT_TAG), ("period", PERIOD_TAG)):
        if tags.get(tag):
            event.setdefault(field, tags[tag])


def _from_dagster_record(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A record of Dagster's own log manager (``context.log``, run events):
    its message is the event, its run, step and tags become fields."""
    record = event.get("_record")
    meta = getattr(record, _DAGSTER_META, None)
    if not meta:
        return event
    dagster_event = meta.get("dagster_event")
    message = meta.get("orig_message") or (
        dagster_event.event_type_value if dagster_event else event["event"]
    )
    # our own `context.log` lines are "event key=value ...": split them
    if (parsed := _KEY_VALUES.fullmatch(message)) is not None:
        event["event"] = parsed["event"]
        event.update(pair.split("=", 1) for pair in parsed["pairs"].split())
    else:
        event["event"] = message
    if meta.get("run_id"):
        event["run_id"] = meta["run_id"]
    _add_tags(event, meta.get("job_tags") or {})
    for field in ("job_name", "step_key"):
        if meta.get(field):
            event[field.removesuffix("_name")] = meta[field]
    if dagster_event is not None:
        event["dagster_event"] = dagster_event.event_type_value
    return event


_SHARED = (
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
)

# Our loggers hand their event dictionaries to stdlib logging; the handler's
# formatter renders them. Configured at import so a module logging before
# (or without) `configure_logging` never prints structlog's default output.
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_SHARED,
        _add_run_context,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


def log_format(stream: Any = None) -> LogFormat:
    chosen = (os.environ.get(FORMAT_ENV) or "").strip().lower()
    if chosen in ("json", "console"):
        return chosen  # type: ignore[return-value]
    if chosen:
        raise ValueError(f"{FORMAT_ENV}={chosen!r}: expected json or console")
    stream = stream if stream is not None else sys.stderr
    return "console" if getattr(stream, "isatty", lambda: False)() else "json"


def formatter(fmt: LogFormat | None = None) -> logging.Formatter:
    """The formatter of every handler we install (stderr, the run log,
    Dagster's run logger)."""
    fmt = fmt or log_format()
    # tracebacks without local variables: they can hold a row of pay
    if fmt == "json":
        tail: list[Any] = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            _leading_fields_first,
            structlog.processors.JSONRenderer(),
        ]
    else:
        tail = [
            _leading_fields_first,
            structlog.dev.ConsoleRenderer(
                colors=False,
                sort_keys=False,
                exception_formatter=structlog.dev.plain_traceback,
            ),
        ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, _from_dagster_record, _add_run_context],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail],
    )


_LEADING = ("timestamp", "level", "logger", "event", "run_id", "tenant", "period")


def _leading_fields_first(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    leading = {key: event.pop(key) for key in _LEADING if key in event}
    return {**leading, **event}


def _worth_a_line(record: logging.LogRecord) -> bool:
    """Ours and Dagster's records at the handler's level; other libraries'
    (GX, alembic, urllib3 …) from WARNING up: their INFO is chatter about
    themselves. A ``dagster.builtin`` record inside a run comes back through
    Dagster's log manager, with the run's context: once is enough."""
    if not record.name.startswith(("dagster_project", "dagster")):
        return record.levelno >= logging.WARNING
    if not record.name.startswith(_DAGSTER_USER_LOGGER) or "dagster" not in sys.modules:
        return True
    from dagster._core.execution.context.compute import current_execution_context

    return current_execution_context.get() is None


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configured_level() -> str:
    return (os.environ.get(LEVEL_ENV) or DEFAULT_LEVEL).upper()


def configure_logging(level: str | None = None) -> None:
    """Our stderr handler on the root logger (once per process; a second
    call only changes the level)."""
    level = (level or configured_level()).upper()
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_payroll", False)]
    if not ours:
        handler = _CurrentStderrHandler()
        handler.setFormatter(formatter())
        handler.addFilter(_worth_a_line)
        handler._payroll = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        ours = [handler]
    for handler in ours:
        handler.setLevel(level)
    root.setLevel(level)


def ensure_logging() -> None:
    """``configure_logging`` unless this process already has our handler
    (a run worker from the UI has not; the CLI's in-process runs have)."""
    if not any(getattr(h, "_payroll", False) for h in logging.getLogger().handlers):
        configure_logging()


@contextmanager
def also_to_file(path: Path, level: str = "INFO") -> Iterator[None]:
    """While the block runs, every record at ``level`` or above is also
    appended to ``path`` as JSON lines (the run log: dbt's progress and the
    run's events), whatever the terminal shows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(formatter("json"))
    handler.addFilter(_worth_a_line)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(min(previous or logging.WARNING, logging.getLevelName(level)))
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()


class _LinesToLog(io.TextIOBase):
    """A text stream whose complete lines become ``printed`` events."""

    def __init__(self, logger: structlog.stdlib.BoundLogger) -> None:
        self._logger = logger
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            if line.strip():
                self._logger.info("printed", line=line)
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            self._logger.info("printed", line=self._pending)
        self._pending = ""


@contextmanager
def stdout_to_log(name: str) -> Iterator[None]:
    """What a library prints while the block runs becomes log events of
    ``name``: never over the pay register the command prints."""
    stream = _LinesToLog(get_logger(name))
    with redirect_stdout(stream):
        try:
            yield
        finally:
            stream.flush()
