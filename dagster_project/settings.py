"""Runtime configuration, read once from the environment (prefix ``PAYROLL_``).

Every setting is documented in ``.env.example`` at the repository root.
``PAYROLL_ENVIRONMENT=production`` (a bare ``ENVIRONMENT=production`` too)
refuses settings that are unsafe for pay data: the embedded database, a
database URL without TLS (``sslmode=require`` or stronger), a default or weak
password, and a UI without its authenticating proxy (the proxy's https
address, how it authenticates, and the operator and viewer webservers it
forwards to: ``deploy/nginx/``). What only the database can tell (a superuser role, a
connection that did not negotiate TLS) is checked by
:func:`require_safe_database`, which ``payroll doctor`` and the deployment
entry points call at start (``python -m dagster_project.settings --database``).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from dagster_project.lib.backup_retention import DEFAULT_DAILY_DAYS, DEFAULT_HOURLY_HOURS
from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)

Environment = Literal["development", "test", "production"]
# how users prove who they are at the proxy (deploy/nginx/nginx.conf: htpasswd;
# client certificates with ssl_verify_client; oidc: oauth2-proxy in front)
ProxyAuth = Literal["htpasswd", "client-certificate", "oidc"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

ENV_PREFIX = "PAYROLL_"
# TLS that encrypts the connection; "prefer"/"allow" silently fall back to plain text
STRONG_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})
MIN_PRODUCTION_PASSWORD_LENGTH = 12
DEFAULT_BACKUP_CRON = "0 * * * *"
DEFAULT_BACKUP_VERIFY_CRON = "30 3 * * *"
# Defaults of images, tutorials and this project: never acceptable in production.
WEAK_PASSWORDS = frozenset(
    {
        "",
        "postgres",
        "password",
        "payroll",
        "dagster",
        "admin",
        "root",
        "secret",
        "changeme",
        "change-me",
        "change_me",
        "123456",
        "12345678",
        "qwerty",
        "letmein",
    }
)
# PAYROLL_* variables the project sets or reads that are not settings.
_NOT_SETTINGS_PREFIXES = ("PAYROLL_DBT_", "PAYROLL_TEST_")
_NOT_SETTINGS = frozenset({"PAYROLL_DAGSTER_STORAGE_URL"})
# settings that are no longer read, with what replaced them
RETIRED_SETTINGS = {
    "PAYROLL_AUTH_PROXY": "PAYROLL_PROXY_URL, PAYROLL_PROXY_AUTH, "
    "PAYROLL_OPERATOR_WEBSERVER_URL and PAYROLL_VIEWER_WEBSERVER_URL",
}


class UnsafeSettingsError(RuntimeError):
    """Production settings or the database they point at are unsafe for pay data."""


def _postgres_url(value: str) -> str:
    """``postgresql://user@host:port/db``, or a unix socket given as
    ``postgresql://user@/db?host=/run/postgresql`` (which PostgresDsn refuses)."""
    parts = urlsplit(value)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("must start with postgresql://")
    if not (parts.hostname or "host=" in parts.query):
        raise ValueError("needs a host (or ?host=/socket/dir)")
    return value


def _webhook_url(value: SecretStr | None) -> SecretStr | None:
    if value is None:
        return None
    parts = urlsplit(value.get_secret_value())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # the URL may carry a token: never echo it back
        raise ValueError("must be an http:// or https:// URL with a host")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry a user or password")
    return value.rstrip("/")


PostgresUrl = Annotated[str, AfterValidator(_postgres_url)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
WebhookUrl = Annotated[SecretStr | None, AfterValidator(_webhook_url)]


class Settings(BaseSettings):
    """Every knob of the pipeline. ``.env.example`` documents each one."""

    # inputs are URLs with passwords and webhook tokens: errors never echo them
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Environment = Field(
        default="development",
        description="development, test or production (production refuses unsafe settings).",
    )
    database_url: PostgresUrl | None = Field(
        default=None,
        description="Warehouse. Unset: an embedded PostgreSQL under PAYROLL_HOME.",
    )
    dagster_database_url: PostgresUrl | None = Field(
        default=None,
        description="Dagster run/event/schedule storage. Unset: the warehouse database.",
    )
    home: Path = Field(
        default=Path(".payroll"),
        description="Project state: embedded database, DAGSTER_HOME, landing folder.",
    )
    landing_dir: Path | None = Field(
        default=None, description="Folder the ingest asset reads. Unset: PAYROLL_HOME/landing."
    )
    dbt_threads: int = Field(default=2, ge=1, le=64)
    log_level: LogLevel = Field(default="WARNING", description="Level of the structured logs.")
    # read by lib/logs before any setting is (a bad value there is refused by name)
    log_format: Literal["json", "console"] | None = Field(
        default=None,
        description="json (one object per line) or console; unset: console on a terminal, "
        "json otherwise.",
    )
    schedule_close_delay_hours: float = Field(
        default=24,
        ge=0,
        le=24 * 14,
        description="Hours after a pay period closes (local midnight) before its run is "
        "launched, for late punches and corrections.",
    )
    schedule_catchup_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 31,
        description="How far back the pay-calendar schedule looks for periods it has not "
        "launched yet (daemon downtime, a period registered late).",
    )
    landing_settle_seconds: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="A landing file must be unchanged this long before it is ingested, "
        "so a file still being copied is never loaded half-written.",
    )
    alert_webhook_url: WebhookUrl = Field(
        default=None, description="Run-failure alerts are POSTed here as JSON when set."
    )
    alert_webhook_timeout_seconds: float = Field(default=5, gt=0, le=60)
    backup_dir: Path | None = Field(
        default=None,
        description="Folder the backup schedule and `payroll backup` write to and the "
        "metrics read. Unset: PAYROLL_HOME/backups.",
    )
    backup_cron: str = Field(
        default=DEFAULT_BACKUP_CRON,
        description="When the backup job runs (cron, UTC); hourly meets the 1 h RPO.",
    )
    backup_verify_cron: str = Field(
        default=DEFAULT_BACKUP_VERIFY_CRON,
        description="When the newest backup is restored into a scratch database and "
        "compared with its manifest (cron, UTC).",
    )
    backup_verify_each: bool = Field(
        default=True,
        description="The backup job also restores the backup it took: the newest verified "
        "backup (the RPO the metrics report) is then at most one backup interval old.",
    )
    backup_keep_hourly_hours: int = Field(
        default=DEFAULT_HOURLY_HOURS,
        ge=1,
        le=24 * 90,
        description="The newest backup of each hour is kept this many hours.",
    )
    backup_keep_daily_days: int = Field(
        default=DEFAULT_DAILY_DAYS,
        ge=1,
        le=3660,
        description="The newest backup of each day is kept this many days.",
    )
    webserver_read_only: bool = Field(
        default=False, description="The Dagster webserver runs with --read-only."
    )
    proxy_url: HttpUrl | None = Field(
        default=None,
        description="The https address users open: the authenticating proxy in front of "
        "the two webservers (deploy/nginx/nginx.conf). Required in production.",
    )
    proxy_auth: ProxyAuth | None = Field(
        default=None,
        description="How the proxy authenticates users: htpasswd, client-certificate or "
        "oidc (an OIDC proxy such as oauth2-proxy). Required in production.",
    )
    operator_webserver_url: HttpUrl | None = Field(
        default=None,
        description="Where the proxy forwards operators: the full Dagster webserver, "
        "reachable from the proxy only. Required in production.",
    )
    viewer_webserver_url: HttpUrl | None = Field(
        default=None,
        description="Where the proxy forwards viewers: a second webserver started with "
        "--read-only. Required in production.",
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_environment_can_only_tighten(cls, data: object) -> object:
        """A bare ``ENVIRONMENT=production`` (common in container platforms) turns
        the production checks on; other bare values are ignored, so they can
        never loosen anything."""
        bare = os.environ.get("ENVIRONMENT", "").strip().lower()
        if isinstance(data, dict) and bare == "production" and "environment" not in data:
            return {**data, "environment": "production"}
        return data

    @field_validator(
        "database_url",
        "dagster_database_url",
        "alert_webhook_url",
        "proxy_url",
        "proxy_auth",
        "operator_webserver_url",
        "viewer_webserver_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("backup_cron", "backup_verify_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        value = " ".join(value.split())
        if value in (DEFAULT_BACKUP_CRON, DEFAULT_BACKUP_VERIFY_CRON):
            return value  # known good: no need to import Dagster's parser
        from dagster._utils.schedules import is_valid_cron_string

        if not is_valid_cron_string(value):
            raise ValueError("must be a cron expression of five fields, e.g. '0 * * * *'")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            problems = production_problems(self)
            if problems:
                raise ValueError(
                    "unsafe settings for PAYROLL_ENVIRONMENT=production:\n  - "
                    + "\n  - ".join(problems)
                )
        return self

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def embedded_pgdata(self) -> Path:
        return self.home_dir / "pgdata"

    @property
    def dagster_home(self) -> Path:
        return self.home_dir / "dagster_home"

    @property
    def landing_path(self) -> Path:
        return (self.landing_dir or self.home_dir / "landing").expanduser().resolve()

    @property
    def backup_path(self) -> Path:
        return (self.backup_dir or self.home_dir / "backups").expanduser().resolve()

    def database_urls(self) -> dict[str, str]:
        """Every database this configuration connects to, by setting name."""
        urls = {}
        if self.database_url is not None:
            urls["PAYROLL_DATABASE_URL"] = self.database_url
        if self.dagster_database_url is not None:
            urls["PAYROLL_DAGSTER_DATABASE_URL"] = self.dagster_database_url
        return urls


def url_problems(name: str, url: str) -> list[str]:
    """What makes one database URL unsafe in production (never echoes the password)."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    problems = []
    sslmode = query.get("sslmode", "")
    if sslmode not in STRONG_SSLMODES:
        shown = f"sslmode={sslmode}" if sslmode else "no sslmode"
        problems.append(
            f"{name} has {shown}: add ?sslmode=require (or verify-ca, verify-full) "
            "so pay data never crosses the network in plain text"
        )
    if parts.password is not None or "password" in query:
        password = unquote(parts.password if parts.password is not None else query["password"])
        source = f"the password in {name}"
    elif "PGPASSWORD" in os.environ:
        password, source = os.environ["PGPASSWORD"], "PGPASSWORD"
    else:
        password, source = None, ""  # a .pgpass file, a client certificate or IAM auth
    if password is not None:
        user = unquote(parts.username or query.get("user", ""))
        if password.lower() in WEAK_PASSWORDS or password == user:
            problems.append(f"{source} is a default or empty password")
        elif len(password) < MIN_PRODUCTION_PASSWORD_LENGTH:
            problems.append(f"{source} is shorter than {MIN_PRODUCTION_PASSWORD_LENGTH} characters")
    return problems


def production_problems(settings: Settings) -> list[str]:
    """Every reason these settings must not run production (empty: safe to start)."""
    problems = []
    if settings.database_url is None:
        problems.append(
            "PAYROLL_DATABASE_URL is required when PAYROLL_ENVIRONMENT=production "
            "(the embedded database is for development only)"
        )
    for name, url in settings.database_urls().items():
        problems.extend(url_problems(name, url))
    problems.extend(proxy_problems(settings))
    return problems


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))


def proxy_problems(settings: Settings, environ: dict[str, str] | None = None) -> list[str]:
    """What keeps the UI from being reached only through its authenticating
    proxy: anyone who reaches a webserver that is not read-only can launch or
    wipe pay runs, and a read-only one still shows every run's metadata."""
    environ = dict(os.environ if environ is None else environ)
    problems = [
        f"{name} is no longer read: set {replacement} instead"
        for name, replacement in RETIRED_SETTINGS.items()
        if name in environ
    ]
    if settings.proxy_url is None:
        problems.append(
            "PAYROLL_PROXY_URL is required when PAYROLL_ENVIRONMENT=production: the https "
            "address of the authenticating proxy in front of the UI (deploy/nginx/)"
        )
    elif urlsplit(settings.proxy_url).scheme != "https":
        problems.append(
            "PAYROLL_PROXY_URL must be an https:// URL: passwords and session cookies "
            "never cross the network in plain text"
        )
    if settings.proxy_auth is None:
        problems.append(
            "PAYROLL_PROXY_AUTH is required when PAYROLL_ENVIRONMENT=production: "
            "htpasswd, client-certificate or oidc"
        )
    upstreams = {
        "PAYROLL_OPERATOR_WEBSERVER_URL": settings.operator_webserver_url,
        "PAYROLL_VIEWER_WEBSERVER_URL": settings.viewer_webserver_url,
    }
    for name, url in upstreams.items():
        if url is None:
            problems.append(
                f"{name} is required when PAYROLL_ENVIRONMENT=production: where the "
                "proxy forwards "
                + ("operators (the full webserver)" if "OPERATOR" in name else "viewers")
            )
        elif settings.proxy_url is not None and _address(url) == _address(settings.proxy_url):
            problems.append(f"{name} is the proxy's own address: name the webserver behind it")
    operator, viewer = upstreams.values()
    if operator is not None and viewer is not None and _address(operator) == _address(viewer):
        problems.append(
            "PAYROLL_OPERATOR_WEBSERVER_URL and PAYROLL_VIEWER_WEBSERVER_URL are the same "
            "webserver: viewers need a second one started with --read-only"
        )
    return problems


_ROLE_SQL = """
    select r.rolsuper, r.rolbypassrls, coalesce(s.ssl, false)
    from pg_roles as r
    left join pg_stat_ssl as s on s.pid = pg_backend_pid()
    where r.rolname = current_user
"""


def database_role_problems(name: str, url: str) -> list[str]:
    """What the server says about this connection: a superuser or a role that
    bypasses row-level security may read every tenant; no TLS negotiated means
    the URL's sslmode was not honoured."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(_ROLE_SQL)
            row = cur.fetchone()
    finally:
        conn.close()
    superuser, bypass_rls, ssl = row if row else (False, False, False)
    problems = []
    if superuser:
        problems.append(f"{name} connects as a superuser: use a dedicated least-privilege role")
    elif bypass_rls:
        problems.append(f"{name} connects as a role with BYPASSRLS: tenant isolation is void")
    if not ssl:
        problems.append(f"{name}: the server did not negotiate TLS for this connection")
    return problems


def require_safe_database(settings: Settings | None = None) -> None:
    """In production, refuse to start unless every configured database is
    reached over TLS with a role that is neither superuser nor BYPASSRLS.
    Outside production it does nothing (the embedded server is a superuser)."""
    settings = settings or get_settings()
    if settings.environment != "production":
        return
    problems = []
    for name, url in settings.database_urls().items():
        problems.extend(database_role_problems(name, url))
    if problems:
        raise UnsafeSettingsError(
            "refusing to start with PAYROLL_ENVIRONMENT=production:\n  - " + "\n  - ".join(problems)
        )


def unknown_variables(environ: dict[str, str] | None = None) -> dict[str, str | None]:
    """``PAYROLL_*`` variables that are no setting (a typo is silently ignored
    otherwise), each with the closest setting name when there is one."""
    environ = dict(os.environ if environ is None else environ)
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = {}
    for variable in sorted(environ):
        if not variable.upper().startswith(ENV_PREFIX) or variable.upper() in known:
            continue
        if variable.upper() in _NOT_SETTINGS or variable.upper().startswith(_NOT_SETTINGS_PREFIXES):
            continue
        # compare without the shared prefix, which alone would make anything "close"
        suffixes = [name[len(ENV_PREFIX) :] for name in known]
        close = difflib.get_close_matches(variable.upper()[len(ENV_PREFIX) :], suffixes, n=1)
        unknown[variable] = ENV_PREFIX + close[0] if close else None
    return unknown


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    for variable, suggestion in unknown_variables().items():
        _log.warning("unknown_setting", variable=variable, suggestion=suggestion)
    return settings


def main(argv: list[str] | None = None) -> int:
    """``python -m dagster_project.settings [--database]``: validate the settings
    (and, with ``--database``, the database roles) before a service starts.
    Exit 0 when safe, 2 when a setting is invalid or unsafe."""
    parser = argparse.ArgumentParser(prog="python -m dagster_project.settings")
    parser.add_argument(
        "--database", action="store_true", help="also check the database role and TLS"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        if args.database:
            require_safe_database(settings)
    except ValidationError as exc:
        print(f"error: invalid settings: {exc}", file=sys.stderr)
        return 2
    except UnsafeSettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"settings ok: environment={settings.environment}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
