"""The pay calendar sensor asks for a calendar run exactly when the calendar
is not current: no calendar yet, new data, or a period not registered."""

import dagster as dg

from dagster_project.defs.periods.calendar_sensor import pay_calendar_sensor
from dagster_project.defs.periods.partitions import PAY_PERIODS
from dagster_project.defs.resources import PayrollSettingsResource, WarehouseResource
from dagster_project.ingest.loader import ingest_paths
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
    from dagster_project.definitions import build_defs
    from dagster_project.lib.launch import refresh_calendar

    definitions = build_defs(
        {
            "warehouse": WarehouseResource(database_url=database_url),
            "payroll_settings": PayrollSettingsResource(home=str(tmp_path / "home")),
        }
    )
    log = tmp_path / "home" / "logs" / "runs.log"
    ingest_paths(database_url, [_dataset(1).write(tmp_path / "a")])
    with dg.instance_for_test() as instance:
        stale = _evaluate(instance, database_url)
        [request] = stale.run_requests
        assert request.run_key.startswith("calendar|")
        assert refresh_calendar(definitions, instance, log_path=log).success
        current = _evaluate(instance, database_url)
        assert current.run_requests == []
        assert "current" in current.skip_message
        # a period the instance lost: stale again
        keys = instance.get_dynamic_partitions(PAY_PERIODS.name)
        instance.delete_dynamic_partition(PAY_PERIODS.name, keys[-1])
        assert len(_evaluate(instance, database_url).run_requests) == 1
        assert refresh_calendar(definitions, instance, log_path=log).success
        # new data (another hire): stale again, with another run key
        ingest_paths(database_url, [_dataset(2).write(tmp_path / "b")])
        [again] = _evaluate(instance, database_url).run_requests
        assert again.run_key != request.run_key
