"""`payroll backup` then `payroll restore --verify`: every table comes back
with its rows and checksum; a damaged backup is caught."""

import datetime as dt
import hashlib
import json
import re
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from dagster_project.ingest.loader import ingest_paths
from dagster_project.lib.backup import create_backup, verify_backup
from dagster_project.lib.database import connect
from dagster_project.lib.migrations import apply_migrations
from dagster_project.lib.roles import ANALYST, tenant_role
from tests.conftest import with_database
from tests.security.conftest import E2E_FIXTURES, connect_as, fetch, invoke


@pytest.fixture(scope="module")
def backup(e2e_pipeline, tmp_path_factory) -> Path:
    url, home = e2e_pipeline
    out = tmp_path_factory.mktemp("backups")
    result = invoke(url, home, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    assert f"backup written to {folder}" in result.output
    return folder


def _all_tables(conn) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in fetch(
            conn,
            """
            select n.nspname, c.relname from pg_class as c
            join pg_namespace as n on n.oid = c.relnamespace
            where c.relkind = 'r' and c.relpersistence <> 't'
              and n.nspname not in ('pg_catalog', 'information_schema')
              and n.nspname !~ '^pg_'
            """,
        )
    }


def _scratch_databases(conn) -> set[str]:
    return {
        row[0]
        for row in fetch(
            conn, "select datname from pg_database where datname like 'payroll\\_restore\\_%%'"
        )
    }


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


def test_the_manifest_covers_every_table_with_counts(backup, superuser):
    (warehouse,) = _manifest(backup)["databases"]  # Dagster's storage is the warehouse here
    assert warehouse["file"] == "warehouse.dump"
    tables = warehouse["tables"]
    assert set(tables) == _all_tables(superuser)
    assert {"raw.staff", "marts.fct_payroll", "security.staff_key_secret", "public.runs"} <= set(
        tables
    )
    assert tables["raw.staff"]["rows"] == 4
    assert tables["marts.fct_payroll"]["rows"] == 4
    assert (
        tables["public.runs"]["rows"] == fetch(superuser, "select count(*) from public.runs")[0][0]
    )
    for state in tables.values():
        assert re.fullmatch(r"[0-9a-f]{32}", state["checksum"])
    text = (backup / "manifest.json").read_text()
    assert "Ada Example" not in text and "postgres@" not in text


def test_restore_verify_restores_and_compares_every_table(e2e_pipeline, backup, superuser):
    url, home = e2e_pipeline
    before = _scratch_databases(superuser)
    result = invoke(url, home, "restore", "--verify", str(backup))
    assert result.exit_code == 0, result.output
    tables = len(_manifest(backup)["databases"][0]["tables"])
    assert f"tables compared: {tables}, mismatches: 0" in result.output
    assert ": OK" in result.output
    newest = fetch(
        superuser,
        "select greatest((select max(loaded_at) from raw.attendance), "
        "(select max(ingested_at) from raw.ingested_files), "
        "(select max(recorded_at) from marts.payroll_runs))",
    )[0][0]
    assert f"RPO: newest data {newest.astimezone(dt.UTC).isoformat()}" in result.output
    assert re.search(r"restore and check took \d+\.\ds", result.output)
    assert _scratch_databases(superuser) <= before  # the scratch database is gone


def test_a_corrupted_dump_is_detected(e2e_pipeline, backup, tmp_path):
    url, home = e2e_pipeline
    damaged = _copy(backup, tmp_path)
    dump = damaged / "warehouse.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = invoke(url, home, "restore", "--verify", str(damaged))
    assert result.exit_code == 1, result.output
    assert "dump file corrupted (sha256 differs from manifest)" in result.output


def test_a_dump_that_does_not_restore_is_detected(e2e_pipeline, backup, tmp_path):
    url, home = e2e_pipeline
    damaged = _copy(backup, tmp_path)
    dump = damaged / "warehouse.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    manifest = _manifest(damaged)  # as if damaged before it was hashed
    manifest["databases"][0]["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    result = invoke(url, home, "restore", "--verify", str(damaged))
    assert result.exit_code == 1, result.output
    assert "pg_restore of warehouse.dump failed" in result.output


def test_a_table_that_differs_from_the_manifest_is_named(e2e_pipeline, backup, tmp_path):
    url, home = e2e_pipeline
    edited = _copy(backup, tmp_path)
    manifest = _manifest(edited)
    tables = manifest["databases"][0]["tables"]
    tables["marts.fct_payroll"]["checksum"] = "0" * 32
    tables["raw.staff"]["rows"] = 5
    tables["raw.vanished"] = {"rows": 1, "checksum": "0" * 32}
    (edited / "manifest.json").write_text(json.dumps(manifest))
    result = invoke(url, home, "restore", "--verify", str(edited))
    assert result.exit_code == 1, result.output
    assert "mismatches: 3" in result.output
    assert "MISMATCH warehouse marts.fct_payroll: checksum differs (same row count)" in (
        result.output
    )
    assert "MISMATCH warehouse raw.staff: 4 rows, expected 5" in result.output
    assert "MISMATCH warehouse raw.vanished: missing after restore" in result.output


def test_restore_needs_verify_and_a_backup_folder(e2e_pipeline, tmp_path):
    url, home = e2e_pipeline
    no_verify = invoke(url, home, "restore", str(tmp_path))
    assert no_verify.exit_code == 2 and "pass --verify" in no_verify.output
    not_a_backup = invoke(url, home, "restore", "--verify", str(tmp_path))
    assert not_a_backup.exit_code == 2
    assert "not a backup folder (manifest.json missing)" in not_a_backup.output
    (tmp_path / "manifest.json").write_text("{not json")
    unreadable = invoke(url, home, "restore", "--verify", str(tmp_path))
    assert unreadable.exit_code == 2 and "unreadable manifest" in unreadable.output


def test_a_separate_dagster_storage_is_backed_up_and_verified(make_database, tmp_path):
    warehouse, dagster = make_database("backup_wh"), make_database("backup_dagster")
    with connect(dagster) as conn, conn.cursor() as cur:
        cur.execute("create table public.event_logs (id bigint primary key, event text)")
        cur.execute("insert into event_logs select n, 'event ' || n from generate_series(1, 50) n")
    conn.close()
    result = create_backup(warehouse, dagster, tmp_path)
    assert [(db.role, db.file) for db in result.databases] == [
        ("warehouse", "warehouse.dump"),
        ("dagster", "dagster.dump"),
    ]
    assert result.databases[1].tables["public.event_logs"].rows == 50
    report = verify_backup(result.path, warehouse)
    assert report.ok, report.render()
    assert report.tables_compared == len(result.databases[0].tables) + len(
        result.databases[1].tables
    )


@pytest.fixture
def owner_database(server_url: str, make_database):
    """A database owned by a non-superuser login with CREATEROLE and CREATEDB:
    how production runs the pipeline."""
    make_database("owner_bootstrap")  # a superuser's setup created the group roles
    owner = f"payroll_test_owner_{uuid.uuid4().hex[:8]}"
    dbname = f"payroll_test_owned_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            sql.SQL("create role {} login createrole createdb").format(sql.Identifier(owner))
        )
        cur.execute(
            sql.SQL("create database {} owner {}").format(
                sql.Identifier(dbname), sql.Identifier(owner)
            )
        )
        cur.execute("select current_setting('server_version_num')::int >= 160000")
        if cur.fetchone()[0]:
            # from PostgreSQL 16 only a role's admins may grant it: the documented
            # one-off step of an administrator (README, Security)
            cur.execute(sql.SQL("grant payroll_pseudonymizer to {}").format(sql.Identifier(owner)))
    url = psycopg2.extensions.make_dsn(with_database(server_url, dbname), user=owner)
    yield url
    with admin.cursor() as cur:
        cur.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(dbname)))
        cur.execute(sql.SQL("drop role {}").format(sql.Identifier(owner)))
    admin.close()


def test_a_non_superuser_owner_sets_up_backs_up_and_verifies(owner_database, login_role, tmp_path):
    url = owner_database
    conn = psycopg2.connect(url)
    apply_migrations(conn)
    ingest_paths(url, [E2E_FIXTURES])
    with conn.cursor() as cur:  # a published mart, as the publish step creates it
        cur.execute(
            """
            create table marts.fct_payroll as
            select tenant_id, staff_id, home_location_id as location_id,
                date '2026-03-01' as period_start, date '2026-03-07' as period_end,
                date '2026-03-12' as pay_date, 40.0 as hours_worked, 0.0 as overtime_hours,
                0.0 as double_time_hours, 612.34 as gross_pay,
                37.97 as employer_social_security_tax, 8.88 as employer_medicare_tax,
                3.67 as futa_tax, 500.01 as net_pay, 0.00 as minimum_wage_makeup_pay,
                0.00 as premium_pay, 0.00 as card_tips_pay, 0.00 as cash_tips_reported,
                0.00 as tip_credit
            from raw.staff
            """
        )
    conn.commit()
    apply_migrations(conn)  # grants, forced row security, the pseudonymised views
    # forced row security applies to the owner too: its own policy lets it see all
    assert fetch(conn, "select count(*) from marts.fct_payroll") == [(4,)]
    assert fetch(
        conn, "select pg_get_userbyid(relowner) from pg_class where oid = %s::regclass",
        ("security.analyst_payroll",),
    ) == [("payroll_pseudonymizer",)]  # fmt: skip
    acme = connect_as(url, login_role(ANALYST, tenant_role(conn, "acme")))
    # 3 × (612.34 + 37.97 + 8.88 + 3.67)
    assert fetch(acme, "select count(*), sum(labor_cost) from marts.analyst_payroll") == [
        (3, Decimal("1988.58"))
    ]
    acme.close()
    conn.close()
    result = create_backup(url, url, tmp_path)
    assert result.databases[0].tables["marts.fct_payroll"].rows == 4
    report = verify_backup(result.path, url)
    assert report.ok, report.render()
