"""Structured logs: one line per event, ``key=value`` pairs, to stderr."""

from __future__ import annotations

import logging
import os
import sys

_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: str | None = None) -> None:
    level = (level or os.environ.get("PAYROLL_LOG_LEVEL") or "WARNING").upper()
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_payroll", False)]
    if ours:
        for handler in ours:
            handler.setLevel(level)
        root.setLevel(level)
        return
    handler = _CurrentStderrHandler()
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    handler._payroll = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
