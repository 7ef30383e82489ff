"""The warehouse resource every asset talks through."""

import contextlib
from collections.abc import Iterator

import dagster as dg
import psycopg2
import psycopg2.extensions

from dagster_project.core.locks import WAREHOUSE_WRITER_LOCK
from dagster_project.lib.database import connect, export_dbt_env, transaction, warehouse_url


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
        conn.autocommit = True
        try:
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


def defs() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": WarehouseResource()})
