"""An operator computes one pay period from the Dagster UI, in a real browser.

The asset graph opens; the pay period job shows the demo's periods as
partitions; one period is launched from the UI; its run carries the
partition, succeeds, and every blocking check in it passed. Screenshots of
each view land in ``tests/artifacts/`` (a failed step leaves
``failed_<step>.png`` and names it in the error).
"""

from __future__ import annotations

import re
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.dagster_ui import SKIP_ENV, DagsterUi, skip_requested
from tests.browser.ui_operator import (
    FIRST_PERIOD,
    JOB,
    STAFF_PAID,
    TOTAL_GROSS,
    TOTAL_NET,
    Operator,
    calendar_periods,
    check_evaluations,
    name_pattern,
)

pytestmark = pytest.mark.skipif(
    skip_requested(), reason=f"{SKIP_ENV}=1: browser tests skipped on request"
)

PERIOD = FIRST_PERIOD
TENANT, PERIOD_START = PERIOD.split("|")
RUN_TIMEOUT_SECONDS = 360
RUN_STATUS_WAIT_MS = 30_000
SENSOR_TIMEOUT_SECONDS = 180
# Great Expectations suites are the checks named gx_*; dbt tests are blocking too
GX_CHECK_PREFIX = "gx_"
PAYROLL_MART = "fct_payroll"
TERMINAL_STATUS = re.compile(r"^(Success|Failure|Canceled)$")
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def test_operator_launches_a_pay_period_from_the_ui_and_it_passes_its_checks(
    dagster_ui: DagsterUi, ui_page: Page, artifacts: Path
) -> None:
    operator = Operator(ui_page, dagster_ui, artifacts)
    page = ui_page

    with operator.step("open the asset graph"):
        page.goto(dagster_ui.base_url)
        operator.nav("Lineage")
        expect(page.get_by_text("Global asset lineage")).to_be_visible()
        # the graph (an svg) draws the pay group of the period's assets
        expect(page.get_by_role("img").get_by_text("pay", exact=True)).to_be_visible()
        # each group node then shows its assets' materialization status
        expect(page.get_by_text("fetching statuses")).to_have_count(0)
        operator.screenshot("asset_graph")

    with operator.step("find the pay periods of the job"):
        operator.open_pay_periods()
        total = page.get_by_text("Total partitions").locator("xpath=..")
        periods = calendar_periods()
        expect(total).to_have_text(re.compile(rf"^\s*{periods}\s*Total partitions\s*$"))

    with operator.step("choose one pay period and launch it"):
        dialog, partition_filter = operator.open_partition_picker()
        operator.toggle_partition(partition_filter, PERIOD)
        operator.close_partition_picker(partition_filter)
        expect(dialog.get_by_text("1 partition", exact=True)).to_be_visible()
        launch = dialog.get_by_role("button", name="Launch 1 run")
        expect(launch).to_be_enabled()
        operator.screenshot("launch_dialog")
        with page.expect_response(_is_launch_response) as response:
            launch.click()
        run_id = _launched_run_id(response.value.json())
        short_id = run_id[:8]
        expect(page.get_by_text(f"Launched run {short_id}")).to_be_visible()

    with operator.step("find the run with its partition in the run list"):
        operator.nav("Runs")
        run_link = page.get_by_role("link", name=name_pattern(short_id))
        row = page.locator("[data-index]").filter(has=run_link).last
        expect(row).to_contain_text(f"partition: {PERIOD}")
        expect(row).to_contain_text(JOB)
        operator.screenshot("runs")
        run_link.click()

    with operator.step("wait for the run to finish"):
        status = _wait_for_terminal_status(page, dagster_ui)
        assert status == "Success", f"the run ended {status}"
        assert f"/runs/{run_id}" in page.url
        expect(page.get_by_text(f"partition: {PERIOD}").first).to_be_visible()
        expect(page.get_by_role("link", name=JOB, exact=True).first).to_be_visible()
        operator.screenshot("run_success")

    run = _run_record(run_id)
    assert run.job_name == JOB
    assert run.tags.get("dagster/partition") == PERIOD
    assert run.tags.get("dagster/from_ui") == "true"
    evaluations = check_evaluations(run_id)
    failed = sorted(key.to_user_string() for key, (passed, _) in evaluations.items() if not passed)
    assert failed == [], f"checks failed in a successful run: {failed}"
    selected = set(run.asset_check_selection or ())
    assert selected <= set(evaluations), f"checks never evaluated: {selected - set(evaluations)}"
    gx_checks = [key for key in evaluations if key.name.startswith(GX_CHECK_PREFIX)]
    assert gx_checks, f"no Great Expectations check ran: {sorted(k.name for k in evaluations)}"
    assert all(evaluations[key][1] for key in gx_checks), "a GX suite check is not blocking"
    assert any(key.asset_key.path[-1] == PAYROLL_MART for key in gx_checks), (
        f"no Great Expectations suite validated {PAYROLL_MART}: {gx_checks}"
    )

    with operator.step("see every Great Expectations suite passed in the run's events"):
        log_filter = page.get_by_placeholder(re.compile(r"^Filter"))
        for key in sorted(gx_checks, key=lambda k: k.to_user_string()):
            # the event message reads "Asset check '<name>' on '<asset>' passed."
            log_filter.fill(f"'{key.name}' on '{key.asset_key.to_user_string()}'")
            page.keyboard.press("Enter")
            expect(page.get_by_text(_check_passed(key)).first).to_be_visible()
            if key.asset_key.path[-1] == PAYROLL_MART:
                operator.screenshot("blocking_check")

    with operator.step("see the period done among the pay periods"):
        operator.open_pay_periods()
        expect(page.get_by_text(PERIOD).first).to_be_visible()
        operator.screenshot("pay_periods")

    assert _published_period() == (STAFF_PAID, TOTAL_GROSS, TOTAL_NET, [run_id])
    audited = _audited_run(run_id, dagster_ui)
    assert audited == ("SUCCESS", STAFF_PAID, TOTAL_GROSS, TOTAL_NET), (
        f"marts.payroll_runs row of run {run_id}: {audited}"
    )


def _check_passed(key) -> re.Pattern[str]:
    """How the run's event log shows a passed check: "Check gx_suite succeeded
    for materialization of build / fct_payroll"."""
    asset = r"\s*/\s*".join(re.escape(part) for part in key.asset_key.path)
    return re.compile(rf"Check {re.escape(key.name)} succeeded for materialization of {asset}\b")


def _is_launch_response(response) -> bool:
    """The UI's own launch mutation (POST /graphql?op=LaunchPipelineExecution)."""
    request = response.request
    return (
        urlsplit(response.url).path == "/graphql"
        and request.method == "POST"
        and '"operationName":"LaunchPipelineExecution"' in (request.post_data or "")
    )


def _launched_run_id(payload: dict) -> str:
    result = payload.get("data", {}).get("launchPipelineExecution") or {}
    run = result.get("run")
    assert run, f"the UI could not launch the run: {payload}"
    return run["id"]


def _wait_for_terminal_status(page: Page, ui: DagsterUi) -> str:
    """The run page's status tag, once it says the run is over. The page
    updates itself; a reload every while guards against a dropped subscription."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    status = page.get_by_text(TERMINAL_STATUS).first
    while True:
        try:
            status.wait_for(state="visible", timeout=RUN_STATUS_WAIT_MS)
            return status.inner_text().strip()
        except PlaywrightError:
            ui.raise_if_dead()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the run did not finish within {RUN_TIMEOUT_SECONDS}s"
                ) from None
            page.reload()


def _run_record(run_id: str):
    from dagster_project.lib.instance import get_instance

    run = get_instance().get_run_by_id(run_id)
    assert run is not None, f"run {run_id} is not in the instance"
    return run


def _published_period() -> tuple[int, Decimal, Decimal, list[str]]:
    """Staff paid, total gross and net, and the runs that published them."""
    from dagster_project.lib.database import transaction

    with transaction() as conn, conn.cursor() as cur:
        cur.execute(
            """
            select count(*), sum(gross_pay), sum(net_pay), array_agg(distinct run_id)
            from marts.fct_payroll
            where tenant_id = %s and period_start = %s
            """,
            (TENANT, PERIOD_START),
        )
        return cur.fetchone()


def _audited_run(run_id: str, ui: DagsterUi) -> tuple[str, int, Decimal, Decimal] | None:
    """The daemon's run-status sensor records UI runs in ``marts.payroll_runs``."""
    from dagster_project.lib.database import transaction

    deadline = time.monotonic() + SENSOR_TIMEOUT_SECONDS
    while True:
        with transaction() as conn, conn.cursor() as cur:
            cur.execute(
                "select status, staff_paid, total_gross_pay, total_net_pay "
                "from marts.payroll_runs where run_id = %s",
                (run_id,),
            )
            row = cur.fetchone()
        if (row is not None and row[0] in FINISHED) or time.monotonic() > deadline:
            return row
        ui.raise_if_dead()
        time.sleep(2)
