"""Stand-ins for the dbt context our models and macros use, for SQLFluff's
jinja templater (``.sqlfluff``): what its dbt builtins (ref, source, config,
var, is_incremental, this) do not cover.

A model renders as dbt compiles it at parse time (``execute`` false): no
selection read from ``control``, so the predicates of
``macros/build_selection.sql`` take their full-rebuild form, and no
published relation is looked up. Every public name here becomes a jinja
global: keep helpers private (underscore).
"""

from jinja2 import pass_context as _pass_context

# dbt's `execute`: false while parsing, so no macro runs a query.
execute = False


def run_query(sql: str) -> list:
    """Never reached while ``execute`` is false; no rows if it is."""
    return []


class _Relation:
    """A relation rendering as ``database.schema.identifier``."""

    def __init__(self, database: str, schema: str, identifier: str) -> None:
        self.database = database
        self.schema = schema
        self.identifier = identifier

    def __str__(self) -> str:
        return f"{self.database}.{self.schema}.{self.identifier}"


class _RelationFactory:
    @staticmethod
    def create(
        database: str = "payroll", schema: str = "public", identifier: str = ""
    ) -> _Relation:
        return _Relation(database, schema, identifier)


class _Api:
    Relation = _RelationFactory


class _Adapter:
    @staticmethod
    @_pass_context
    def dispatch(context, macro_name: str, macro_namespace: str | None = None):
        """dbt's dispatch for the postgres adapter: ``postgres__<name>`` if the
        project defines it, else ``default__<name>``."""
        for prefix in ("postgres__", "default__"):
            macro = context.get(prefix + macro_name)
            if macro is not None:
                return macro
        raise LookupError(f"no postgres__ or default__ macro for {macro_name}")

    @staticmethod
    def get_relation(database: str, schema: str, identifier: str) -> None:
        """No relation exists while linting."""
        return None


class _Target:
    name = "dev"
    type = "postgres"
    database = "payroll"
    schema = "public"


api = _Api()
adapter = _Adapter()
target = _Target()
