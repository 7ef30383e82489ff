"""A Dagster UI over a test instance holding the demo's pay periods, and a
headless chromium (Debian's, driven by Playwright) to operate it.

``PAYROLL_SKIP_BROWSER=1`` skips the browser tests on request. Otherwise a
missing chromium fails them: ``make test`` installs it.
``PAYROLL_CHROMIUM`` names another chromium binary.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.browser.dagster_ui import REPO_ROOT, SKIP_ENV, DagsterUi
from tests.pipeline_env import isolated_pipeline_env, restore_pipeline_env

CHROMIUM_ENV = "PAYROLL_CHROMIUM"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# The network is closed: without the background-networking switches chromium
# keeps dialling out and loopback connections get refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-proxy-server",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1000}
ACTION_TIMEOUT_MS = 60_000
NAVIGATION_TIMEOUT_MS = 120_000
BROWSER_LAUNCH_TIMEOUT_MS = 120_000
# the pay calendar runs through the period holding the tenant's local today
# (None), not the demo's own "now": a real year of periods, the last one open
CALENDAR_AS_OF: str | None = None


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    configured = os.environ.get(CHROMIUM_ENV)
    path = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.access(path, os.X_OK):
        if configured:
            missing = f"{CHROMIUM_ENV}={configured} is not executable"
        else:
            missing = "`chromium` is not on PATH"
        pytest.fail(
            f"no chromium to drive: {missing}. Install Debian's chromium "
            f"(`make test` installs it: `apt-get install chromium`) or set {SKIP_ENV}=1 to skip "
            "the browser tests",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``tests/artifacts/``, emptied of the screenshots of an earlier session so
    none left there can pass for this one's."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


# one webserver and daemon for every browser test module: starting them, and
# ingesting the demo and building its calendar, is most of the tests' time
@pytest.fixture(scope="package")
def dagster_ui(
    make_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
    chromium_executable: str,
) -> Iterator[DagsterUi]:
    """The demo ingested and its pay calendar built through today (so every
    pay period is a partition), no period computed before the first test;
    webserver and daemon over that instance, with DAGSTER_HOME prepared
    exactly as ``payroll ui`` prepares it. The tests share it: each asserts
    only what its own runs did, whatever ran before it."""
    from dagster_project.cli import app
    from dagster_project.definitions import defs
    from dagster_project.demo.generator import write_demo_files
    from dagster_project.lib.instance import get_instance, prepare_dagster_home
    from dagster_project.lib.launch import refresh_calendar

    url = make_database("browser_ui")
    home = tmp_path_factory.mktemp("browser_ui_home")
    patch = isolated_pipeline_env(url, home)
    ui: DagsterUi | None = None
    try:
        write_demo_files(home / "input")
        ingested = CliRunner().invoke(app, ["ingest", str(home / "input")])
        assert ingested.exit_code == 0, f"payroll ingest of the demo failed:\n{ingested.output}"
        prepare_dagster_home()
        # ingest no longer builds the calendar: build it through today (a real
        # year of periods; salaried staff are paid in each), as `payroll run` does
        calendar = refresh_calendar(defs(), get_instance(), CALENDAR_AS_OF)
        assert calendar.success, (
            f"pay calendar run {calendar.run_id} failed: "
            f"{', '.join(calendar.failed_checks) or ', '.join(calendar.failed_steps)}"
        )
        bin_dir = Path(sys.executable).parent
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
        # code servers and run workers import the project of this checkout
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        log_dir = home / "logs"
        log_dir.mkdir(exist_ok=True)
        ui = DagsterUi(env=env, bin_dir=bin_dir, log_dir=log_dir)
        ui.start()
        yield ui
    finally:
        try:
            if ui is not None:
                ui.stop()
        finally:
            restore_pipeline_env(patch)


@pytest.fixture
def ui_page(chromium_executable: str):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=BROWSER_LAUNCH_TIMEOUT_MS,
        )
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
            page = context.new_page()
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
            # Dagster's one-time community prompt covers the first page an
            # instance ever serves; dismiss it whenever it shows up.
            page.add_locator_handler(
                page.get_by_text("Join the Dagster community"),
                lambda: page.get_by_role("button", name="Skip").click(),
            )
            yield page
        finally:
            browser.close()
