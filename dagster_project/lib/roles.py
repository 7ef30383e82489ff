"""Database roles, least privilege and tenant isolation, applied with the
migrations (``sql/roles/`` in order, then what depends on the objects present).

Group roles (never logins): ``payroll_loader`` writes ``raw`` and the bank
accounts of ``private`` (no other managed role can read them);
``payroll_transformer`` reads ``raw``/``reference``/``control`` and writes the
model schemas (``staging``, ``intermediate``, ``build``, ``marts``, ``wap_*``);
``payroll_auditor`` reads every pipeline schema and writes nothing;
``payroll_analyst`` reads the non-personal marts and the pseudonymised views,
and only the rows of the tenants whose ``payroll_tenant_<id>`` role it holds
(row-level security, forced for owners too). Login roles are members of these.

Per-tenant roles rather than a session setting: an analyst with a SQL prompt
can set any setting, but cannot give itself a role.

Everything here is idempotent and converges: privileges missing are granted,
privileges of the managed roles that are not in the plan are revoked, and
statements run only when something differs, so a setup that finds everything
in place writes nothing to the catalogs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg2.errors
import psycopg2.extensions
from psycopg2 import sql

from dagster_project.core.locks import MART_SECURITY_LOCK
from dagster_project.lib.logs import get_logger
from dagster_project.lib.mart_catalog import published_marts

_log = get_logger(__name__)

ROLES_SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "roles"
LOADER = "payroll_loader"
TRANSFORMER = "payroll_transformer"
ANALYST = "payroll_analyst"
AUDITOR = "payroll_auditor"
PSEUDONYMIZER = "payroll_pseudonymizer"
MANAGED_ROLES = (LOADER, TRANSFORMER, ANALYST, AUDITOR, PSEUDONYMIZER)

# Marts an analyst reads directly: no person in them (per location, per period,
# per run): the dbt marts declared `analyst_readable` in their yml, and the
# run audit. Every other mart holds pay or events of a person and is read only
# through the pseudonymised views. A new mart is closed to analysts until its
# yml says otherwise.
RUN_AUDIT_TABLE = "payroll_runs"


def analyst_tables() -> frozenset[str]:
    readable = {mart.name for mart in published_marts() if mart.analyst_readable}
    return frozenset({*readable, RUN_AUDIT_TABLE})


SECURITY_SCHEMA = "security"
# bank accounts (CONTRACT §7): the loader writes them, no other managed role reads them
PRIVATE_SCHEMA = "private"
SOURCE_SCHEMAS = ("raw", "reference", "control")
MODEL_SCHEMAS = ("staging", "intermediate", "build")
RUN_SCHEMA_PREFIX = "wap_"

_READ = frozenset({"SELECT"})
_LOAD = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})
_WRITE = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"})
_NONE: frozenset[str] = frozenset()

# A row is visible to an analyst when it holds the row's tenant role. The
# sub-select runs once per query (a hashed sub-plan), not once per row.
_TENANT_QUAL = "security.tenant_role(tenant_id) in (select security.current_tenant_roles())"


@dataclass(frozen=True)
class Policy:
    name: str
    command: str  # ALL or SELECT
    role: str
    using: str
    with_check: str | None = None


@dataclass(frozen=True)
class PseudonymisedView:
    """``security.<name>`` (owned by the pseudonymizer, reads the mart as its
    owner) and ``marts.<name>``, the analysts' security-invoker view over it."""

    name: str
    source: str
    columns: tuple[str, ...]  # of the source the view reads
    select_list: str

    @property
    def marker(self) -> str:
        # bump the version when a definition changes: views are replaced
        return f"payroll security v2: pseudonymised {self.source}"


_STAFF_KEY = (
    "left(encode(sha256(convert_to("
    "k.secret || '/' || s.tenant_id || '/' || s.staff_id, 'UTF8')), 'hex'), 16)"
)
PSEUDONYMISED_VIEWS = (
    PseudonymisedView(
        name="analyst_payroll",
        source="fct_payroll",
        columns=(
            "tenant_id",
            "staff_id",
            "location_id",
            "period_start",
            "period_end",
            "pay_date",
            "hours_worked",
            "overtime_hours",
            "double_time_hours",
            "gross_pay",
            "minimum_wage_makeup_pay",
            "premium_pay",
            "card_tips_pay",
            "cash_tips_reported",
            "tip_credit",
            "employer_social_security_tax",
            "employer_medicare_tax",
            "futa_tax",
        ),
        select_list=f"""
            s.tenant_id,
            {_STAFF_KEY} as staff_key,
            s.location_id,
            s.period_start,
            s.period_end,
            s.pay_date,
            s.hours_worked,
            s.overtime_hours,
            s.double_time_hours,
            s.gross_pay,
            s.minimum_wage_makeup_pay,
            s.premium_pay,
            s.card_tips_pay + s.cash_tips_reported as tips,
            s.tip_credit,
            s.employer_social_security_tax + s.employer_medicare_tax + s.futa_tax
                as employer_taxes,
            s.gross_pay + s.employer_social_security_tax + s.employer_medicare_tax
                + s.futa_tax as labor_cost""",
    ),
    PseudonymisedView(
        name="analyst_workweek_hours",
        source="fct_workweek_hours",
        columns=(
            "tenant_id",
            "staff_id",
            "workweek_start",
            "period_start",
            "hours_worked",
            "overtime_hours",
            "double_time_hours",
            "tips",
            "tip_credit",
            "minimum_wage_makeup_pay",
        ),
        select_list=f"""
            s.tenant_id,
            {_STAFF_KEY} as staff_key,
            s.workweek_start,
            s.period_start,
            s.hours_worked,
            s.overtime_hours,
            s.double_time_hours,
            s.tips,
            s.tip_credit,
            s.minimum_wage_makeup_pay""",
    ),
)
ANALYST_VIEWS = frozenset(view.name for view in PSEUDONYMISED_VIEWS)


class RolesError(RuntimeError):
    """The setup user may not do what least privilege needs (e.g. no CREATEROLE)."""


def apply_roles(conn: psycopg2.extensions.connection) -> None:
    """Roles, schema grants, default privileges, tenant roles, table privileges
    and the marts' row-level security. Runs in the caller's transaction."""
    _apply_role_files(conn)
    ensure_tenant_roles(conn)
    _ensure_table_privileges(conn, [*SOURCE_SCHEMAS, PRIVATE_SCHEMA, *MODEL_SCHEMAS])
    apply_mart_security(conn)


def apply_mart_security(conn: psycopg2.extensions.connection) -> None:
    """(Re)apply grants and forced row-level security to every table and view
    in ``marts``, the pseudonymised views, and the grants of the ``wap_*`` run
    schemas. Idempotent; call it after creating a table in ``marts``. Runs in
    the caller's transaction (a publish commits it with its rows)."""
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (MART_SECURITY_LOCK,))
        cur.execute("select to_regprocedure('security.current_tenant_roles()') is not null")
        ready = cur.fetchone()[0]
    if not ready:
        _apply_role_files(conn)
    ensure_tenant_roles(conn)
    tables = _relations(conn, ["marts"], kinds=("r", "p"))
    for table in tables:
        _ensure_row_security(conn, table)
    _ensure_pseudonymised_views(conn)
    for view in _relations(conn, ["marts"], kinds=("v",)):
        _ensure_security_invoker(conn, view)
    _ensure_table_privileges(conn, ["marts"], strict=True)
    # a run drops its wap_* schema when it publishes, maybe while this runs
    run_schemas = _run_schemas(conn)
    _ensure_run_schema_grants(conn, run_schemas)
    _ensure_table_privileges(conn, [SECURITY_SCHEMA, *run_schemas])


def ensure_tenant_roles(conn: psycopg2.extensions.connection) -> list[str]:
    """One NOLOGIN role per tenant of ``raw.tenants``; returns the names of
    those that exist. Without CREATEROLE a new tenant's role is reported, not
    created: until an administrator creates it no analyst sees that tenant."""
    with conn.cursor() as cur:
        cur.execute("select to_regclass('raw.tenants') is not null")
        if not cur.fetchone()[0]:
            return []
        cur.execute("select distinct security.tenant_role(tenant_id) from raw.tenants order by 1")
        names = [row[0] for row in cur.fetchall()]
    existing = []
    for name in names:
        try:
            _create_group_role(conn, name)
        except RolesError as error:
            _log.warning("tenant_role_missing", role=name, reason=str(error))
            continue
        existing.append(name)
    return existing


def tenant_role(conn: psycopg2.extensions.connection, tenant_id: str) -> str:
    """The role an analyst login needs to read ``tenant_id``'s rows."""
    with conn.cursor() as cur:
        cur.execute("select security.tenant_role(%s)", (tenant_id,))
        return cur.fetchone()[0]


def ensure_group_roles(conn: psycopg2.extensions.connection) -> None:
    """Only the group roles (``sql/roles/0*_create_role_*``): what a restored
    dump's grants and policies name, before any schema exists."""
    _apply_role_files(conn, "0*_create_role_*.sql")


def _apply_role_files(conn: psycopg2.extensions.connection, pattern: str = "*.sql") -> None:
    with conn.cursor() as cur:
        for path in sorted(ROLES_SQL_DIR.glob(pattern)):
            try:
                cur.execute(path.read_text())
            except psycopg2.errors.InsufficientPrivilege as error:
                raise RolesError(
                    f"sql/roles/{path.name}: {error.diag.message_primary}; the setup user "
                    "needs CREATEROLE and to own the pipeline schemas (or an administrator "
                    "runs the setup once)"
                ) from None


def _create_group_role(conn: psycopg2.extensions.connection, name: str) -> None:
    with conn.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (name,))
        if cur.fetchone():
            return
        cur.execute("savepoint payroll_create_role")
        try:
            cur.execute(sql.SQL("create role {} nologin").format(sql.Identifier(name)))
        except (psycopg2.errors.DuplicateObject, psycopg2.errors.UniqueViolation):
            # another database of this server created it first: roles are cluster-wide
            cur.execute("rollback to savepoint payroll_create_role")
            return
        except psycopg2.errors.InsufficientPrivilege:
            cur.execute("rollback to savepoint payroll_create_role")
            raise RolesError(
                f"role {name} is missing and the setup user may not create it: grant it "
                f"CREATEROLE, or run `create role {name} nologin` as an administrator"
            ) from None
        cur.execute("release savepoint payroll_create_role")
    _log.info("role_created", role=name)


@dataclass(frozen=True)
class _Relation:
    oid: int
    schema: str
    name: str
    kind: str
    owner: str
    privileges: frozenset[tuple[str, str]]  # (managed role, privilege), owner excluded

    @property
    def ident(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)


def _relations(
    conn: psycopg2.extensions.connection,
    schemas: Iterable[str],
    kinds: tuple[str, ...] = ("r", "p", "v", "m", "f"),
) -> list[_Relation]:
    with conn.cursor() as cur:
        cur.execute(
            """
            select
                c.oid, n.nspname, c.relname, c.relkind::text, pg_get_userbyid(c.relowner),
                array(
                    select r.rolname || ' ' || a.privilege_type
                    from aclexplode(c.relacl) as a
                    inner join pg_roles as r on r.oid = a.grantee
                    where r.rolname = any (%(roles)s) and a.grantee <> c.relowner
                )
            from pg_class as c
            inner join pg_namespace as n on n.oid = c.relnamespace
            where n.nspname = any (%(schemas)s) and c.relkind = any (%(kinds)s)
            order by n.nspname, c.relname
            """,
            {"roles": list(MANAGED_ROLES), "schemas": list(schemas), "kinds": list(kinds)},
        )
        rows = cur.fetchall()
    return [
        _Relation(
            oid,
            schema,
            name,
            kind,
            owner,
            frozenset(tuple(entry.split(" ", 1)) for entry in privileges),
        )
        for oid, schema, name, kind, owner, privileges in rows
    ]


def _planned_privileges(relation: _Relation) -> dict[str, frozenset[str]]:
    """What each managed role may do on a table or view; absent means nothing."""
    schema, name = relation.schema, relation.name
    is_view = relation.kind == "v"
    writes = _READ if is_view else _WRITE
    if schema == "raw":
        loader = _NONE if name == "schema_migrations" else (_READ if is_view else _LOAD)
        return {LOADER: loader, TRANSFORMER: _READ, AUDITOR: _READ}
    if schema == PRIVATE_SCHEMA:
        return {LOADER: _LOAD}
    if schema in ("reference", "control"):
        return {TRANSFORMER: _READ, AUDITOR: _READ}
    if schema in MODEL_SCHEMAS or schema.startswith(RUN_SCHEMA_PREFIX):
        return {TRANSFORMER: writes, AUDITOR: _READ}
    if schema == "marts":
        plan = {TRANSFORMER: writes, AUDITOR: _READ}
        if name in analyst_tables() or name in ANALYST_VIEWS:
            plan[ANALYST] = _READ
        return plan
    if schema == SECURITY_SCHEMA:
        plan = {AUDITOR: _READ}
        if name in ANALYST_VIEWS:
            plan[ANALYST] = _READ
        if name == "staff_key_secret":
            plan[PSEUDONYMIZER] = _READ
        return plan
    return {}


def _ensure_table_privileges(
    conn: psycopg2.extensions.connection, schemas: list[str], strict: bool = False
) -> None:
    """Grant what is missing, revoke what is not planned. A table dbt drops or
    swaps at the same moment is skipped (the next setup catches up) unless
    ``strict``: marts tables are never dropped, so there an error is real."""
    for relation in _relations(conn, schemas):
        plan = _planned_privileges(relation)
        statements = []
        for role in MANAGED_ROLES:
            if role == relation.owner:
                continue
            held = {p for r, p in relation.privileges if r == role}
            wanted = plan.get(role, _NONE)
            if missing := sorted(wanted - held):
                statements.append(_privilege_statement("grant", missing, relation, role))
            if extra := sorted(held - wanted):
                statements.append(_privilege_statement("revoke", extra, relation, role))
        statements += _column_privilege_statements(conn, relation)
        if statements:
            _execute_for_relation(conn, relation, statements, strict)


def _privilege_statement(
    verb: str, privileges: list[str], relation: _Relation, role: str
) -> sql.Composed:
    template = "grant {} on {} to {}" if verb == "grant" else "revoke {} on {} from {}"
    return sql.SQL(template).format(
        sql.SQL(", ").join(map(sql.SQL, privileges)), relation.ident, sql.Identifier(role)
    )


def _column_privilege_statements(
    conn: psycopg2.extensions.connection, relation: _Relation
) -> list[sql.Composed]:
    """Only the pseudonymizer holds column privileges, on the columns its views
    read; any other column grant to a managed role is revoked."""
    wanted: set[tuple[str, str]] = set()
    if relation.schema == "marts":
        for view in PSEUDONYMISED_VIEWS:
            if view.source == relation.name:
                wanted |= {(PSEUDONYMIZER, column) for column in view.columns}
    with conn.cursor() as cur:
        cur.execute(
            """
            select r.rolname, a.attname
            from pg_attribute as a
            cross join lateral aclexplode(a.attacl) as acl
            inner join pg_roles as r on r.oid = acl.grantee
            where a.attrelid = %s and a.attnum > 0 and not a.attisdropped
                and acl.privilege_type = 'SELECT' and r.rolname = any (%s)
            """,
            (relation.oid, list(MANAGED_ROLES)),
        )
        held = set(cur.fetchall())
        cur.execute(
            "select attname from pg_attribute where attrelid = %s and attnum > 0 "
            "and not attisdropped",
            (relation.oid,),
        )
        existing = {row[0] for row in cur.fetchall()}
    wanted = {(role, column) for role, column in wanted if column in existing}
    statements = []
    for verb, pairs in (("grant", wanted - held), ("revoke", held - wanted)):
        by_role: dict[str, list[str]] = {}
        for role, column in sorted(pairs):
            by_role.setdefault(role, []).append(column)
        for role, columns in by_role.items():
            template = (
                "grant select ({}) on {} to {}"
                if verb == "grant"
                else ("revoke select ({}) on {} from {}")
            )
            statements.append(
                sql.SQL(template).format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)),
                    relation.ident,
                    sql.Identifier(role),
                )
            )
    return statements


def _execute_for_relation(
    conn: psycopg2.extensions.connection,
    relation: _Relation,
    statements: list[sql.Composable],
    strict: bool,
) -> None:
    with conn.cursor() as cur:
        cur.execute("savepoint payroll_grant")
        try:
            for statement in statements:
                cur.execute(statement)
        except (
            psycopg2.errors.UndefinedTable,
            psycopg2.errors.InvalidSchemaName,
            psycopg2.errors.InternalError_,
        ):
            # dropped or changed by a concurrent build ("tuple concurrently updated")
            cur.execute("rollback to savepoint payroll_grant")
            if strict:
                raise
            _log.info("grants_deferred", relation=f"{relation.schema}.{relation.name}")
            return
        cur.execute("release savepoint payroll_grant")
    _log.info(
        "grants_applied",
        relation=f"{relation.schema}.{relation.name}",
        statements=len(statements),
    )


def _planned_policies(conn: psycopg2.extensions.connection, table: _Relation) -> list[Policy]:
    """Forced row security applies to the owner too: the owner (the pipeline),
    the transformer and the auditor see every row; analysts their tenants'."""
    with conn.cursor() as cur:
        cur.execute(
            "select 1 from pg_attribute where attrelid = %s and attname = 'tenant_id' "
            "and not attisdropped",
            (table.oid,),
        )
        has_tenant = cur.fetchone() is not None
    policies = [
        Policy("payroll_owner_all_v1", "ALL", table.owner, "true", "true"),
        Policy("payroll_transformer_all_v1", "ALL", TRANSFORMER, "true", "true"),
        Policy("payroll_auditor_read_v1", "SELECT", AUDITOR, "true"),
    ]
    if has_tenant and table.name in analyst_tables():
        policies.append(Policy("payroll_analyst_tenant_v1", "SELECT", ANALYST, _TENANT_QUAL))
    if has_tenant and table.name in {view.source for view in PSEUDONYMISED_VIEWS}:
        # the pseudonymised views read as their owner; current_user is still
        # the one querying, so its tenant roles decide (auditors: every tenant)
        policies.append(
            Policy(
                "payroll_pseudonymizer_tenant_v1",
                "SELECT",
                PSEUDONYMIZER,
                f"pg_has_role('{AUDITOR}', 'member') or {_TENANT_QUAL}",
            )
        )
    return policies


def _ensure_row_security(conn: psycopg2.extensions.connection, table: _Relation) -> None:
    planned = _planned_policies(conn, table)
    with conn.cursor() as cur:
        cur.execute(
            "select relrowsecurity, relforcerowsecurity from pg_class where oid = %s",
            (table.oid,),
        )
        enabled, forced = cur.fetchone()
        if not enabled:
            cur.execute(sql.SQL("alter table {} enable row level security").format(table.ident))
        if not forced:
            cur.execute(sql.SQL("alter table {} force row level security").format(table.ident))
        cur.execute(
            """
            select p.polname, p.polcmd::text,
                array(select pg_get_userbyid(r) from unnest(p.polroles) as r order by 1)
            from pg_policy as p
            where p.polrelid = %s and p.polname like 'payroll\\_%%'
            """,
            (table.oid,),
        )
        present = {name: (command, roles) for name, command, roles in cur.fetchall()}
        commands = {"ALL": "*", "SELECT": "r"}
        for policy in planned:
            if present.get(policy.name) == (commands[policy.command], [policy.role]):
                continue
            if policy.name in present:
                cur.execute(
                    sql.SQL("drop policy {} on {}").format(sql.Identifier(policy.name), table.ident)
                )
            cur.execute(_create_policy(policy, table))
            _log.info("policy_created", relation=f"{table.schema}.{table.name}", policy=policy.name)
        for stale in present.keys() - {policy.name for policy in planned}:
            cur.execute(sql.SQL("drop policy {} on {}").format(sql.Identifier(stale), table.ident))


def _create_policy(policy: Policy, table: _Relation) -> sql.Composed:
    statement = sql.SQL("create policy {} on {} as permissive for {} to {} using ({})").format(
        sql.Identifier(policy.name),
        table.ident,
        sql.SQL(policy.command),
        sql.Identifier(policy.role),
        sql.SQL(policy.using),
    )
    if policy.with_check is not None:
        statement += sql.SQL(" with check ({})").format(sql.SQL(policy.with_check))
    return statement


def _ensure_pseudonymised_views(conn: psycopg2.extensions.connection) -> None:
    for view in PSEUDONYMISED_VIEWS:
        with conn.cursor() as cur:
            cur.execute(
                "select count(*) from pg_attribute where attrelid = to_regclass(%s) "
                "and attname = any (%s) and not attisdropped",
                (f"marts.{view.source}", list(view.columns)),
            )
            if cur.fetchone()[0] != len(view.columns):
                continue  # its mart is not built yet
            cur.execute(
                "select obj_description(to_regclass(%s), 'pg_class'), "
                "obj_description(to_regclass(%s), 'pg_class')",
                (f"{SECURITY_SCHEMA}.{view.name}", f"marts.{view.name}"),
            )
            if cur.fetchone() == (view.marker, view.marker):
                continue
            _create_pseudonymised_view(cur, view)
        _log.info("view_created", view=f"marts.{view.name}")


def _create_pseudonymised_view(cur: psycopg2.extensions.cursor, view: PseudonymisedView) -> None:
    inner = sql.Identifier(SECURITY_SCHEMA, view.name)
    outer = sql.Identifier("marts", view.name)
    cur.execute(sql.SQL("drop view if exists {}").format(outer))
    cur.execute(sql.SQL("drop view if exists {}").format(inner))
    cur.execute(
        sql.SQL(
            "create view {} with (security_barrier = true) as select {} "
            "from {} as s cross join {} as k"
        ).format(
            inner,
            sql.SQL(view.select_list),
            sql.Identifier("marts", view.source),
            sql.Identifier(SECURITY_SCHEMA, "staff_key_secret"),
        )
    )
    cur.execute("select rolsuper from pg_roles where rolname = current_user")
    if not cur.fetchone()[0]:
        # to hand a view to a role one must be able to become it
        cur.execute("select pg_has_role(current_user, %s, 'member')", (PSEUDONYMIZER,))
        if not cur.fetchone()[0]:
            cur.execute("savepoint payroll_self_grant")
            try:
                cur.execute(
                    sql.SQL("grant {} to current_user").format(sql.Identifier(PSEUDONYMIZER))
                )
            except psycopg2.errors.InsufficientPrivilege:
                cur.execute("rollback to savepoint payroll_self_grant")
                raise RolesError(
                    f"the setup user must be a member of {PSEUDONYMIZER} to hand it the "
                    f"pseudonymised views: an administrator runs `grant {PSEUDONYMIZER} "
                    "to <this user>`"
                ) from None
    cur.execute(sql.SQL("alter view {} owner to {}").format(inner, sql.Identifier(PSEUDONYMIZER)))
    cur.execute(
        sql.SQL("create view {} with (security_invoker = true) as select * from {}").format(
            outer, inner
        )
    )
    for target in (inner, outer):
        cur.execute(sql.SQL("comment on view {} is {}").format(target, sql.Literal(view.marker)))


def _ensure_security_invoker(conn: psycopg2.extensions.connection, view: _Relation) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "select coalesce('security_invoker=true' = any (reloptions), false) "
            "from pg_class where oid = %s",
            (view.oid,),
        )
        if not cur.fetchone()[0]:
            cur.execute(sql.SQL("alter view {} set (security_invoker = true)").format(view.ident))


def _run_schemas(conn: psycopg2.extensions.connection) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s) order by 1",
            (RUN_SCHEMA_PREFIX,),
        )
        return [row[0] for row in cur.fetchall()]


def _ensure_run_schema_grants(conn: psycopg2.extensions.connection, schemas: list[str]) -> None:
    wanted = {TRANSFORMER: ("USAGE", "CREATE"), AUDITOR: ("USAGE",)}
    with conn.cursor() as cur:
        for schema in schemas:
            cur.execute("savepoint payroll_run_schema")
            try:
                for role, privileges in wanted.items():
                    cur.execute(
                        "select array(select p from unnest(%s::text[]) as p "
                        "where not has_schema_privilege(%s, n.oid, p)) "
                        "from pg_namespace as n where n.nspname = %s",
                        (list(privileges), role, schema),
                    )
                    found = cur.fetchone()
                    if found and found[0]:
                        cur.execute(
                            sql.SQL("grant {} on schema {} to {}").format(
                                sql.SQL(", ").join(map(sql.SQL, found[0])),
                                sql.Identifier(schema),
                                sql.Identifier(role),
                            )
                        )
            except (psycopg2.errors.InvalidSchemaName, psycopg2.errors.InternalError_):
                cur.execute("rollback to savepoint payroll_run_schema")  # dropped meanwhile
                continue
            cur.execute("release savepoint payroll_run_schema")
