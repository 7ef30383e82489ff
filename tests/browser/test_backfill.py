"""An operator backfills a year of pay periods from the Dagster UI, and it is
ONE run that really executes under the daemon.

On the pay period job's Partitions tab the operator opens "Materialize…",
ticks every closed period of the demo tenant (all of them, then unticks the
open one) and launches the backfill. The real ``dagster-daemon`` turns it
into one run over the partition range (the period assets backfill as a
single run), which runs one dbt build for all the periods, their blocking
checks and one publish. Every period is then in ``marts.fct_payroll`` with
that run's id, and the run-status sensor recorded the run once per period in
``marts.payroll_runs``. Screenshots land in ``tests/artifacts/backfill_*.png``.
"""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
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

TENANT = FIRST_PERIOD.partition("|")[0]
# the demo's punches cover four periods: "a year" is many more than that
DEMO_DATA_PERIODS = 4
# a loaded two-core machine: the daemon's ticks, one dbt build of every
# period, the audit and the publish (about two minutes there)
BACKFILL_TIMEOUT_SECONDS = 900
SENSOR_TIMEOUT_SECONDS = 180
POLL_SECONDS = 2.0
BACKFILL_TAG = "dagster/backfill"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
# the UI's labels of a finished backfill (BackfillStatusTag)
BACKFILL_SUCCEEDED = "Succeeded"


def test_a_ui_backfill_of_a_year_of_periods_is_one_run_that_really_executes(
    dagster_ui: DagsterUi, ui_page: Page, artifacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = _closed_periods(TENANT)
    assert len(closed) > DEMO_DATA_PERIODS, f"not a year of closed periods: {closed}"
    assert closed[0] == FIRST_PERIOD
    operator = Operator(ui_page, dagster_ui, artifacts)
    page = ui_page

    with operator.step("open the pay periods of the job"):
        page.goto(dagster_ui.base_url)
        operator.open_pay_periods()
        total = page.get_by_text("Total partitions").locator("xpath=..")
        expect(total).to_have_text(re.compile(rf"^\s*{calendar_periods()}\s*Total partitions\s*$"))
        operator.screenshot("backfill_pay_periods_before")

    with operator.step("select every closed period of the tenant"):
        dialog, partition_filter = operator.open_partition_picker()
        page.get_by_role("checkbox", name=re.compile(r"^Select all")).locator("xpath=..").click()
        # every other period of the calendar — the tenant's open one — unticked
        for key in _registered_partitions():
            if key not in closed:
                operator.toggle_partition(partition_filter, key)
        operator.close_partition_picker(partition_filter)
        expect(dialog.get_by_text(f"{len(closed)} partitions", exact=True)).to_be_visible()
        launch = dialog.get_by_role("button", name="Launch backfill")
        expect(launch).to_be_enabled()
        operator.screenshot("backfill_dialog")

    with operator.step("launch the backfill"):
        launched = time.monotonic()
        with page.expect_response(_is_backfill_launch) as response:
            launch.click()
        requested = json.loads(response.value.request.post_data or "{}")
        # what the UI asked for: exactly the ticked periods, none other
        assert requested["variables"]["backfillParams"]["partitionNames"] == closed
        backfill_id = _launched_backfill_id(response.value.json())
        expect(page.get_by_text(f"Created backfill {backfill_id}")).to_be_visible()

    with operator.step("follow the backfill from the job's backfill history"):
        link = page.get_by_role("link", name=backfill_id, exact=True)
        if not link.is_visible():
            page.reload()  # the history fetched before the launch
        link.click()
        expect(page.get_by_text(f"{len(closed)} partitions", exact=True).first).to_be_visible()
        operator.screenshot("backfill_in_progress")

    backfill = _wait_for_backfill(backfill_id, dagster_ui)
    elapsed = time.monotonic() - launched
    status = backfill.status.value
    runs = _backfill_runs(backfill_id)
    # on the terminal, passed or not (CI's output): how long, and where the time went
    with capsys.disabled():
        print(f"\nbackfill {backfill_id} of {len(closed)} pay periods: {status} in {elapsed:.1f}s")
        for record in runs:
            print("  " + _timeline(backfill, record))
    # ONE run over the whole range, not one per period
    assert len(runs) == 1, f"backfill {backfill_id} has {len(runs)} runs"
    run = runs[0].dagster_run
    assert status == "COMPLETED_SUCCESS", (
        f"backfill {backfill_id} ended {status}: {_failures(run.run_id)}"
    )

    with operator.step("see the backfill succeeded and its one run"):
        page.reload()
        expect(page.get_by_text(BACKFILL_SUCCEEDED, exact=True).first).to_be_visible()
        operator.screenshot("backfill_succeeded")
        page.get_by_role("tab", name="Runs").click()
        expect(page.get_by_role("link", name=name_pattern(run.run_id[:8])).first).to_be_visible()
        operator.screenshot("backfill_run")

    assert run.status.value == "SUCCESS", (
        f"run {run.run_id} ended {run.status.value}: {_failures(run.run_id)}"
    )
    assert run.job_name == JOB
    assert run.tags.get("dagster/from_ui") == "true"
    assert (run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)) == (closed[0], closed[-1])
    assert "dagster/partition" not in run.tags, "a range run carries no single partition"
    # one dbt build computed every period of the range
    builds = _log_messages(run.run_id, "pay_period_build ")
    assert builds == [
        f"pay_period_build periods={len(closed)} first={closed[0]} last={closed[-1]}"
    ], builds
    evaluations = check_evaluations(run.run_id)
    assert evaluations, f"no check evaluated in run {run.run_id}"
    failed = sorted(key.to_user_string() for key, (passed, _) in evaluations.items() if not passed)
    assert failed == [], f"checks failed in a successful run: {failed}"

    published = _published_runs(TENANT)
    assert published == [(key, run.run_id) for key in closed], (
        f"periods published in marts.fct_payroll (period, run): {published}"
    )
    assert _period_totals(FIRST_PERIOD) == (STAFF_PAID, TOTAL_GROSS, TOTAL_NET)

    audited = _audited_periods(run.run_id, len(closed), dagster_ui)
    assert [key for key, *_ in audited] == closed, f"marts.payroll_runs of {run.run_id}: {audited}"
    assert {row[1] for row in audited} == {"SUCCESS"}, audited
    assert audited[0] == (FIRST_PERIOD, "SUCCESS", STAFF_PAID, TOTAL_GROSS, TOTAL_NET)

    with operator.step("see every closed period done among the pay periods"):
        operator.open_pay_periods()
        missing = page.get_by_text("Missing partitions").locator("xpath=..")
        expect(missing).to_have_text(
            re.compile(rf"^\s*{calendar_periods() - len(closed)}\s*Missing partitions\s*$")
        )
        operator.screenshot("backfill_pay_periods_after")


def _is_backfill_launch(response) -> bool:
    """The UI's own mutation (POST /graphql?op=LaunchPartitionBackfill)."""
    request = response.request
    return (
        urlsplit(response.url).path == "/graphql"
        and request.method == "POST"
        and '"operationName":"LaunchPartitionBackfill"' in (request.post_data or "")
    )


def _launched_backfill_id(payload: dict) -> str:
    result = payload.get("data", {}).get("launchPartitionBackfill") or {}
    assert result.get("__typename") == "LaunchBackfillSuccess", (
        f"the UI could not launch the backfill: {payload}"
    )
    return result["backfillId"]


def _closed_periods(tenant_id: str) -> list[str]:
    """The tenant's closed periods in the calendar, as partition keys, in order."""
    from dagster_project.lib.database import transaction

    with transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "select tenant_id || '|' || period_start::text from marts.dim_pay_periods "
            "where tenant_id = %s and is_closed order by period_start",
            (tenant_id,),
        )
        return [key for (key,) in cur.fetchall()]


def _registered_partitions() -> list[str]:
    from dagster_project.defs.periods.partitions import PAY_PERIODS
    from dagster_project.lib.instance import get_instance

    return list(get_instance().get_dynamic_partitions(PAY_PERIODS.name))


def _wait_for_backfill(backfill_id: str, ui: DagsterUi):
    """The backfill once the daemon is done with it (the daemon decides its
    status; the page only shows it)."""
    from dagster._core.execution.backfill import BulkActionStatus

    from dagster_project.lib.instance import get_instance

    instance = get_instance()
    deadline = time.monotonic() + BACKFILL_TIMEOUT_SECONDS
    while True:
        backfill = instance.get_backfill(backfill_id)
        assert backfill is not None, f"backfill {backfill_id} is not in the instance"
        if backfill.status not in (BulkActionStatus.REQUESTED, BulkActionStatus.CANCELING):
            return backfill
        ui.raise_if_dead()
        if time.monotonic() > deadline:
            runs = [
                (r.dagster_run.run_id, r.dagster_run.status.value)
                for r in _backfill_runs(backfill_id)
            ]
            raise AssertionError(
                f"backfill {backfill_id} not done within {BACKFILL_TIMEOUT_SECONDS}s "
                f"(status {backfill.status.value}, runs {runs})\n{ui.diagnostics()}"
            )
        time.sleep(POLL_SECONDS)


def _timeline(backfill, record) -> str:
    """Seconds from the launch to the run's creation (backfill daemon), its
    start (run queue, worker process), its end, and the backfill's end."""
    created = record.create_timestamp.timestamp()
    marks = [
        ("created", created),
        ("started", record.start_time),
        ("ended", record.end_time),
        ("backfill done", backfill.backfill_end_timestamp),
    ]
    shown = [
        f"{name} +{moment - backfill.backfill_timestamp:.1f}s" for name, moment in marks if moment
    ]
    ran = (
        f", ran {record.end_time - record.start_time:.1f}s"
        if record.start_time and record.end_time
        else ""
    )
    run = record.dagster_run
    return f"run {run.run_id} {run.status.value}: {', '.join(shown)}{ran}"


def _backfill_runs(backfill_id: str) -> list:
    """Run records of every run the backfill launched."""
    import dagster as dg

    from dagster_project.lib.instance import get_instance

    return list(get_instance().get_run_records(dg.RunsFilter(tags={BACKFILL_TAG: backfill_id})))


def _log_messages(run_id: str, prefix: str) -> list[str]:
    from dagster_project.lib.instance import get_instance

    return [
        entry.user_message
        for entry in get_instance().all_logs(run_id)
        if entry.user_message.startswith(prefix)
    ]


def _failures(run_id: str) -> list[str]:
    """The run's failure events, with their errors, as its event log has them."""
    from dagster_project.lib.instance import get_instance

    failures = []
    for entry in get_instance().all_logs(run_id):
        event = entry.dagster_event
        if event is None or not (event.is_step_failure or event.is_run_failure):
            continue
        error = getattr(event.event_specific_data, "error", None)
        detail = error.to_string() if error is not None else ""
        failures.append(
            f"{event.event_type_value} {event.step_key or ''}: {entry.message}\n{detail}"
        )
    return failures


def _published_runs(tenant_id: str) -> list[tuple[str, str]]:
    """(partition key, run id) of every period of the tenant in ``marts.fct_payroll``."""
    from dagster_project.lib.database import transaction

    with transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "select distinct period_start, run_id from marts.fct_payroll "
            "where tenant_id = %s order by period_start, run_id",
            (tenant_id,),
        )
        return [(f"{tenant_id}|{start.isoformat()}", run_id) for start, run_id in cur.fetchall()]


def _period_totals(partition_key: str) -> tuple[int, Decimal, Decimal]:
    from dagster_project.lib.database import transaction

    tenant_id, _, period_start = partition_key.rpartition("|")
    with transaction() as conn, conn.cursor() as cur:
        cur.execute(
            "select count(*), sum(gross_pay), sum(net_pay) from marts.fct_payroll "
            "where tenant_id = %s and period_start = %s",
            (tenant_id, period_start),
        )
        return cur.fetchone()


def _audited_periods(run_id: str, periods: int, ui: DagsterUi) -> list[tuple]:
    """The run-status sensor's rows of the run in ``marts.payroll_runs``, one
    per period of its range: (partition key, status, staff, gross, net)."""
    from dagster_project.lib.database import transaction

    deadline = time.monotonic() + SENSOR_TIMEOUT_SECONDS
    while True:
        with transaction() as conn, conn.cursor() as cur:
            cur.execute(
                "select tenant_id || '|' || period_start::text, status, staff_paid, "
                "total_gross_pay, total_net_pay from marts.payroll_runs "
                "where run_id = %s order by tenant_id, period_start",
                (run_id,),
            )
            rows = cur.fetchall()
        if len(rows) >= periods or time.monotonic() > deadline:
            return rows
        ui.raise_if_dead()
        time.sleep(POLL_SECONDS)
