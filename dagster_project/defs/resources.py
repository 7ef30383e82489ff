"""The warehouse resource every asset talks through."""

import dagster as dg
import psycopg2.extensions

from dagster_project.lib.database import connect, export_dbt_env, warehouse_url


class WarehouseResource(dg.ConfigurableResource):
    """The PostgreSQL warehouse. Without ``database_url`` it follows the settings
    (``PAYROLL_DATABASE_URL`` or the embedded server)."""

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or warehouse_url()

    def connect(self) -> psycopg2.extensions.connection:
        return connect(self.url())

    def export_dbt_env(self) -> None:
        """dbt's profile reads the connection from the environment of this process."""
        export_dbt_env(self.url())


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": WarehouseResource()})
