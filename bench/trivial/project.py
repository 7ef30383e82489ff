"""Where the trivial floor's dbt project is, and its manifest, parsed once
before any timed run (as ``make install`` does for the real project), so
every run reuses dbt's partial parse."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
TARGET_DIR = PROJECT_DIR / "target"
MANIFEST = TARGET_DIR / "manifest.json"
PARTIAL_PARSE = TARGET_DIR / "partial_parse.msgpack"
MODEL = "one_row"
SCHEMA = "bench_trivial"  # profiles.yml


def dbt_executable() -> str:
    # the dbt installed beside this interpreter: the venv need not be on PATH
    return str(Path(sys.executable).with_name("dbt"))


def parse(connection: Mapping[str, str] | None = None) -> Path:
    """``dbt parse`` into ``target/``; returns the manifest. ``connection``:
    the ``PAYROLL_DBT_*`` variables the runs will see; dbt discards a partial
    parse made for another connection ("profile has changed")."""
    env = {**os.environ, **(connection or {}), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    for variable in ("DBT_TARGET_PATH", "DBT_LOG_PATH"):
        env.pop(variable, None)  # the manifest goes where the run reads it
    subprocess.run(
        [dbt_executable(), "parse", "--profiles-dir", str(PROJECT_DIR), "--quiet"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )
    return MANIFEST
