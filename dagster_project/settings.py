"""Runtime configuration, read once from the environment (prefix ``PAYROLL_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


def _postgres_url(value: str) -> str:
    """``postgresql://user@host:port/db``, or a unix socket given as
    ``postgresql://user@/db?host=/run/postgresql`` (which PostgresDsn refuses)."""
    parts = urlsplit(value)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("must start with postgresql://")
    if not (parts.hostname or "host=" in parts.query):
        raise ValueError("needs a host (or ?host=/socket/dir)")
    return value


PostgresUrl = Annotated[str, AfterValidator(_postgres_url)]


class Settings(BaseSettings):
    """Every knob of the pipeline. ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_prefix="PAYROLL_", env_file=".env", extra="ignore")

    environment: Environment = "development"
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

    @field_validator("database_url", "dagster_database_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and self.database_url is None:
            raise ValueError(
                "PAYROLL_DATABASE_URL is required when PAYROLL_ENVIRONMENT=production "
                "(the embedded database is for development only)"
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
