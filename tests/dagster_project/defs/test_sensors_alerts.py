"""A failed run alerts: a structured log line and a JSON POST to the webhook,
with no name or amount in either; the sensor never raises."""

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from dagster_project.defs.resources import AlertWebhookResource
from dagster_project.defs.sensors.alerts import payroll_run_failure_alert, post_alert
from tests.log_events import logged_events

LOGGER = "dagster_project.defs.sensors.alerts"
SECRET_NAME = "Jane Q. Doe"
SECRET_PAY = "1234.56"


@dg.op
def compute_pay() -> None:
    raise ValueError(f"{SECRET_NAME} would be paid {SECRET_PAY}")


@dg.job
def failing_pay_job() -> None:
    compute_pay()


class Webhook:
    """A local HTTP endpoint recording every POST; answers ``status``, or holds
    the request until released when ``hold`` is set."""

    def __init__(self, status: int = 204, hold: bool = False) -> None:
        self.status = status
        self.hold = threading.Event() if hold else None
        self.received: list[dict] = []
        self.headers: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append(json.loads(body))
                hook.headers.append(dict(self.headers))
                if hook.hold is not None:
                    hook.hold.wait(timeout=30)
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/T0KEN-SECRET"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Webhook":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def failed_run() -> Iterator[tuple[dg.DagsterInstance, dg.RunFailureSensorContext]]:
    with dg.instance_for_test() as instance:
        result = failing_pay_job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={"payroll/tenant": "acme", "payroll/period": "2026-03-01"},
        )
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        context = dg.build_run_status_sensor_context(
            sensor_name="payroll_run_failure_alert",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=run,
        ).for_run_failure()
        yield instance, context


def evaluate_alert(
    context: dg.RunFailureSensorContext, url: str | None, timeout: float = 5
) -> None:
    """One evaluation of the sensor for the failed run, with this webhook."""
    payroll_run_failure_alert(
        dg.build_run_status_sensor_context(
            sensor_name="payroll_run_failure_alert",
            dagster_event=context.dagster_event,
            dagster_instance=context.instance,
            dagster_run=context.dagster_run,
            resources={"alert_webhook": AlertWebhookResource(url=url, timeout_seconds=timeout)},
        ).for_run_failure()
    )


def test_a_failed_run_posts_one_json_alert_without_names_or_pay(failed_run, caplog):
    _, context = failed_run
    with Webhook() as hook, caplog.at_level(logging.INFO, logger=LOGGER):
        evaluate_alert(context, hook.url)
    assert len(hook.received) == 1
    alert = hook.received[0]
    failed_at = alert.pop("failed_at")
    assert failed_at.endswith("+00:00")
    expected = {
        "event": "payroll_run_failed",
        "run_id": context.dagster_run.run_id,
        "job": "failing_pay_job",
        "tenant": "acme",
        "period": "2026-03-01",
        "failed_step": "compute_pay",
        "error_class": "ValueError",
    }
    # the POST and the log line carry the same fields
    assert alert == expected
    assert hook.headers[0]["Content-Type"] == "application/json"
    logged = logged_events(caplog)
    assert logged == [
        expected,
        {"event": "alert_webhook_sent", "run_id": context.dagster_run.run_id, "status": 204},
    ]
    for leaked in (SECRET_NAME, SECRET_PAY, "T0KEN-SECRET"):
        assert leaked not in json.dumps(logged)
        assert leaked not in json.dumps(hook.received)


def test_without_a_webhook_the_alert_is_the_log_line_only(failed_run, caplog):
    _, context = failed_run
    with caplog.at_level(logging.INFO, logger=LOGGER):
        evaluate_alert(context, None)
    assert [event["event"] for event in logged_events(caplog)] == ["payroll_run_failed"]


@pytest.mark.parametrize("status", [500, 404])
def test_an_error_answer_is_logged_and_the_sensor_does_not_raise(failed_run, caplog, status):
    _, context = failed_run
    with Webhook(status=status) as hook, caplog.at_level(logging.INFO, logger=LOGGER):
        evaluate_alert(context, hook.url)
    assert len(hook.received) == 1
    assert logged_events(caplog)[-1] == {
        "event": "alert_webhook_failed",
        "run_id": context.dagster_run.run_id,
        "status": status,
    }


def test_an_unreachable_or_slow_webhook_is_logged_and_the_sensor_returns(failed_run, caplog):
    _, context = failed_run
    with Webhook() as closed:
        url = closed.url
    with caplog.at_level(logging.INFO, logger=LOGGER):
        evaluate_alert(context, url)
    assert logged_events(caplog)[-1]["error_class"] == "URLError"

    caplog.clear()
    with Webhook(hold=True) as slow:
        with caplog.at_level(logging.INFO, logger=LOGGER):
            evaluate_alert(context, slow.url, timeout=0.5)
        assert len(slow.received) == 1
    failed = logged_events(caplog)[-1]
    assert (failed["event"], failed["error_class"]) == ("alert_webhook_failed", "TimeoutError")


def test_post_alert_refuses_a_non_http_url(caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert not post_alert("file:///etc/passwd", {"run_id": "r"}, 1)
    assert logged_events(caplog) == [
        {"event": "alert_webhook_failed", "reason": "unsupported_scheme"}
    ]


def test_a_backfill_run_names_its_tenant_and_period_from_the_partition_range():
    from dagster_project.defs.sensors.alerts import _tenant_and_period

    assert _tenant_and_period(
        {
            "dagster/asset_partition_range_start": "bistro|2026-03-15",
            "dagster/asset_partition_range_end": "bistro|2026-03-15",
        }
    ) == ("bistro", "2026-03-15")
    assert _tenant_and_period({"dagster/partition": "acme|2026-03-01"}) == ("acme", "2026-03-01")
    assert _tenant_and_period({}) == (None, None)
