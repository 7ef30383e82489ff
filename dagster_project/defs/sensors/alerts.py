"""A failed run raises an alert: one structured log line, and a JSON POST to
``PAYROLL_ALERT_WEBHOOK_URL`` when it is set.

The alert names the run, job, tenant, period, failed step and error class,
never an error message: messages can quote the data (names, pay) that made a
step fail. The sensor never raises — an unreachable webhook is logged.
"""

import datetime as dt
import json
import urllib.error
import urllib.request
from typing import Any

import dagster as dg

from dagster_project.core.tags import PERIOD_TAG, TENANT_TAG
from dagster_project.defs.resources import AlertWebhookResource
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)
ALERT_EVENT = "payroll_run_failed"

ALERT_SENSOR = "payroll_run_failure_alert"
_PARTITION_TAG = "dagster/partition"
_RANGE_START_TAG = "dagster/asset_partition_range_start"
_RANGE_END_TAG = "dagster/asset_partition_range_end"
_USER_AGENT = "payroll-pipeline-alerts/1"


def _tenant_and_period(tags: dict[str, str]) -> tuple[str | None, str | None]:
    """From the payroll tags, else from the ``<tenant>|<date>`` partition (a
    backfill run carries a one-partition range instead of a partition tag)."""
    if TENANT_TAG in tags:
        return tags[TENANT_TAG], tags.get(PERIOD_TAG)
    partition = tags.get(_PARTITION_TAG)
    if partition is None and tags.get(_RANGE_START_TAG) == tags.get(_RANGE_END_TAG):
        partition = tags.get(_RANGE_START_TAG)
    if partition and "|" in partition:
        tenant, _, period = partition.rpartition("|")
        return tenant, period
    return None, None


def _error_class(error: Any) -> str | None:
    """The class of the error user code raised, not Dagster's wrapper around it."""
    while (
        error is not None
        and error.cause is not None
        and error.cls_name.startswith("Dagster")
        and error.cls_name.endswith("ExecutionError")
    ):
        error = error.cause
    return error.cls_name if error is not None else None


def failure_alert(context: dg.RunFailureSensorContext) -> dict[str, Any]:
    run = context.dagster_run
    tenant, period = _tenant_and_period(dict(run.tags))
    failed_step = None
    step_failures = context.get_step_failure_events()
    if step_failures:
        first = step_failures[0]
        failed_step = first.step_key
        data = first.event_specific_data
        error_class = _error_class(data.error if data else None)
    else:
        data = context.failure_event.event_specific_data
        error_class = _error_class(getattr(data, "error", None))
    return {
        "event": ALERT_EVENT,
        "run_id": run.run_id,
        "job": run.job_name,
        "tenant": tenant,
        "period": period,
        "failed_step": failed_step,
        "error_class": error_class,
        "failed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def post_alert(url: str, alert: dict[str, Any], timeout_seconds: float) -> bool:
    """POST the alert as JSON; True when the endpoint answered 2xx. Never
    raises, never logs the URL (it usually carries a token)."""
    if not url.startswith(("https://", "http://")):
        _log.warning("alert_webhook_failed", reason="unsupported_scheme")
        return False
    request = urllib.request.Request(
        url,
        data=json.dumps(alert, sort_keys=True).encode(),
        headers={"Content-Type": "application/json", "User-Agent": _USER_AGENT},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        _log.warning("alert_webhook_failed", run_id=alert["run_id"], status=exc.code)
        return False
    except Exception as exc:  # timeouts, refused connections, DNS, TLS: log, go on
        _log.warning("alert_webhook_failed", run_id=alert["run_id"], error_class=type(exc).__name__)
        return False
    _log.info("alert_webhook_sent", run_id=alert["run_id"], status=status)
    return True


_ALERT_FIELDS = ("run_id", "job", "tenant", "period", "failed_step", "error_class")


def _log_line(alert: dict[str, Any]) -> str:
    fields = " ".join(
        f"{name}={alert[name] if alert[name] is not None else '-'}" for name in _ALERT_FIELDS
    )
    return f"{ALERT_EVENT} {fields}"


@dg.run_failure_sensor(
    name=ALERT_SENSOR,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every failed run of this code location: a structured `payroll_run_failed` log "
    "line and, when PAYROLL_ALERT_WEBHOOK_URL is set, a JSON POST (run id, job, tenant, period, "
    "failed step, error class — never a message, a name or an amount).",
)
def payroll_run_failure_alert(
    context: dg.RunFailureSensorContext, alert_webhook: AlertWebhookResource
) -> None:
    try:
        alert = failure_alert(context)
        _log.error(ALERT_EVENT, **{name: alert[name] for name in _ALERT_FIELDS})
        context.log.error(_log_line(alert))
        url = alert_webhook.endpoint()
        if url is not None:
            post_alert(url, alert, alert_webhook.timeout_seconds)
    except Exception as exc:  # an alert must never fail the sensor daemon
        _log.error(
            "alert_failed",
            run_id=context.dagster_run.run_id,
            error_class=type(exc).__name__,
        )


def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[payroll_run_failure_alert])
