"""The settings reach sensors, schedules and assets as resources, built once
with the definitions; no secret is ever resource configuration (the UI shows
it)."""

from pathlib import Path

import pytest

from dagster_project.defs import resources as resources_module
from dagster_project.defs.resources import (
    AlertWebhookResource,
    PayrollSettingsResource,
    WarehouseResource,
)
from dagster_project.settings import Settings

PASSWORD = "s3cret-pass-word"
TOKEN = "T0KEN-SECRET"


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """The process's settings, as ``get_settings()`` would return them."""
    settings = Settings(
        database_url=f"postgresql://app:{PASSWORD}@db.internal:5432/payroll",
        home=tmp_path / "home",
        landing_dir=tmp_path / "drop",
        landing_settle_seconds=7,
        schedule_close_delay_hours=6.5,
        schedule_catchup_hours=48,
        alert_webhook_url=f"https://hooks.example.com/{TOKEN}",
        alert_webhook_timeout_seconds=2,
    )
    monkeypatch.setattr(resources_module, "get_settings", lambda: settings)
    return settings


def test_the_definitions_build_each_resource_once_from_the_settings(settings, tmp_path):
    from dagster_project.definitions import build_defs

    built = build_defs().resources
    payroll = built["payroll_settings"]
    assert isinstance(payroll, PayrollSettingsResource)
    assert payroll.home_dir == tmp_path / "home"
    assert payroll.landing_path == tmp_path / "drop"
    assert (payroll.landing_settle_seconds, payroll.schedule_close_delay_hours) == (7, 6.5)
    assert payroll.schedule_catchup_hours == 48
    webhook = built["alert_webhook"]
    assert webhook.timeout_seconds == 2
    assert webhook.endpoint() == f"https://hooks.example.com/{TOKEN}"
    # what the UI shows of each resource: never a password or a token
    for resource in built.values():
        shown = repr(resource.model_dump())
        assert PASSWORD not in shown
        assert TOKEN not in shown


def test_a_test_replaces_resources_by_key(settings, tmp_path):
    from dagster_project.definitions import build_defs

    mine = WarehouseResource(database_url="postgresql://postgres@127.0.0.1:5432/x")
    built = build_defs({"warehouse": mine}).resources
    assert built["warehouse"] is mine
    assert isinstance(built["payroll_settings"], PayrollSettingsResource)


def test_resources_default_to_the_settings_defaults():
    payroll = PayrollSettingsResource()
    defaults = Settings.model_fields
    assert payroll.home_dir == Path(".payroll").resolve()
    assert payroll.landing_path == Path(".payroll", "landing").resolve()
    assert payroll.landing_settle_seconds == defaults["landing_settle_seconds"].default
    assert payroll.schedule_close_delay_hours == defaults["schedule_close_delay_hours"].default
    assert payroll.schedule_catchup_hours == defaults["schedule_catchup_hours"].default
    assert AlertWebhookResource().endpoint() is None


def test_without_a_webhook_setting_the_definitions_post_nowhere(settings, monkeypatch):
    quiet = settings.model_copy(update={"alert_webhook_url": None})
    monkeypatch.setattr(resources_module, "get_settings", lambda: quiet)
    webhook = AlertWebhookResource.from_settings(quiet)
    assert not webhook.url_from_settings
    assert webhook.endpoint() is None
    assert AlertWebhookResource(url="http://127.0.0.1:9/hook").endpoint() == (
        "http://127.0.0.1:9/hook"
    )
