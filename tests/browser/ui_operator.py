"""What the browser tests share: the operator at the browser (steps that
leave a screenshot and the servers' logs when they fail), and what they read
from the warehouse and the Dagster instance of the ``dagster_ui`` fixture."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.browser.dagster_ui import DagsterUi

JOB = "pay_period_job"
# the demo's first period, and its totals as `make run` prints its register
FIRST_PERIOD = "bistro|2026-03-01"
STAFF_PAID = 67
TOTAL_GROSS = Decimal("95616.67")
TOTAL_NET = Decimal("78772.88")


def name_pattern(text: str) -> re.Pattern[str]:
    """Dagster's accessible names carry their icons' names ("job pay_period_job info")."""
    return re.compile(rf"(^|\s){re.escape(text)}(\s|$)")


class Operator:
    """The browser, plus what a failure report needs: a screenshot of the page
    as it was and the servers' logs."""

    def __init__(self, page: Page, ui: DagsterUi, artifacts: Path) -> None:
        self.page = page
        self.ui = ui
        self.artifacts = artifacts

    def screenshot(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
            # shown with the test's output when something later fails
            print(f"ui step '{what}' done in {time.monotonic() - started:.1f}s")
        except Exception as exc:
            slug = re.sub(r"[^a-z0-9]+", "_", what.lower()).strip("_")
            try:
                shot = f"screenshot: {self.screenshot(f'failed_{slug}')}"
            except PlaywrightError as shot_error:
                shot = f"no screenshot ({shot_error})"
            raise AssertionError(
                f"UI step '{what}' failed at {self.page.url}: {exc}\n{shot}\n"
                f"{self.ui.diagnostics()}"
            ) from exc

    def nav(self, section: str) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name=name_pattern(section)).click()

    def open_pay_periods(self) -> None:
        """Jobs → the pay period job → its Partitions tab."""
        self.nav("Jobs")
        self.page.get_by_role("link", name=name_pattern(JOB)).click()
        expect(self.page.get_by_role("heading", name=JOB)).to_be_visible()
        self.page.get_by_role("tab", name="Partitions").click()

    def open_partition_picker(self) -> tuple[Locator, Locator]:
        """On the job's Partitions tab: "Materialize…", then the dialog's list
        of partitions. Returns the dialog and the list's filter box."""
        page = self.page
        page.get_by_role("button", name=name_pattern("Materialize…")).click()
        # Dagster asks first when an upstream asset was never materialized
        dialog = page.get_by_role("dialog")
        confirm = dialog.get_by_role("button", name="Confirm")
        picker = dialog.get_by_text("Select a partition or create one")
        expect(confirm.or_(picker).first).to_be_visible()
        if confirm.is_visible():
            confirm.click()
        picker.click()
        return dialog, page.get_by_placeholder("Filter partitions")

    def toggle_partition(self, partition_filter: Locator, key: str) -> None:
        """(Un)ticks one partition of the open list, found through its filter."""
        partition_filter.fill(key)
        # the checkbox input is hidden behind its drawn label
        self.page.get_by_role("checkbox", name=key).locator("xpath=..").click()

    def close_partition_picker(self, partition_filter: Locator) -> None:
        self.page.keyboard.press("Escape")  # closes the partition list, not the dialog
        expect(partition_filter).to_be_hidden()


def calendar_periods() -> int:
    """Every period of the published calendar is a partition of the job."""
    from dagster_project.lib.database import transaction

    with transaction() as conn, conn.cursor() as cur:
        cur.execute("select count(*) from marts.dim_pay_periods")
        return cur.fetchone()[0]


def check_evaluations(run_id: str) -> dict:
    """AssetCheckKey → (passed, blocking) for every check evaluated in the run."""
    import dagster as dg

    from dagster_project.lib.instance import get_instance

    records = (
        get_instance()
        .get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        .records
    )
    evaluations: dict[dg.AssetCheckKey, tuple[bool, bool]] = {}
    for record in records:
        evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data
        evaluations[evaluation.asset_check_key] = (evaluation.passed, bool(evaluation.blocking))
    return evaluations
