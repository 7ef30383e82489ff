"""Write-audit-publish: dbt writes the marts into the private schema ``build``;
a run copies what it built into its own schema ``wap_<run id>`` (audit: the
blocking checks validate that copy), then publishes the copy into the
analysts' ``marts`` in one transaction.

Published tables are created once and never dropped or renamed: a rebuild
deletes and inserts rows, so grants, row-level security and the views on
them stay. An analyst sees a period either as it was or as it is now, never
half-built, and never numbers that failed validation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import psycopg2.extensions
import psycopg2.extras
from psycopg2 import sql

from dagster_project.core.locks import PUBLISH_LOCK
from dagster_project.core.periods import PayPeriodKey
from dagster_project.lib.database import transaction
from dagster_project.lib.logs import get_logger
from dagster_project.lib.mart_catalog import Mart, marts_of_run

_log = get_logger(__name__)

BUILD_SCHEMA = "build"
PUBLISHED_SCHEMA = "marts"
_RUN_ID = re.compile(r"^[0-9a-fA-F-]{8,64}$")


# declared in each mart's yml (meta.published), read from the dbt manifest
PAY_PERIOD_MARTS = marts_of_run("pay_period")
CALENDAR_MARTS = marts_of_run("calendar")


class PublishError(RuntimeError):
    """The staged copy cannot be published (finalized period, schema drift)."""


def run_schema(run_id: str) -> str:
    """``wap_<run id without dashes>``: one audit schema per Dagster run."""
    if not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"invalid run id {run_id!r}")
    return "wap_" + run_id.replace("-", "").lower()


_PERIODS_TABLE = "_pay_periods"


def _period_filter(mart: Mart, schema: str) -> sql.Composable:
    """``where`` of a mart's rows of the periods listed in the audit schema."""
    return sql.SQL(" where ({}, {}) in (select tenant_id, period_start from {})").format(
        sql.Identifier("tenant_id"),
        sql.Identifier(mart.period_column),
        sql.Identifier(schema, _PERIODS_TABLE),
    )


def stage(
    conn: psycopg2.extensions.connection,
    run_id: str,
    marts: Iterable[Mart],
    periods: Sequence[PayPeriodKey] = (),
) -> dict[str, int]:
    """Copy what the run built of ``periods`` into its audit schema
    (replacing an earlier attempt of the same run); rows per mart. The
    periods are kept beside the copy (``_pay_periods``): the publish
    replaces exactly them. Runs in the caller's transaction, under the
    writer lock that guarded the build, so the copy is exactly what this run
    built."""
    schema = run_schema(run_id)
    rows: dict[str, int] = {}
    with conn.cursor() as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        cur.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        cur.execute(
            sql.SQL(
                "create table {} (tenant_id text not null, period_start date not null, "
                "primary key (tenant_id, period_start))"
            ).format(sql.Identifier(schema, _PERIODS_TABLE))
        )
        if periods:
            psycopg2.extras.execute_values(
                cur,
                sql.SQL("insert into {} (tenant_id, period_start) values %s")
                .format(sql.Identifier(schema, _PERIODS_TABLE))
                .as_string(conn),
                sorted({(p.tenant_id, p.period_start) for p in periods}),
            )
        for mart in marts:
            select = sql.SQL("select * from {}").format(sql.Identifier(BUILD_SCHEMA, mart.name))
            if mart.period_column is not None:
                if not periods:
                    raise ValueError(f"{mart.name} is staged by pay period")
                select += _period_filter(mart, schema)
            cur.execute(
                sql.SQL("create table {} as ").format(sql.Identifier(schema, mart.name)) + select
            )
            rows[mart.name] = cur.rowcount
    _log.info("wap_staged", schema=schema, periods=len(periods), rows=_format_counts(rows))
    return rows


def staged_periods(conn: psycopg2.extensions.connection, run_id: str) -> list[PayPeriodKey]:
    """The periods a run staged, in order (none for a calendar run)."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("select tenant_id, period_start from {} order by 1, 2").format(
                sql.Identifier(run_schema(run_id), _PERIODS_TABLE)
            )
        )
        return [PayPeriodKey(tenant_id, start) for tenant_id, start in cur.fetchall()]


def drop_abandoned_run_schemas(
    conn: psycopg2.extensions.connection, active_run_ids: Iterable[str]
) -> list[str]:
    """Drop the audit schemas of runs no longer going (killed, failed): what
    they built was never published. Returns the schemas dropped."""
    keep = {run_schema(run_id) for run_id in active_run_ids}
    with conn.cursor() as cur:
        cur.execute("select nspname from pg_namespace where nspname ~ '^wap_[0-9a-f]+$'")
        abandoned = sorted(name for (name,) in cur.fetchall() if name not in keep)
        for schema in abandoned:
            cur.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
    if abandoned:
        _log.info("wap_abandoned_dropped", schemas=",".join(abandoned))
    return abandoned


def publish(
    conn: psycopg2.extensions.connection,
    run_id: str,
    marts: Iterable[Mart],
) -> dict[str, int]:
    """Replace the staged periods' rows (or whole tables) of ``marts`` with
    the audited copy, then drop the audit schema — all in the caller's
    transaction, so analysts see all of it or none of it."""
    marts = tuple(marts)
    schema = run_schema(run_id)
    rows: dict[str, int] = {}
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (PUBLISH_LOCK,))
        if not _schema_exists(cur, schema):
            raise PublishError(f"run {run_id} has no audited copy to publish")
        finalized = _finalized_staged_periods(cur, schema)
        if finalized:
            raise PublishError(
                ", ".join(f"{p.tenant_id} {p.period_start}" for p in finalized)
                + " finalized: its published rows never change"
            )
        created = False
        for mart in marts:
            created |= _ensure_published_table(cur, schema, mart.name)
            _ensure_keys(cur, mart)
            _ensure_finalized_guard(cur, mart)
            columns = _columns(cur, schema, mart.name)
            target = sql.Identifier(PUBLISHED_SCHEMA, mart.name)
            if mart.period_column is None:
                cur.execute(sql.SQL("delete from {}").format(target))
            else:
                cur.execute(sql.SQL("delete from {}").format(target) + _period_filter(mart, schema))
            column_list = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
            cur.execute(
                sql.SQL("insert into {} ({}) select {} from {}").format(
                    target, column_list, column_list, sql.Identifier(schema, mart.name)
                )
            )
            rows[mart.name] = cur.rowcount
        cur.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
    if created:
        _secure_published_tables(conn)
    _log.info("wap_published", schema=schema, rows=_format_counts(rows))
    return rows


def stage_periods(
    url: str, run_id: str, periods: Sequence[PayPeriodKey], active_run_ids: Iterable[str] = ()
) -> dict[str, int]:
    with transaction(url) as conn:
        drop_abandoned_run_schemas(conn, {run_id, *active_run_ids})
        return stage(conn, run_id, PAY_PERIOD_MARTS, periods)


def publish_periods(url: str, run_id: str) -> tuple[list[PayPeriodKey], dict[str, int]]:
    """Publish what the run staged: (its periods, rows per mart)."""
    with transaction(url) as conn:
        periods = staged_periods(conn, run_id) if _schema_exists_url(conn, run_id) else []
        return periods, publish(conn, run_id, PAY_PERIOD_MARTS)


def stage_calendar(url: str, run_id: str) -> dict[str, int]:
    with transaction(url) as conn:
        return stage(conn, run_id, CALENDAR_MARTS)


def publish_calendar(url: str, run_id: str) -> dict[str, int]:
    from dagster_project.lib.pay_calendar import calendar_published

    with transaction(url) as conn:
        rows = publish(conn, run_id, CALENDAR_MARTS)
        calendar_published(conn, run_id)
        return rows


def _schema_exists_url(conn: psycopg2.extensions.connection, run_id: str) -> bool:
    with conn.cursor() as cur:
        return _schema_exists(cur, run_schema(run_id))


@dataclass(frozen=True)
class PeriodSummary:
    staff_paid: int
    total_gross_pay: Decimal
    total_net_pay: Decimal
    adjustment_lines: int
    tenant_exceptions: int


def published_period_summaries(
    url: str, periods: Sequence[PayPeriodKey]
) -> dict[PayPeriodKey, PeriodSummary]:
    """Totals an operator checks on each published period (no person's pay)."""
    if not periods:
        return {}
    keys = sorted({(p.tenant_id, p.period_start) for p in periods})
    with transaction(url) as conn, conn.cursor() as cur:
        psycopg2.extras.execute_values(
            cur,
            """
            select k.tenant_id, k.period_start,
                (select count(*) from marts.fct_payroll as f
                 where f.tenant_id = k.tenant_id and f.period_start = k.period_start),
                (select coalesce(sum(f.gross_pay), 0) from marts.fct_payroll as f
                 where f.tenant_id = k.tenant_id and f.period_start = k.period_start),
                (select coalesce(sum(f.net_pay), 0) from marts.fct_payroll as f
                 where f.tenant_id = k.tenant_id and f.period_start = k.period_start),
                (select count(*) from marts.fct_payroll_adjustments as a
                 where a.tenant_id = k.tenant_id and a.applied_period_start = k.period_start),
                (select count(*) from marts.fct_attendance_exceptions as e
                 where e.tenant_id = k.tenant_id)
            from (values %s) as k (tenant_id, period_start)
            order by 1, 2
            """,
            [(tenant_id, start) for tenant_id, start in keys],
            template="(%s, %s::date)",
        )
        return {
            PayPeriodKey(tenant_id, start): PeriodSummary(*figures)
            for tenant_id, start, *figures in cur.fetchall()
        }


def _ensure_published_table(cur: psycopg2.extensions.cursor, schema: str, name: str) -> bool:
    """Create ``marts.<name>`` like the audited copy on first publish; add the
    columns a newer model gained. True when the table was created."""
    cur.execute("select to_regclass(%s) is null", (f"{PUBLISHED_SCHEMA}.{name}",))
    (missing,) = cur.fetchone()
    if missing:
        cur.execute(
            sql.SQL("create table {} (like {})").format(
                sql.Identifier(PUBLISHED_SCHEMA, name), sql.Identifier(schema, name)
            )
        )
        return True
    published = dict(_columns(cur, PUBLISHED_SCHEMA, name))
    for column, data_type in _columns(cur, schema, name):
        if column not in published:
            cur.execute(
                sql.SQL("alter table {} add column {} " + data_type).format(
                    sql.Identifier(PUBLISHED_SCHEMA, name), sql.Identifier(column)
                )
            )
        elif published[column] != data_type:
            raise PublishError(
                f"{PUBLISHED_SCHEMA}.{name}.{column} is {published[column]} but the model "
                f"now builds {data_type}: migrate the published table first"
            )
    return False


def _ensure_keys(cur: psycopg2.extensions.cursor, mart: Mart) -> None:
    """The mart's declared key, enforced by ``marts.<mart>`` itself, and an
    index on its period when the key does not lead with it (a run deletes
    its periods' rows by it)."""
    table = sql.Identifier(PUBLISHED_SCHEMA, mart.name)
    cur.execute(
        "select 1 from pg_constraint where conrelid = to_regclass(%s) and contype = 'p'",
        (f'"{PUBLISHED_SCHEMA}"."{mart.name}"',),
    )
    if mart.primary_key and cur.fetchone() is None:
        cur.execute(
            sql.SQL("alter table {} add primary key ({})").format(
                table, _column_list(mart.primary_key)
            )
        )
    if mart.unique_key:
        cur.execute(
            sql.SQL("create unique index if not exists {} on {} ({}) nulls not distinct").format(
                sql.Identifier(f"{mart.name}_key"), table, _column_list(mart.unique_key)
            )
        )
    by_period = ("tenant_id", mart.period_column)
    key = mart.primary_key or mart.unique_key
    if mart.period_column is not None and key[:2] != by_period:
        cur.execute(
            sql.SQL("create index if not exists {} on {} ({})").format(
                sql.Identifier(f"{mart.name}_by_period"), table, _column_list(by_period)
            )
        )


def _column_list(columns: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(column) for column in columns)


# (trigger, timing and event, transition tables): every change to a
# pay-period mart is checked against the finalized periods
# (sql/roles/44_create_function_security_refuse_finalized_period_rows.sql)
_FINALIZED_GUARDS = (
    ("payroll_finalized_insert", "after insert", "new table as new_rows"),
    ("payroll_finalized_update", "after update", "old table as old_rows new table as new_rows"),
    ("payroll_finalized_delete", "after delete", "old table as old_rows"),
    ("payroll_finalized_truncate", "before truncate", None),
)


def _ensure_finalized_guard(cur: psycopg2.extensions.cursor, mart: Mart) -> None:
    """The triggers that refuse any change to a finalized period's rows of
    ``marts.<mart>``, by any role (a publish never tries: it refuses first)."""
    if mart.period_column is None:
        return
    table = sql.Identifier(PUBLISHED_SCHEMA, mart.name)
    cur.execute(
        "select tgname from pg_trigger where tgrelid = to_regclass(%s) and not tgisinternal",
        (f'"{PUBLISHED_SCHEMA}"."{mart.name}"',),
    )
    present = {name for (name,) in cur.fetchall()}
    for name, event, transitions in _FINALIZED_GUARDS:
        if name in present:
            continue
        referencing = sql.SQL(f" referencing {transitions}") if transitions else sql.SQL("")
        cur.execute(
            sql.SQL("create trigger {} " + event + " on {}").format(sql.Identifier(name), table)
            + referencing
            + sql.SQL(
                " for each statement execute function security.refuse_finalized_period_rows({})"
            ).format(sql.Literal(mart.period_column))
        )


def _columns(cur: psycopg2.extensions.cursor, schema: str, name: str) -> list[tuple[str, str]]:
    cur.execute(
        """
        select attribute.attname, format_type(attribute.atttypid, attribute.atttypmod)
        from pg_attribute as attribute
        where attribute.attrelid = to_regclass(%s)
            and attribute.attnum > 0 and not attribute.attisdropped
        order by attribute.attnum
        """,
        (f'"{schema}"."{name}"',),
    )
    return list(cur.fetchall())


def _schema_exists(cur: psycopg2.extensions.cursor, schema: str) -> bool:
    cur.execute("select exists (select 1 from pg_namespace where nspname = %s)", (schema,))
    return bool(cur.fetchone()[0])


def _finalized_staged_periods(cur: psycopg2.extensions.cursor, schema: str) -> list[PayPeriodKey]:
    cur.execute(
        sql.SQL(
            "select s.tenant_id, s.period_start from {} as s "
            "inner join control.pay_period_finalizations as f "
            "on f.tenant_id = s.tenant_id and f.period_start = s.period_start order by 1, 2"
        ).format(sql.Identifier(schema, _PERIODS_TABLE))
    )
    return [PayPeriodKey(tenant_id, start) for tenant_id, start in cur.fetchall()]


def _secure_published_tables(conn: psycopg2.extensions.connection) -> None:
    from dagster_project.lib.roles import apply_mart_security

    apply_mart_security(conn)


def _format_counts(rows: dict[str, int]) -> str:
    return ",".join(f"{name}:{count}" for name, count in rows.items())
