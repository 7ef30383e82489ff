"""The Dagster instance the project manages (``PAYROLL_HOME/dagster_home``).

Runs launched by ``payroll run`` and by the UI land in the same Postgres run
storage, so an operator sees every run with its partition in one place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from dagster_project.lib.database import dagster_storage_url, sqlalchemy_url
from dagster_project.settings import Settings, get_settings

DAGSTER_YAML = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"
STORAGE_URL_ENV = "PAYROLL_DAGSTER_STORAGE_URL"
# the pool every warehouse writer step claims: one run at a time (run granularity)
WAREHOUSE_POOL = "payroll_warehouse"
# the backup and verify steps: a retention never deletes what a restore reads
BACKUP_POOL = "payroll_backups"
EVENT_BATCH_SIZE = "200"


def prepare_dagster_home(settings: Settings | None = None) -> Path:
    """Write ``dagster.yaml`` into the managed home and export what it reads."""
    settings = settings or get_settings()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != DAGSTER_YAML.read_bytes():
        shutil.copyfile(DAGSTER_YAML, target)
    os.environ["DAGSTER_HOME"] = str(home)
    # dagster-postgres talks through SQLAlchemy, whose default driver for
    # postgresql:// is psycopg 3 from 2.1 on; Dagster's SQL needs psycopg2.
    os.environ[STORAGE_URL_ENV] = event_log_url(sqlalchemy_url(dagster_storage_url(settings)))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # a range run materializes every asset once per period: those events are
    # written in batches (one INSERT per batch, not per event)
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)
    return home


def event_log_url(url: str) -> str:
    """Dagster's storage URL with asynchronous commits for its sessions: an
    event is durable a fraction of a second after it is written instead of
    each of a run's hundreds of events waiting for a WAL flush. A server crash
    can lose the last events of a run in progress (run monitoring then marks
    it failed); the warehouse's own writes stay synchronous."""
    if "synchronous_commit" in url:
        return url
    return url + ("&" if "?" in url else "?") + "options=-c%20synchronous_commit%3Doff"


def get_instance(settings: Settings | None = None) -> dg.DagsterInstance:
    prepare_dagster_home(settings)
    instance = dg.DagsterInstance.get()
    hold_storage_connections(instance)
    ensure_warehouse_pool(instance)
    return instance


def hold_storage_connections(instance: dg.DagsterInstance) -> None:
    """Keep the storage connections of this process open. dagster-postgres
    opens a new connection per statement unless told otherwise (its webserver
    holds a pool); a run executed in this process writes hundreds of events,
    and connecting took a quarter of a range run's time."""
    instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=10)


def ensure_warehouse_pool(instance: dg.DagsterInstance) -> None:
    """Give the warehouse pool (and the backup pool) its limit of 1 before any
    run is dequeued: on a fresh instance the run queue would otherwise launch
    every queued writer at once. A limit an operator set is left alone."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return
    limited = {pool.name for pool in storage.get_pool_limits()}
    for pool in (WAREHOUSE_POOL, BACKUP_POOL):
        if pool not in limited:
            storage.set_concurrency_slots(pool, 1)
