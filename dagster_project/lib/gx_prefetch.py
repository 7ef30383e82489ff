"""Great Expectations imported in the background (4.5 s of CPU on this
machine), while the process waits on the warehouse, so the audit that
follows a build does not start with it."""

from __future__ import annotations

import importlib
import sys
import threading

_started = threading.Event()


def prefetch_audit_modules() -> None:
    if "great_expectations" in sys.modules or _started.is_set():
        return
    _started.set()
    threading.Thread(target=_import_gx, name="prefetch-gx", daemon=True).start()


def _import_gx() -> None:
    importlib.import_module("dagster_project.lib.gx_suites")  # GX settings first
    importlib.import_module("great_expectations")
