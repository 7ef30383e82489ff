import logging
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from pydantic import ValidationError

from dagster_project.settings import (
    Settings,
    UnsafeSettingsError,
    database_role_problems,
    get_settings,
    main,
    production_problems,
    require_safe_database,
    unknown_variables,
)
from tests.log_events import logged_events

STRONG = "Vq3-long-unique-9xT"  # a made-up password, never a real one


def url(password: str, user: str = "payroll_app", query: str = "?sslmode=verify-full") -> str:
    return f"postgresql://{user}:{password}@db.internal:5432/payroll{query}"


SAFE_URL = url(STRONG)
# the proxy settings of deploy/docker-compose.yaml
PROXY = {
    "proxy_url": "https://payroll.example.com",
    "proxy_auth": "htpasswd",
    "operator_webserver_url": "http://dagster-webserver:3000",
    "viewer_webserver_url": "http://dagster-webserver-read-only:3000",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in (
        "PAYROLL_DATABASE_URL",
        "PAYROLL_ENVIRONMENT",
        "ENVIRONMENT",
        "PGPASSWORD",
        "PAYROLL_AUTH_PROXY",
        "PAYROLL_PROXY_URL",
        "PAYROLL_PROXY_AUTH",
        "PAYROLL_OPERATOR_WEBSERVER_URL",
        "PAYROLL_VIEWER_WEBSERVER_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_settings_default_to_the_embedded_database(tmp_path):
    settings = Settings(home=tmp_path)
    assert settings.database_url is None
    assert settings.embedded_pgdata == tmp_path.resolve() / "pgdata"
    assert settings.dagster_home == tmp_path.resolve() / "dagster_home"
    assert settings.landing_path == tmp_path.resolve() / "landing"
    assert settings.schedule_close_delay_hours == 24
    assert settings.alert_webhook_url is None


def test_settings_refuse_the_embedded_database_in_production():
    with pytest.raises(ValidationError, match="PAYROLL_DATABASE_URL is required"):
        Settings(environment="production", **PROXY)


def test_settings_reject_a_url_that_is_not_postgres():
    with pytest.raises(ValidationError):
        Settings(database_url="mysql://root@localhost/payroll")


def test_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("PAYROLL_DATABASE_URL", "postgresql://u@db:5432/wh")
    monkeypatch.setenv("PAYROLL_DBT_THREADS", "4")
    monkeypatch.setenv("PAYROLL_SCHEDULE_CLOSE_DELAY_HOURS", "6.5")
    monkeypatch.setenv("PAYROLL_LOG_LEVEL", "info")
    settings = Settings()
    assert str(settings.database_url) == "postgresql://u@db:5432/wh"
    assert settings.dbt_threads == 4
    assert settings.schedule_close_delay_hours == 6.5
    assert settings.log_level == "INFO"


def test_settings_accept_a_unix_socket_url():
    settings = Settings(database_url="postgresql://postgres:@/postgres?host=/tmp/pgdata")
    assert settings.database_url == "postgresql://postgres:@/postgres?host=/tmp/pgdata"


def test_production_accepts_tls_a_strong_password_and_the_proxy_settings():
    settings = Settings(environment="production", database_url=SAFE_URL, **PROXY)
    assert settings.environment == "production"
    assert production_problems(settings) == []
    assert settings.operator_webserver_url == "http://dagster-webserver:3000"


def test_a_read_only_webserver_still_needs_its_proxy_in_production():
    with pytest.raises(ValidationError, match="PAYROLL_PROXY_URL is required"):
        Settings(environment="production", database_url=SAFE_URL, webserver_read_only=True)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"proxy_url": None}, "PAYROLL_PROXY_URL is required"),
        ({"proxy_url": "http://payroll.example.com"}, "PAYROLL_PROXY_URL must be an https://"),
        ({"proxy_auth": None}, "PAYROLL_PROXY_AUTH is required"),
        ({"operator_webserver_url": None}, "PAYROLL_OPERATOR_WEBSERVER_URL is required"),
        ({"viewer_webserver_url": None}, "PAYROLL_VIEWER_WEBSERVER_URL is required"),
        (
            {"viewer_webserver_url": "http://dagster-webserver:3000/"},
            "are the same webserver: viewers need a second one started with --read-only",
        ),
        (
            {"operator_webserver_url": "https://payroll.example.com:443"},
            "PAYROLL_OPERATOR_WEBSERVER_URL is the proxy's own address",
        ),
    ],
)
def test_production_refuses_incomplete_proxy_settings(change, expected):
    with pytest.raises(ValidationError, match=expected):
        Settings(environment="production", database_url=SAFE_URL, **{**PROXY, **change})


def test_the_retired_auth_proxy_boolean_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("PAYROLL_AUTH_PROXY", "true")
    with pytest.raises(ValidationError, match="PAYROLL_AUTH_PROXY is no longer read: set "):
        Settings(environment="production", database_url=SAFE_URL, **PROXY)


def test_proxy_auth_names_a_known_method_and_webserver_urls_carry_no_password():
    with pytest.raises(ValidationError, match="proxy_auth"):
        Settings(proxy_auth="basic")
    with pytest.raises(ValidationError, match="must not carry a user or password"):
        Settings(viewer_webserver_url="http://admin@viewer:3000")
    assert Settings(proxy_auth="", proxy_url="").proxy_url is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (url(STRONG, query="?sslmode=prefer"), "has sslmode=prefer"),
        (url(STRONG, query=""), "has no sslmode"),
        (url("postgres"), "default or empty password"),
        (url("Payroll"), "default or empty password"),
        (url(""), "default or empty password"),
        (url("payroll_app"), "default or empty password"),
        (url("Sh0rt-pw"), "shorter than 12 characters"),
    ],
)
def test_production_refuses_an_unsafe_database_url(url, expected):
    with pytest.raises(ValidationError, match=expected) as error:
        Settings(environment="production", database_url=url, **PROXY)
    assert STRONG not in str(error.value)


def test_production_checks_the_dagster_storage_url_too():
    with pytest.raises(ValidationError, match="PAYROLL_DAGSTER_DATABASE_URL has no sslmode"):
        Settings(
            environment="production",
            database_url=SAFE_URL,
            dagster_database_url=url(STRONG, user="dagster", query=""),
            **PROXY,
        )


def test_production_checks_pgpassword_when_the_url_has_none(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "password")
    url = "postgresql://payroll_app@db.internal:5432/payroll?sslmode=require"
    with pytest.raises(ValidationError, match="PGPASSWORD is a default or empty password"):
        Settings(environment="production", database_url=url, **PROXY)


def test_production_refuses_a_webserver_anyone_can_drive():
    with pytest.raises(ValidationError, match="authenticating proxy") as error:
        Settings(environment="production", database_url=SAFE_URL)
    for name in (
        "PAYROLL_PROXY_URL",
        "PAYROLL_PROXY_AUTH",
        "PAYROLL_OPERATOR_WEBSERVER_URL",
        "PAYROLL_VIEWER_WEBSERVER_URL",
    ):
        assert f"{name} is required" in str(error.value)


def test_production_lists_every_problem_at_once():
    settings = Settings.model_construct(
        environment="production",
        database_url=url("postgres", user="postgres", query=""),
        dagster_database_url=None,
        webserver_read_only=False,
        proxy_url=None,
        proxy_auth=None,
        operator_webserver_url=None,
        viewer_webserver_url=None,
    )
    problems = production_problems(settings)
    assert [p.split(" ")[0] for p in problems] == [
        "PAYROLL_DATABASE_URL",
        "the",
        "PAYROLL_PROXY_URL",
        "PAYROLL_PROXY_AUTH",
        "PAYROLL_OPERATOR_WEBSERVER_URL",
        "PAYROLL_VIEWER_WEBSERVER_URL",
    ]


def test_a_bare_environment_production_turns_the_checks_on(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "Production")
    with pytest.raises(ValidationError, match="PAYROLL_DATABASE_URL is required"):
        Settings(**PROXY)


def test_a_bare_environment_never_loosens_anything(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "staging")
    assert Settings().environment == "development"
    monkeypatch.setenv("PAYROLL_ENVIRONMENT", "test")
    monkeypatch.setenv("ENVIRONMENT", "production")
    assert Settings().environment == "test"


def test_the_webhook_url_must_be_http_and_is_never_echoed():
    with pytest.raises(ValidationError, match="http:// or https://") as error:
        Settings(alert_webhook_url="ftp://alerts.example.com/T0KEN-abc")
    assert "T0KEN-abc" not in str(error.value)
    settings = Settings(alert_webhook_url="https://hooks.example.com/services/T0KEN-abc")
    assert "T0KEN-abc" not in repr(settings)
    assert settings.alert_webhook_url.get_secret_value().endswith("T0KEN-abc")


def test_unknown_payroll_variables_are_named_with_a_suggestion():
    found = unknown_variables(
        {
            "PAYROLL_DATABSE_URL": "x",
            "PAYROLL_DATABASE_URL": "x",
            "PAYROLL_DBT_HOST": "x",
            "PAYROLL_DAGSTER_STORAGE_URL": "x",
            "PAYROLL_TEST_FORCE_EMBEDDED": "1",
            "PAYROLL_FROBNICATE": "x",
            "HOME": "x",
        }
    )
    assert found == {"PAYROLL_DATABSE_URL": "PAYROLL_DATABASE_URL", "PAYROLL_FROBNICATE": None}


def test_get_settings_warns_about_a_misspelled_setting(monkeypatch, caplog):
    monkeypatch.setenv("PAYROLL_LANDING_DIRR", "/tmp/x")
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="dagster_project.settings"):
            get_settings()
    finally:
        get_settings.cache_clear()
    assert logged_events(caplog) == [
        {
            "event": "unknown_setting",
            "variable": "PAYROLL_LANDING_DIRR",
            "suggestion": "PAYROLL_LANDING_DIR",
        }
    ]


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def test_database_role_problems_name_a_superuser_and_missing_tls(database_url):
    problems = database_role_problems("PAYROLL_DATABASE_URL", database_url)
    assert problems == [
        "PAYROLL_DATABASE_URL connects as a superuser: use a dedicated least-privilege role",
        "PAYROLL_DATABASE_URL: the server did not negotiate TLS for this connection",
    ]


def test_database_role_problems_accept_a_plain_login_role(database_url):
    role = f"payroll_settings_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create role "{role}" login nosuperuser nobypassrls')
    try:
        problems = database_role_problems("PAYROLL_DATABASE_URL", _as_role(database_url, role))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop role "{role}"')
        admin.close()
    assert problems == [
        "PAYROLL_DATABASE_URL: the server did not negotiate TLS for this connection"
    ]


def test_require_safe_database_refuses_a_superuser_in_production_only(database_url):
    production = Settings.model_construct(
        environment="production", database_url=database_url, dagster_database_url=None
    )
    with pytest.raises(UnsafeSettingsError, match="connects as a superuser"):
        require_safe_database(production)
    development = Settings.model_construct(
        environment="development", database_url=database_url, dagster_database_url=None
    )
    require_safe_database(development)


def test_settings_entry_point_exits_2_on_unsafe_production(monkeypatch, capsys):
    monkeypatch.setenv("PAYROLL_ENVIRONMENT", "production")
    assert main([]) == 2
    assert "PAYROLL_DATABASE_URL is required" in capsys.readouterr().err
    monkeypatch.setenv("PAYROLL_ENVIRONMENT", "development")
    assert main([]) == 0
    assert "settings ok: environment=development" in capsys.readouterr().out
