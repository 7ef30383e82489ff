"""``python -m bench.trivial.run``: the trivial floor, one Dagster run of one
asset running ``select 1 as x`` through dagster-dbt, on the instance and
the warehouse ``payroll`` uses (``PAYROLL_HOME``, ``PAYROLL_DATABASE_URL``,
``PAYROLL_DAGSTER_DATABASE_URL``), launched as ``payroll run`` launches a
run: ``job.execute_in_process(instance=...)`` in this fresh process.

Exit 0 when the run succeeded. The manifest must exist (``project.parse``).
"""

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from bench.trivial.project import MANIFEST, PROJECT_DIR, dbt_executable

JOB = "trivial_floor_job"
# as dagster_project/lib/launch.py: the event log keeps the events, not the console
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def build_job() -> dg.JobDefinition:
    """Built when called: ``@dbt_assets`` reads the manifest."""
    project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)

    @dbt_assets(manifest=MANIFEST, project=project, name="trivial_floor_model")
    def trivial_floor_model(
        context: dg.AssetExecutionContext, dbt: DbtCliResource
    ) -> Iterator[Any]:
        yield from dbt.cli(["build"], context=context).stream()

    resource = DbtCliResource(
        project_dir=project, profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )
    defs = dg.Definitions(
        assets=[trivial_floor_model],
        jobs=[dg.define_asset_job(JOB, selection=[trivial_floor_model])],
        resources={"dbt": resource},
    )
    return defs.resolve_job_def(JOB)


@contextlib.contextmanager
def _dbt_output_to_log(home) -> Iterator[None]:
    """dbt's progress lines go to a log file, as ``payroll run`` sends them
    to its run log."""
    path = home / "logs" / "trivial_floor.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        yield


def main() -> int:
    from dagster_project.lib.database import export_dbt_env, warehouse_url
    from dagster_project.lib.instance import get_instance
    from dagster_project.settings import get_settings

    instance = get_instance()
    export_dbt_env(warehouse_url())
    job = build_job()
    with _dbt_output_to_log(get_settings().home_dir):
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_RUN_CONFIG
        )
    print(f"trivial floor run {result.run_id}: {'ok' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
