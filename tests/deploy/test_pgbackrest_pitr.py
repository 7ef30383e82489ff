"""Point-in-time recovery with pgBackRest and WAL archiving, as
``deploy/pgbackrest/`` sets them up for a server we run ourselves: a scratch
cluster archives its WAL, is backed up in full, gets rows, a recovery target,
more rows; restored to the target it holds exactly the rows before it.

The shipped ``pgbackrest.conf`` and ``archiving.conf`` are what runs, with only
their paths moved into a temporary folder (and a test passphrase for the
repository's encryption). ``make test`` installs Debian's pgbackrest when it is
missing; ``PAYROLL_SKIP_PGBACKREST=1`` skips this test, and otherwise a missing
binary fails it.
"""

from __future__ import annotations

import configparser
import io
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.deploy.scratch_cluster import (
    ClusterUnavailable,
    ScratchCluster,
    owned_temp_dir,
    owner_prefix,
    server_bin_dir,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "deploy" / "pgbackrest"
SKIP_ENV = "PAYROLL_SKIP_PGBACKREST"
STANZA = "payroll"
BEFORE_TARGET = 100
AFTER_TARGET = 50
# the keys of the shipped files this test replaces: everything else runs as shipped
MOVED_GLOBAL = ("repo1-path", "spool-path", "log-path")
MOVED_STANZA = ("pg1-path", "pg1-port", "pg1-socket-path")


@pytest.fixture(scope="module")
def pgbackrest() -> str:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1")
    path = shutil.which("pgbackrest")
    if path is None:
        pytest.fail(
            "`pgbackrest` is not on PATH: `make test` installs Debian's pgbackrest package "
            f"(apt-get install pgbackrest); {SKIP_ENV}=1 skips this test"
        )
    return path


@pytest.fixture
def cluster():
    try:
        bin_dir, prefix = server_bin_dir(), owner_prefix()
    except ClusterUnavailable as reason:
        pytest.skip(str(reason))
    root = owned_temp_dir("payroll-pitr-")
    scratch = ScratchCluster(root, bin_dir, prefix)
    try:
        yield scratch
    finally:
        if scratch.running():
            scratch.stop(mode="immediate")
        # an asynchronous archive-push may still write its spool for a moment
        deadline = time.monotonic() + 15
        while root.exists() and time.monotonic() < deadline:
            shutil.rmtree(root, ignore_errors=True)
            time.sleep(0.1)


def _config(cluster: ScratchCluster) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # pgBackRest's keys are case-sensitive
    parser.read_string((SHIPPED / "pgbackrest.conf").read_text())
    shipped_global, shipped_stanza = parser["global"], parser[STANZA]
    assert set(MOVED_GLOBAL) <= set(shipped_global) and set(MOVED_STANZA) <= set(shipped_stanza)
    for key in MOVED_GLOBAL:
        shipped_global[key] = str(cluster.root / key.removesuffix("-path"))
        cluster.mkdir(cluster.root / key.removesuffix("-path"))
    shipped_global["lock-path"] = str(cluster.root / "lock")
    # the shipped file leaves the passphrase to the environment
    shipped_global["repo1-cipher-pass"] = "test-only-passphrase-not-a-secret"
    shipped_stanza["pg1-path"] = str(cluster.pgdata)
    shipped_stanza["pg1-port"] = str(cluster.port)
    shipped_stanza["pg1-socket-path"] = str(cluster.root)
    text = io.StringIO()
    parser.write(text)
    return text.getvalue()


def _archiving(config: Path) -> str:
    shipped = (SHIPPED / "archiving.conf").read_text()
    assert "archive_command = 'pgbackrest --stanza=payroll archive-push %p'" in shipped
    return shipped.replace("'pgbackrest ", f"'pgbackrest --config={config} ")


def _insert(cluster: ScratchCluster, first: int, count: int) -> None:
    cluster.query(
        "insert into payroll_probe (id, note) "
        f"select n, 'row ' || n from generate_series({first}, {first + count - 1}) as n"
    )


def test_a_restore_to_a_point_in_time_holds_exactly_the_rows_before_it(pgbackrest, cluster):
    started = time.monotonic()
    config = cluster.root / "pgbackrest.conf"
    cluster.write(config, _config(cluster))

    def backrest(*args: str) -> str:
        return cluster.run([pgbackrest, f"--config={config}", f"--stanza={STANZA}", *args])

    cluster.initdb(_archiving(config))
    cluster.start("server.log")
    backrest("stanza-create")
    backrest("check")  # archive_command works: one WAL segment is in the repository
    backrest("--type=full", "backup")
    (info,) = json.loads(backrest("--output=json", "info"))
    backup_stopped = info["backup"][0]["timestamp"]["stop"]  # whole seconds
    cluster.query("create table payroll_probe (id int primary key, note text not null)")

    # rows written after the full backup: only WAL replay can bring them back
    _insert(cluster, 1, BEFORE_TARGET)
    # a target time is restored from the newest backup that ended before it
    time.sleep(max(0.0, backup_stopped + 1.05 - time.time()))
    ((target,),) = cluster.query("select clock_timestamp()::text")
    time.sleep(0.05)  # the next commit is strictly after the target
    _insert(cluster, BEFORE_TARGET + 1, AFTER_TARGET)
    assert cluster.query("select count(*) from payroll_probe") == [(BEFORE_TARGET + AFTER_TARGET,)]
    cluster.query("select pg_switch_wal()")
    backrest("check")  # waits until the segment holding both batches is archived

    (info,) = json.loads(backrest("--output=json", "info"))
    (full,) = info["backup"]
    assert full["type"] == "full"
    assert info["cipher"] == "aes-256-cbc"
    assert info["archive"][0]["max"] >= full["archive"]["stop"]

    cluster.stop()
    backrest("--delta", "--type=time", f"--target={target}", "--target-action=promote", "restore")
    cluster.start("restored.log")
    cluster.wait_promoted()

    assert cluster.query("select count(*), min(id), max(id) from payroll_probe") == [
        (BEFORE_TARGET, 1, BEFORE_TARGET)
    ]
    assert cluster.query(f"select count(*) from payroll_probe where id > {BEFORE_TARGET}") == [(0,)]
    # a new timeline: the restored server is a primary that takes writes again
    assert cluster.query("select timeline_id from pg_control_checkpoint()") == [(2,)]
    _insert(cluster, BEFORE_TARGET + 1, 1)
    assert cluster.query("select count(*) from payroll_probe") == [(BEFORE_TARGET + 1,)]
    assert time.monotonic() - started < 60
