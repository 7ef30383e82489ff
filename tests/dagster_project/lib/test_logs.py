"""The one logging setup: JSON or console lines, the same fields for our
modules, other libraries and Dagster's own records."""

import io
import json
import logging

import dagster as dg
import pytest

from dagster_project.defs.loggers import payroll_console_logger
from dagster_project.lib import logs


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "stream", "expected"),
    [
        (None, io.StringIO(), "json"),
        (None, _Tty(), "console"),
        ("console", io.StringIO(), "console"),
        ("JSON", _Tty(), "json"),
    ],
)
def test_the_format_is_console_on_a_terminal_and_json_elsewhere(monkeypatch, env, stream, expected):
    if env is None:
        monkeypatch.delenv(logs.FORMAT_ENV, raising=False)
    else:
        monkeypatch.setenv(logs.FORMAT_ENV, env)
    assert logs.log_format(stream) == expected


def test_an_unknown_format_is_refused_by_name(monkeypatch):
    monkeypatch.setenv(logs.FORMAT_ENV, "xml")
    with pytest.raises(ValueError, match="PAYROLL_LOG_FORMAT='xml'"):
        logs.log_format()


@pytest.fixture
def captured():
    """A root handler like ours over a buffer, everything at DEBUG."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.formatter("json"))
    handler.addFilter(logs._worth_a_line)
    handler._payroll = True  # the run's logger finds logging configured
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_our_event_and_a_foreign_record_are_the_same_kind_of_line(captured):
    logs.get_logger("dagster_project.lib.publish").info("wap_published", schema="wap_1", rows=3)
    logging.getLogger("great_expectations.core").warning("suite %s slow", "x")
    logging.getLogger("great_expectations.core").info("chatter")
    ours, foreign = captured()
    assert list(ours)[:4] == ["timestamp", "level", "logger", "event"]
    assert {k: ours[k] for k in ("level", "logger", "event", "schema", "rows")} == {
        "level": "info",
        "logger": "dagster_project.lib.publish",
        "event": "wap_published",
        "schema": "wap_1",
        "rows": 3,
    }
    # other libraries' INFO is chatter: only their warnings make a line
    assert (foreign["logger"], foreign["event"], foreign["level"]) == (
        "great_expectations.core",
        "suite x slow",
        "warning",
    )


def test_a_traceback_has_no_local_variables(captured):
    net_pay = "1234.56"  # noqa: F841 (a local a traceback could show)
    try:
        raise ValueError("boom")
    except ValueError:
        logs.get_logger("dagster_project.x").exception("failed")
    (line,) = captured()
    assert line["exception"][0]["exc_type"] == "ValueError"
    assert "1234.56" not in json.dumps(line)


def test_dagster_lines_carry_the_run_tenant_period_and_step(captured):
    @dg.op
    def compute(context):
        context.log.info("pay_period_published tenant=acme period_start=2026-03-01 staff_paid=3")
        logs.get_logger("dagster_project.lib.publish").info("wap_staged", periods=1)

    @dg.job(logger_defs={"console": payroll_console_logger})
    def pay_job():
        compute()

    result = pay_job.execute_in_process(
        tags={"payroll/tenant": "acme", "payroll/period": "2026-03-01"},
        run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}}},
    )
    lines = captured()
    published = next(e for e in lines if e["event"] == "pay_period_published")
    assert published == {
        **{k: published[k] for k in ("timestamp", "level", "logger")},
        "event": "pay_period_published",
        "run_id": result.run_id,
        "tenant": "acme",
        "period": "2026-03-01",
        "period_start": "2026-03-01",
        "staff_paid": "3",
        "job": "pay_job",
        "step_key": "compute",
    }
    staged = next(e for e in lines if e["event"] == "wap_staged")
    assert (staged["run_id"], staged["tenant"], staged["period"]) == (
        result.run_id,
        "acme",
        "2026-03-01",
    )
    # Dagster's own events (at DEBUG) are lines too: the step's success, the run's
    assert {"STEP_SUCCESS", "PIPELINE_SUCCESS"} <= {e.get("dagster_event") for e in lines}


def test_what_a_library_prints_during_a_run_becomes_log_events(captured):
    with logs.stdout_to_log("dagster_project.lib.launch"):
        print("first line\nsecond", end="")
    assert [(e["event"], e["line"]) for e in captured()] == [
        ("printed", "first line"),
        ("printed", "second"),
    ]
