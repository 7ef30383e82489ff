"""`payroll ui` without a terminal stops on SIGTERM and on SIGINT, and
leaves none of what it started running (webserver, daemon, code server)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.dagster_ui import free_port
from tests.security.conftest import child_env


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for_ui(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode(errors="replace")[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"the UI did not answer on port {port} within {timeout} s")


def _start_ui(url: str, home: Path, port: int) -> subprocess.Popen:
    def no_terminal() -> None:
        # what a shell does for a background job: SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen(
        [str(Path(sys.executable).with_name("payroll")), "ui", "--port", str(port)],
        env=child_env(url, home),
        cwd=home.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=no_terminal,
    )


def test_the_ui_stops_on_sigterm_and_on_sigint_without_a_terminal(make_database, tmp_path):
    """Two `payroll ui` side by side (one warehouse each), started as a
    background job would be; one gets SIGTERM, the other SIGINT."""
    signals = (signal.SIGTERM, signal.SIGINT)
    uis = {}
    started: dict[signal.Signals, set[int]] = {}
    try:
        for signum in signals:
            url = make_database(f"ui_stops_{signum.name.lower()}")
            home = tmp_path / signum.name / "home"
            home.mkdir(parents=True)
            port = free_port()
            uis[signum] = (_start_ui(url, home, port), port)
        for signum, (process, port) in uis.items():
            _wait_for_ui(port, process)
            started[signum] = _children(process.pid)
            # dagster dev, the webserver, the daemon (and code servers)
            assert len(started[signum]) >= 3

        for signum, (process, _) in uis.items():
            process.send_signal(signum)
        for signum, (process, port) in uis.items():
            assert process.wait(timeout=60) == 0, signum.name
            deadline = time.monotonic() + 10
            while any(_alive(pid) for pid in started[signum]) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not [pid for pid in started[signum] if _alive(pid)], signum.name
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
    finally:
        # what a broken stop left behind (reparented: no longer our children)
        leftovers = set().union(*started.values()) if started else set()
        for process, _ in uis.values():
            leftovers |= _children(process.pid)
            if process.poll() is None:
                process.kill()
        for pid in leftovers:
            if _alive(pid):
                subprocess.run(["kill", "-9", str(pid)], check=False)
