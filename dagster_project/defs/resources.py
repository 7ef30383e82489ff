"""The resources every sensor, schedule and asset talks through.

The settings (``dagster_project/settings.py``) are read once, when the code
location's definitions are built (:func:`defs`), and reach sensors,
schedules and assets only as these resources — a test builds the resources
it needs instead of changing the environment.

Dagster shows a resource's configuration in the UI, so no secret is ever
configured here: the warehouse URL (it may carry a password) and the alert
webhook URL (it usually carries a token) are left unset in the definitions
and read from the settings when a connection or an alert needs them. Tests
set them explicitly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg2
import psycopg2.extensions

from dagster_project.core.locks import WAREHOUSE_WRITER_LOCK
from dagster_project.lib.backup_retention import Retention
from dagster_project.lib.database import (
    connect,
    dagster_storage_url,
    export_dbt_env,
    transaction,
    warehouse_url,
)
from dagster_project.settings import Settings, get_settings

WAREHOUSE = "warehouse"
PAYROLL_SETTINGS = "payroll_settings"
ALERT_WEBHOOK = "alert_webhook"
DAGSTER_STORAGE = "dagster_storage"


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


class WarehouseResource(dg.ConfigurableResource):
    """The PostgreSQL warehouse. Without ``database_url`` it follows the settings
    (``PAYROLL_DATABASE_URL`` or the embedded server)."""

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or warehouse_url()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.connection]:
        """A connection that commits on success, rolls back on error and is
        closed either way."""
        with transaction(self.url()) as conn:
            yield conn

    @contextlib.contextmanager
    def exclusive_writer(self, wait_seconds: int = 600) -> Iterator[None]:
        """Hold the warehouse's writer lock (a session advisory lock) while the
        body runs: two pay-period builds never interleave, whether launched from
        the UI, the CLI or both. A second one waits, then fails clearly."""
        conn = connect(self.url())
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("set lock_timeout = %s", (f"{wait_seconds}s",))
                try:
                    cur.execute("select pg_advisory_lock(%s)", (WAREHOUSE_WRITER_LOCK,))
                except psycopg2.errors.LockNotAvailable:
                    raise dg.Failure(
                        description="another pay-period run is writing the warehouse; "
                        f"waited {wait_seconds}s — try again when it has finished"
                    ) from None
            yield
        finally:
            conn.close()  # ends the session: the lock goes with it, even on a crash

    def export_dbt_env(self) -> None:
        """dbt's profile reads the connection from the environment of this process."""
        export_dbt_env(self.url())


class PayrollSettingsResource(dg.ConfigurableResource):
    """The pipeline's settings that sensors, schedules and assets use (none of
    them secret), copied from :class:`~dagster_project.settings.Settings` when
    the definitions are built. The defaults are the settings' defaults."""

    home: str = str(_default("home"))
    landing_dir: str | None = None
    landing_settle_seconds: int = _default("landing_settle_seconds")
    schedule_close_delay_hours: float = _default("schedule_close_delay_hours")
    schedule_catchup_hours: int = _default("schedule_catchup_hours")
    backup_dir: str | None = None
    backup_verify_each: bool = _default("backup_verify_each")
    backup_keep_hourly_hours: int = _default("backup_keep_hourly_hours")
    backup_keep_daily_days: int = _default("backup_keep_daily_days")

    @classmethod
    def from_settings(cls, settings: Settings) -> PayrollSettingsResource:
        return cls(
            home=str(settings.home_dir),
            landing_dir=str(settings.landing_path),
            landing_settle_seconds=settings.landing_settle_seconds,
            schedule_close_delay_hours=settings.schedule_close_delay_hours,
            schedule_catchup_hours=settings.schedule_catchup_hours,
            backup_dir=str(settings.backup_path),
            backup_verify_each=settings.backup_verify_each,
            backup_keep_hourly_hours=settings.backup_keep_hourly_hours,
            backup_keep_daily_days=settings.backup_keep_daily_days,
        )

    @property
    def home_dir(self) -> Path:
        """Project state: dbt artifacts, logs, Great Expectations results."""
        return Path(self.home).expanduser().resolve()

    @property
    def landing_path(self) -> Path:
        """The folder the landing sensor watches and the ingest asset reads."""
        folder = Path(self.landing_dir) if self.landing_dir else self.home_dir / "landing"
        return folder.expanduser().resolve()

    @property
    def backup_path(self) -> Path:
        """The folder the backup jobs write, prune and verify (the metrics read it)."""
        folder = Path(self.backup_dir) if self.backup_dir else self.home_dir / "backups"
        return folder.expanduser().resolve()

    def backup_retention(self) -> Retention:
        return Retention(self.backup_keep_hourly_hours, self.backup_keep_daily_days)


class DagsterStorageResource(dg.ConfigurableResource):
    """Dagster's run, event-log and schedule storage as a database to back up.
    Without ``database_url`` it follows the settings
    (``PAYROLL_DAGSTER_DATABASE_URL``, else the warehouse)."""

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or dagster_storage_url()


class AlertWebhookResource(dg.ConfigurableResource):
    """Where run-failure alerts are POSTed. ``url`` set: that endpoint (tests);
    unset with ``url_from_settings``: ``PAYROLL_ALERT_WEBHOOK_URL``, read when
    an alert is sent (the URL carries a token: never resource configuration);
    unset otherwise: no webhook, the alert is its log line."""

    url: str | None = None
    url_from_settings: bool = False
    timeout_seconds: float = _default("alert_webhook_timeout_seconds")

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertWebhookResource:
        return cls(
            url_from_settings=settings.alert_webhook_url is not None,
            timeout_seconds=settings.alert_webhook_timeout_seconds,
        )

    def endpoint(self) -> str | None:
        """The URL to POST to, or None: no webhook."""
        if self.url is not None:
            return self.url
        if not self.url_from_settings:
            return None
        secret = get_settings().alert_webhook_url
        return secret.get_secret_value() if secret is not None else None


def resources_from_settings(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """Every resource of the code location, built once from ``settings``."""
    return {
        WAREHOUSE: WarehouseResource(),
        PAYROLL_SETTINGS: PayrollSettingsResource.from_settings(settings),
        ALERT_WEBHOOK: AlertWebhookResource.from_settings(settings),
        DAGSTER_STORAGE: DagsterStorageResource(),
    }


def process_settings() -> Settings:
    """The settings the definitions are built from (a test replaces them here)."""
    return get_settings()


def defs(
    overrides: Mapping[str, Any] | None = None, settings: Settings | None = None
) -> dg.Definitions:
    """The resources built from the process's settings, with ``overrides`` (a
    test's own resources) in place of those of the same key."""
    resources: dict[str, Any] = resources_from_settings(settings or process_settings())
    resources.update(overrides or {})
    return dg.Definitions(resources=resources)
