"""The pay calendar sensor asks for a calendar run exactly when the calendar
is not current: no calendar yet, new data, or a period not registered."""

import dagster as dg
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.defs.periods.calendar_sensor import pay_calendar_sensor
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import WarehouseResource
from tests.worked_examples.test_worked_examples import Dataset


def _evaluate(instance, url):
    context = dg.build_sensor_context(
        instance=instance, resources={"warehouse": WarehouseResource(database_url=url)}
    )
    return pay_calendar_sensor.evaluate_tick(context)


def _dataset(staff: int) -> Dataset:
    data = Dataset()
    data.tenant("cal", "weekly", "2026-03-02", workweek="monday")
    data.location("cal", "AUS", "America/Chicago", "TX")
    for number in range(staff):
        data.staff("cal", f"S{number}", "AUS", hired_on="2026-03-02")
    return data


def test_the_sensor_requests_a_calendar_run_only_when_it_is_stale(database_url, tmp_path):
    from dagster_project.definitions import defs
    from dagster_project.lib.instance import get_instance
    from dagster_project.lib.launch import refresh_calendar
    from dagster_project.settings import get_settings

    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", database_url)
    patch.setenv("PAYROLL_HOME", str(tmp_path / "home"))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["ingest", str(_dataset(1).write(tmp_path / "a"))]).exit_code == 0
        instance = get_instance()
        stale = _evaluate(instance, database_url)
        [request] = stale.run_requests
        assert request.run_key.startswith("calendar|")
        assert refresh_calendar(defs(), instance).success
        current = _evaluate(instance, database_url)
        assert current.run_requests == []
        assert "current" in current.skip_message
        # a period the instance lost: stale again
        keys = instance.get_dynamic_partitions(PAY_PERIODS.name)
        instance.delete_dynamic_partition(PAY_PERIODS.name, keys[-1])
        assert len(_evaluate(instance, database_url).run_requests) == 1
        assert refresh_calendar(defs(), instance).success
        # new data (another hire): stale again, with another run key
        assert runner.invoke(app, ["ingest", str(_dataset(2).write(tmp_path / "b"))]).exit_code == 0
        [again] = _evaluate(instance, database_url).run_requests
        assert again.run_key != request.run_key
    finally:
        patch.undo()
        get_settings.cache_clear()
