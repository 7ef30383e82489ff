"""``payroll doctor``: is everything the pipeline needs healthy?"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    name: str
    healthy: bool
    detail: str


def _settings() -> str:
    from dagster_project.settings import get_settings

    settings = get_settings()
    where = "PAYROLL_DATABASE_URL" if settings.database_url else f"embedded ({settings.home_dir})"
    return f"environment={settings.environment} warehouse={where}"


def _database() -> str:
    from dagster_project.lib.database import transaction, warehouse_url

    with transaction(warehouse_url()) as conn, conn.cursor() as cur:
        cur.execute("select current_setting('server_version'), current_database()")
        version, dbname = cur.fetchone()
    return f"PostgreSQL {version}, database {dbname}"


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
    return f"{len(available_migrations())} applied"


def _dbt_manifest() -> str:
    from dagster_project.defs.dbt.project import payroll_dbt_project

    manifest = payroll_dbt_project.manifest_path
    if not manifest.exists():
        raise RuntimeError(f"{manifest} missing: run `make install` (dbt parse)")
    return str(manifest)


def _dagster_instance() -> str:
    from dagster_project.lib.instance import get_instance

    instance = get_instance()
    runs = instance.get_runs_count()
    storage = type(instance.run_storage).__name__
    return f"{storage} at {instance.root_directory}, {runs} runs"


def _definitions() -> str:
    from dagster_project.definitions import defs

    definitions = defs()
    jobs = sorted(job.name for job in definitions.resolve_all_job_defs())
    return f"loaded, jobs: {', '.join(jobs)}"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("config", _settings),
    ("database", _database),
    ("migrations", _migrations),
    ("dbt manifest", _dbt_manifest),
    ("dagster instance", _dagster_instance),
    ("definitions", _definitions),
)


def run_checks() -> list[CheckResult]:
    results = []
    for name, check in CHECKS:
        try:
            results.append(CheckResult(name, True, check()))
        except Exception as exc:  # report every failure, never stop at the first
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
    return results
