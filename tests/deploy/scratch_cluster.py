"""A PostgreSQL cluster of one test: the server's own binaries (initdb,
pg_ctl), a data folder in a temporary directory, a free port, reachable only
over a unix socket in that directory. initdb refuses to run as root, so as
root every command runs as the ``postgres`` OS user (``runuser``), which owns
the directory."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg2

SERVER_ROOT = Path("/usr/lib/postgresql")
OS_USER = "postgres"


class ClusterUnavailable(RuntimeError):
    """No way to run a cluster here (the test skips with this reason)."""


def server_bin_dir() -> Path:
    """Debian's server binaries of the newest installed major (pgBackRest's
    package supports the majors of its distribution)."""
    found = []
    for bin_dir in SERVER_ROOT.glob("*/bin"):
        if all(os.access(bin_dir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            major = re.fullmatch(r"\d+", bin_dir.parent.name)
            if major:
                found.append((int(major[0]), bin_dir))
    if not found:
        raise ClusterUnavailable(
            f"no PostgreSQL server binaries in {SERVER_ROOT}/*/bin "
            "(apt-get install postgresql): pgBackRest needs a server of its own distribution"
        )
    return max(found)[1]


def owner_prefix() -> list[str]:
    """How to run a command as the cluster's owner: ourselves, or as root the
    ``postgres`` user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        raise ClusterUnavailable(
            f"running as root and there is no `{OS_USER}` OS user to own the cluster "
            "(initdb refuses root)"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailable("running as root and `runuser` is missing (util-linux)")
    return [runuser, "-u", OS_USER, "--"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def owned_temp_dir(prefix: str) -> Path:
    """A fresh directory the cluster's owner can write (under /tmp: pytest's
    own temporary folders are private to the user running the tests)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(OS_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    return folder


class ScratchCluster:
    def __init__(self, root: Path, bin_dir: Path, prefix: Sequence[str]) -> None:
        self.root = root
        self.bin_dir = bin_dir
        self.prefix = list(prefix)
        self.port = free_port()
        self.pgdata = root / "pgdata"
        self.log = root / "server.log"

    def run(self, argv: Sequence[str], timeout: float = 60) -> str:
        """``argv`` as the cluster's owner; its output, or an error naming it."""
        result = subprocess.run(
            [*self.prefix, *argv], capture_output=True, text=True, timeout=timeout, cwd=self.root
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(argv[0]).name} {' '.join(argv[1:3])} … exit {result.returncode}: "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )
        return result.stdout

    def mkdir(self, path: Path) -> None:
        self.run(["mkdir", "-p", str(path)])

    def write(self, path: Path, text: str) -> None:
        """A file of the owner's (the server and pgBackRest read it as that user)."""
        path.write_text(text)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(OS_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def initdb(self, settings: str) -> None:
        self.run(
            [
                str(self.bin_dir / "initdb"),
                "--pgdata",
                str(self.pgdata),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-sync",
            ]
        )
        local = (
            f"port = {self.port}\n"
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{self.root}'\n"
            "fsync = off\n"
        )
        conf = self.pgdata / "postgresql.conf"
        self.write(conf, conf.read_text() + "\n" + local + settings)

    def start(self, log_name: str) -> None:
        self.log = self.root / log_name
        self.run(
            [
                str(self.bin_dir / "pg_ctl"),
                "--pgdata",
                str(self.pgdata),
                "--log",
                str(self.log),
                "--wait",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        self.run(
            [str(self.bin_dir / "pg_ctl"), "--pgdata", str(self.pgdata), "--mode", mode, "stop"]
        )

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def connect(self) -> psycopg2.extensions.connection:
        conn = psycopg2.connect(
            host=str(self.root), port=self.port, user="postgres", dbname="postgres"
        )
        conn.autocommit = True
        return conn

    def query(self, sql: str) -> list[tuple]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def wait_promoted(self, timeout: float = 30) -> None:
        """Until recovery has ended and the server accepts writes."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.query("select pg_is_in_recovery()") == [(False,)]:
                    return
            except psycopg2.OperationalError:
                pass
            if time.monotonic() > deadline:
                log = "\n".join(self.log.read_text().splitlines()[-20:])
                raise TimeoutError(f"still in recovery after {timeout}s:\n{log}")
            time.sleep(0.2)
