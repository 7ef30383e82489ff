"""``payroll doctor``: is everything the pipeline needs healthy?

Each check returns ok, warn or fail with one line of detail. A warning is
healthy in development and names what an operator should do (the daemon is
not running, the warehouse pool has no limit yet); the same findings fail in
production, where schedules, sensors and the run queue must work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from dagster_project.lib.instance import WAREHOUSE_POOL

Status = Literal["ok", "warn", "fail"]
POOL_COMMAND = f"dagster instance concurrency set {WAREHOUSE_POOL} 1"
# a daemon beats every 30 s; older than this, it is not running
HEARTBEAT_TOLERANCE_SECONDS = 120


@dataclass(frozen=True)
class CheckResult:
    name: str
    healthy: bool
    detail: str
    warning: bool = False

    @property
    def status(self) -> Status:
        if not self.healthy:
            return "fail"
        return "warn" if self.warning else "ok"


class DoctorWarning(Exception):
    """A finding that is healthy outside production (message: what to do)."""


def _production() -> bool:
    from dagster_project.settings import get_settings

    return get_settings().environment == "production"


def _settings() -> str:
    from dagster_project.settings import get_settings, unknown_variables

    settings = get_settings()
    where = "PAYROLL_DATABASE_URL" if settings.database_url else f"embedded ({settings.home_dir})"
    detail = f"environment={settings.environment} warehouse={where}"
    unknown = unknown_variables()
    if unknown:
        names = ", ".join(
            f"{name} (did you mean {hint}?)" if hint else name for name, hint in unknown.items()
        )
        raise DoctorWarning(f"{detail}; unknown settings ignored: {names}")
    return detail


def _database() -> str:
    from dagster_project.lib.database import transaction, warehouse_url
    from dagster_project.settings import get_settings, require_safe_database

    with transaction(warehouse_url()) as conn, conn.cursor() as cur:
        cur.execute("select current_setting('server_version'), current_database(), current_user")
        version, dbname, user = cur.fetchone()
    # production: a superuser, a BYPASSRLS role or no TLS fails here
    require_safe_database(get_settings())
    return f"PostgreSQL {version}, database {dbname} as {user}"


def _migrations() -> str:
    from dagster_project.lib.database import connect, warehouse_url
    from dagster_project.lib.migrations import available_migrations, pending_migrations

    conn = connect(warehouse_url())
    try:
        pending = pending_migrations(conn)
    finally:
        conn.close()
    if pending:
        raise RuntimeError(f"pending migrations {pending}: any payroll command applies them")
    migrations = available_migrations()
    latest = migrations[-1] if migrations else None
    version = f"{latest.version:04d}_{latest.name}" if latest else "none"
    return f"{len(migrations)} applied, schema version {version}"


def _dbt_manifest() -> str:
    from dagster_project.defs.dbt.project import DBT_PROJECT_DIR, payroll_dbt_project

    manifest = payroll_dbt_project.manifest_path
    if not manifest.exists():
        raise RuntimeError(f"{manifest} missing: run `make install` (dbt parse)")
    metadata = json.loads(manifest.read_text()).get("metadata", {})
    sources = [
        path
        for folder in ("models", "macros", "seeds", "tests")
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
        if path.is_file()
    ]
    newest = max((path.stat().st_mtime for path in sources), default=0)
    detail = f"{manifest} (dbt {metadata.get('dbt_version', '?')})"
    if newest > manifest.stat().st_mtime:
        raise DoctorWarning(f"{detail} is older than the models: run `make install` (dbt parse)")
    return detail


def _instance():
    from dagster_project.lib.instance import get_instance

    return get_instance()


def _dagster_instance() -> str:
    instance = _instance()
    runs = instance.get_runs_count()
    storage = type(instance.run_storage).__name__
    return f"{storage} at {instance.root_directory}, {runs} runs"


def pool_status(instance) -> tuple[Status, str]:
    """The warehouse pool needs its limit before the first run is dequeued: on
    a fresh instance the daemon creates it on the first pass that meets the
    pool, and that pass does not count it yet."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return "warn", "this storage has no pools: runs are serialized by run tag only"
    limits = {pool.name: pool.limit for pool in storage.get_pool_limits()}
    limit = limits.get(WAREHOUSE_POOL)
    if limit == 1:
        return "ok", f"{WAREHOUSE_POOL} limit 1"
    if limit is None:
        return "warn", f"{WAREHOUSE_POOL} has no limit yet: run `{POOL_COMMAND}`"
    return "fail", f"{WAREHOUSE_POOL} limit {limit}: writers would overlap; `{POOL_COMMAND}`"


def daemon_status(instance, now: float | None = None) -> tuple[Status, str]:
    """Schedules, sensors, the run queue and backfills need a live daemon."""
    from dagster._daemon.controller import get_daemon_statuses

    required = sorted(instance.get_required_daemon_types())
    statuses = get_daemon_statuses(
        instance,
        required,
        curr_time_seconds=now if now is not None else time.time(),
        heartbeat_tolerance_seconds=HEARTBEAT_TOLERANCE_SECONDS,
    )
    never = [name for name, status in statuses.items() if status.last_heartbeat is None]
    unhealthy = [name for name, status in statuses.items() if not status.healthy]
    if not unhealthy:
        return "ok", f"{len(required)} daemons alive: {', '.join(required)}"
    if len(never) == len(required):
        return "warn", (
            "dagster-daemon is not running: schedules, sensors and queued runs wait "
            "(`make ui` starts it)"
        )
    return "fail", f"no recent heartbeat from: {', '.join(sorted(unhealthy))}"


def _graded(check: Callable[[], tuple[Status, str]]) -> Callable[[], str]:
    def run() -> str:
        status, detail = check()
        if status == "fail":
            raise RuntimeError(detail)
        if status == "warn":
            raise DoctorWarning(detail)
        return detail

    return run


def _definitions() -> str:
    from dagster_project.definitions import defs

    definitions = defs()
    jobs = sorted(job.name for job in definitions.resolve_all_job_defs())
    repository = definitions.get_repository_def()
    schedules = sorted(s.name for s in repository.schedule_defs)
    sensors = sorted(s.name for s in repository.sensor_defs)
    return (
        f"loaded, jobs: {', '.join(jobs)}; schedules: {', '.join(schedules) or 'none'}; "
        f"sensors: {len(sensors)}"
    )


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("config", _settings),
    ("database", _database),
    ("migrations", _migrations),
    ("dbt manifest", _dbt_manifest),
    ("dagster instance", _dagster_instance),
    ("warehouse pool", _graded(lambda: pool_status(_instance()))),
    ("daemon", _graded(lambda: daemon_status(_instance()))),
    ("definitions", _definitions),
)


def run_checks(checks: Sequence[tuple[str, Callable[[], str]]] = CHECKS) -> list[CheckResult]:
    """Every check, whatever failed before it; warnings fail in production."""
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, True, check()))
        except DoctorWarning as finding:
            production = _safe_production()
            results.append(CheckResult(name, not production, str(finding), warning=True))
        except Exception as exc:  # report every failure, never stop at the first
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
    return results


def _safe_production() -> bool:
    try:
        return _production()
    except Exception:  # invalid settings are the config check's failure
        return True


def render_table(results: Sequence[CheckResult]) -> str:
    """A fixed-width table: check, status, detail; then the verdict."""
    width = max([len("check"), *(len(r.name) for r in results)])
    lines = [f"{'check':<{width}}  status  detail", f"{'-' * width}  ------  ------"]
    lines += [f"{r.name:<{width}}  {r.status.upper():<6}  {r.detail}" for r in results]
    failed = [r.name for r in results if not r.healthy]
    warned = [r.name for r in results if r.healthy and r.warning]
    if failed:
        verdict = f"UNHEALTHY: {', '.join(failed)}"
    else:
        verdict = "healthy" + (f" (warnings: {', '.join(warned)})" if warned else "")
    return "\n".join([*lines, "", verdict])
