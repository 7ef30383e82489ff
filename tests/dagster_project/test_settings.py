import pytest
from pydantic import ValidationError

from dagster_project.settings import Settings


def test_settings_default_to_the_embedded_database(monkeypatch, tmp_path):
    monkeypatch.delenv("PAYROLL_DATABASE_URL", raising=False)
    settings = Settings(home=tmp_path)
    assert settings.database_url is None
    assert settings.embedded_pgdata == tmp_path.resolve() / "pgdata"
    assert settings.dagster_home == tmp_path.resolve() / "dagster_home"
    assert settings.landing_path == tmp_path.resolve() / "landing"


def test_settings_refuse_the_embedded_database_in_production(monkeypatch):
    monkeypatch.delenv("PAYROLL_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError, match="PAYROLL_DATABASE_URL is required"):
        Settings(environment="production")


def test_settings_reject_a_url_that_is_not_postgres():
    with pytest.raises(ValidationError):
        Settings(database_url="mysql://root@localhost/payroll")


def test_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("PAYROLL_DATABASE_URL", "postgresql://u@db:5432/wh")
    monkeypatch.setenv("PAYROLL_DBT_THREADS", "4")
    settings = Settings()
    assert str(settings.database_url) == "postgresql://u@db:5432/wh"
    assert settings.dbt_threads == 4


def test_settings_accept_a_unix_socket_url():
    settings = Settings(database_url="postgresql://postgres:@/postgres?host=/tmp/pgdata")
    assert settings.database_url == "postgresql://postgres:@/postgres?host=/tmp/pgdata"
