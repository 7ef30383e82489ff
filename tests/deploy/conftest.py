"""Debian's Prometheus for the deploy tests: ``promtool`` checks and unit-tests
the alert rules, ``prometheus`` scrapes a real ``payroll metrics``.

``make test`` installs the ``prometheus`` package when either binary is
missing; ``PAYROLL_SKIP_PROMETHEUS=1`` skips these tests on request, and
otherwise a missing binary fails them.
"""

from __future__ import annotations

import os
import shutil

import pytest

SKIP_ENV = "PAYROLL_SKIP_PROMETHEUS"


def prometheus_tool(name: str) -> str:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1")
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is not on PATH: `make test` installs Debian's prometheus package "
            f"(apt-get install prometheus); {SKIP_ENV}=1 skips these tests"
        )
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return prometheus_tool("promtool")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    return prometheus_tool("prometheus")
