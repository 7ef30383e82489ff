"""A year of pay periods in one backfill is ONE run over the partition range,
under the shipped instance policy (deploy/dagster.yaml): Dagster's own
backfill and queued-run-coordinator daemons, a Postgres test instance, and a
run launcher that records launches instead of starting processes (the run
really executing under the daemon is tests/browser/test_backfill.py)."""

import datetime as dt
import logging
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import yaml
from dagster._core.execution.backfill import PartitionBackfill
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.storage.dagster_run import DagsterRunStatus
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
    QueuedRunCoordinatorDaemon,
)

from dagster_project.core.names import PAY_PERIOD_JOB
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.lib.database import sqlalchemy_url

REPO = Path(__file__).resolve().parents[3]
DAGSTER_YAML = REPO / "deploy" / "dagster.yaml"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
# a biweekly tenant's 2026 from its anchor, and another tenant's periods
# registered after it (a range of bistro's must hold none of them)
YEAR = [f"bistro|{dt.date(2026, 1, 4) + dt.timedelta(days=14 * n)}" for n in range(26)]
OTHER = [f"acme|{dt.date(2026, 1, 5) + dt.timedelta(days=7 * n)}" for n in range(3)]
LOG = logging.getLogger("test_backfill_order")


@pytest.fixture
def instance(make_database, tmp_path):
    """The shipped policy (queue, limits, run monitoring) over Postgres storage
    in a test database; runs are launched into a recorder, not processes."""
    config = yaml.safe_load(DAGSTER_YAML.read_text())
    storage_url = make_database("backfill_instance")
    conn = psycopg2.connect(storage_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        # each queued run stores ~100 planned events: no fsync wait per event
        cur.execute("select current_database()")
        cur.execute(f'alter database "{cur.fetchone()[0]}" set synchronous_commit = off')
    conn.close()
    config["storage"] = {"postgres": {"postgres_url": sqlalchemy_url(storage_url)}}
    config["run_launcher"] = {"module": "dagster._core.test_utils", "class": "MockedRunLauncher"}
    with dg.instance_for_test(overrides=config, temp_dir=str(tmp_path)) as test_instance:
        yield test_instance


@pytest.fixture
def workspace(instance):
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(
            executable_path=sys.executable,
            module_name="dagster_project.definitions",
            working_directory=str(REPO),
        ),
        location_name="payroll",
    )
    with create_test_daemon_workspace_context(
        InProcessWorkspaceLoadTarget(origin), instance
    ) as context:
        yield context


def _period_job_asset_keys(workspace) -> list[dg.AssetKey]:
    """Everything a pay-period run materializes (the dbt models, and whatever
    else pay_period_job selects), as an operator selects it for a backfill."""
    from dagster_project.definitions import defs

    job = defs().resolve_job_def(PAY_PERIOD_JOB)
    return sorted(job.asset_layer.executable_asset_keys)


def _launch_backfill(instance, workspace, keys: list[str]) -> str:
    backfill_id = f"year{uuid.uuid4().hex[:6]}"
    request = workspace.create_request_context()
    instance.add_backfill(
        PartitionBackfill.from_asset_partitions(
            backfill_id=backfill_id,
            asset_graph=request.asset_graph,
            partition_names=keys,
            asset_selection=_period_job_asset_keys(workspace),
            backfill_timestamp=time.time(),
            tags={},
            dynamic_partitions_store=instance,
            all_partitions=False,
            title="2026 for bistro",
            description=None,
            run_config=None,
        )
    )
    list(execute_backfill_iteration(workspace, LOG))
    return backfill_id


def _in_progress(instance) -> list[dg.DagsterRun]:
    return instance.get_runs(
        dg.RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED])
    )


def test_a_backfill_of_a_year_is_one_run_over_its_range(instance, workspace):
    # the order pay_period_partitions registers them in: each tenant one block
    instance.add_dynamic_partitions(PAY_PERIODS.name, OTHER + YEAR)
    # deployment step (deploy/compose, README): the pool's limit exists before
    # the first run; on a fresh instance the daemon creates it only on the first
    # pass that meets the pool, and that pass does not count it yet
    instance.event_log_storage.set_concurrency_slots("payroll_warehouse", 1)
    backfill_id = _launch_backfill(instance, workspace, YEAR)

    [queued] = instance.get_runs(dg.RunsFilter(statuses=[DagsterRunStatus.QUEUED]))
    assert queued.tags["dagster/backfill"] == backfill_id
    assert (queued.tags[RANGE_START], queued.tags[RANGE_END]) == (YEAR[0], YEAR[-1])
    # every asset of the period job (models, publish) in that one run
    assert set(queued.asset_selection) == set(_period_job_asset_keys(workspace))

    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
    list(daemon.run_iteration(workspace))
    [running] = _in_progress(instance)
    assert running.run_id == queued.run_id
    instance.report_run_canceled(running, "simulated end of run")
    list(daemon.run_iteration(workspace))
    assert _in_progress(instance) == []


def test_two_backfills_queue_and_run_one_at_a_time(instance, workspace):
    instance.add_dynamic_partitions(PAY_PERIODS.name, OTHER + YEAR)
    instance.event_log_storage.set_concurrency_slots("payroll_warehouse", 1)
    _launch_backfill(instance, workspace, YEAR[:13])
    _launch_backfill(instance, workspace, OTHER)
    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
    launched: list[str] = []
    for _ in range(2):
        list(daemon.run_iteration(workspace))
        # a second pass while a writer is going launches nothing more
        list(daemon.run_iteration(workspace))
        running = _in_progress(instance)
        assert len(running) == 1, running
        launched.append(running[0].tags[RANGE_START])
        # a failed range frees the pool at once: no slot is left behind
        instance.report_run_failed(running[0], "simulated failure")
    assert sorted(launched) == sorted([YEAR[0], OTHER[0]])


def test_the_pay_period_assets_backfill_a_range_in_one_run():
    from dagster_project.defs.dbt.assets import pay_period_models
    from dagster_project.defs.publish.assets import published_pay_period

    for asset in (pay_period_models, published_pay_period):
        assert asset.backfill_policy == dg.BackfillPolicy.single_run()
