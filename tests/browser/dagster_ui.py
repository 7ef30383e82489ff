"""A Dagster webserver and daemon over a test instance, as background processes.

Each process starts in a session of its own, so stopping it signals the whole
process group: the code servers, the run workers the daemon launches and their
dbt subprocesses go with it. Descendants found before the signal are killed
too, in case one left the group.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SKIP_ENV = "PAYROLL_SKIP_BROWSER"
REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = REPO_ROOT / "workspace.yaml"
STARTUP_TIMEOUT_SECONDS = 300.0
_STOP_GRACE_SECONDS = 20.0
_POLL_SECONDS = 1.0
_PORT_ATTEMPTS = 3
_PR_SET_PDEATHSIG = 1
# the loopback server must never be reached through an HTTP proxy from the environment
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))

_HEALTH_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
  instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } }
}
"""


def skip_requested() -> bool:
    """Only an explicit ``PAYROLL_SKIP_BROWSER=1`` skips the browser tests."""
    return os.environ.get(SKIP_ENV) == "1"


class UiServerError(RuntimeError):
    """The UI did not come up, or one of its processes died."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    _descendants: list[psutil.Process] = field(default_factory=list)

    @classmethod
    def start(
        cls, name: str, command: list[str], env: Mapping[str, str], log_dir: Path
    ) -> ServerProcess:
        log_path = log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_terminate_with_parent if sys.platform == "linux" else None,
            )
        return cls(name, popen, log_path)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(log unreadable: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def describe(self) -> str:
        state = "running" if self.alive else f"exited with code {self.popen.returncode}"
        return f"--- {self.name} ({state}), log {self.log_path}:\n{self.log_tail()}"

    def terminate(self) -> None:
        """Asks the process group to stop; remembers every descendant first."""
        try:
            self._descendants = psutil.Process(self.popen.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            self._descendants = []
        _signal_group(self.popen.pid, signal.SIGTERM)

    def kill(self, deadline: float) -> None:
        """Whatever did not stop by ``deadline`` is killed, then reaped."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(max(0.0, deadline - time.monotonic()))
        _signal_group(self.popen.pid, signal.SIGKILL)
        for process in self._descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(self._descendants, timeout=_STOP_GRACE_SECONDS)
        self.popen.wait(_STOP_GRACE_SECONDS)


def _terminate_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies without
    tearing down (a CI timeout killing pytest), so no server outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


@dataclass
class DagsterUi:
    """``dagster-webserver`` and ``dagster-daemon`` over one DAGSTER_HOME."""

    env: dict[str, str]
    bin_dir: Path
    log_dir: Path
    port: int = 0
    processes: list[ServerProcess] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.processes.append(
            ServerProcess.start(
                "dagster-daemon",
                [str(self.bin_dir / "dagster-daemon"), "run", "-w", str(WORKSPACE)],
                self.env,
                self.log_dir,
            )
        )
        self._start_webserver()
        self._wait_until_healthy()

    def _start_webserver(self) -> None:
        for _ in range(_PORT_ATTEMPTS):
            self.port = free_port()
            webserver = ServerProcess.start(
                "dagster-webserver",
                [
                    str(self.bin_dir / "dagster-webserver"),
                    "-w",
                    str(WORKSPACE),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                ],
                self.env,
                self.log_dir,
            )
            self.processes.append(webserver)
            if self._wait_for_http(webserver):
                return
            # another process took the port between our probe and the bind: try another
            if "address already in use" not in webserver.log_tail().lower():
                break
            webserver.terminate()
            webserver.kill(time.monotonic())
            self.processes.remove(webserver)
        raise UiServerError(f"dagster-webserver did not start\n{self.diagnostics()}")

    def _wait_for_http(self, webserver: ServerProcess) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not webserver.alive:
                return False
            try:
                with _HTTP.open(f"{self.base_url}/server_info", timeout=10) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(_POLL_SECONDS)
        raise UiServerError(
            f"dagster-webserver did not answer within {STARTUP_TIMEOUT_SECONDS:.0f}s\n"
            f"{self.diagnostics()}"
        )

    def _wait_until_healthy(self) -> None:
        """The code location loaded and every required daemon heartbeating, so
        a run queued from the UI is launched and its sensors see it."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        problem = "no answer yet"
        while time.monotonic() < deadline:
            self.raise_if_dead()
            try:
                problem = _health_problem(self.graphql(_HEALTH_QUERY))
            except (urllib.error.URLError, OSError, ValueError) as exc:
                problem = f"GraphQL request failed: {exc}"
            if problem is None:
                return
            if problem.startswith("code location failed"):
                raise UiServerError(f"{problem}\n{self.diagnostics()}")
            time.sleep(_POLL_SECONDS)
        raise UiServerError(
            f"Dagster UI not ready within {STARTUP_TIMEOUT_SECONDS:.0f}s: {problem}\n"
            f"{self.diagnostics()}"
        )

    def graphql(self, query: str, variables: dict[str, object] | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with _HTTP.open(request, timeout=30) as response:
            payload = json.loads(response.read())
        if payload.get("errors"):
            raise ValueError(f"GraphQL errors: {payload['errors']}")
        return payload["data"]

    def raise_if_dead(self) -> None:
        dead = [process.name for process in self.processes if not process.alive]
        if dead:
            raise UiServerError(f"{', '.join(dead)} exited\n{self.diagnostics()}")

    def diagnostics(self) -> str:
        return "\n".join(process.describe() for process in self.processes)

    def stop(self) -> None:
        """All groups are asked at once, so their grace periods overlap."""
        for process in self.processes:
            process.terminate()
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        errors: list[str] = []
        for process in self.processes:
            try:
                process.kill(deadline)
            except Exception as exc:  # stop the others even if one refuses
                errors.append(f"{process.name}: {exc}")
        if errors:
            raise UiServerError(f"could not stop: {'; '.join(errors)}")


def _health_problem(data: dict) -> str | None:
    workspace = data["workspaceOrError"]
    if workspace["__typename"] != "Workspace":
        return f"workspace not loaded ({workspace['__typename']})"
    entries = workspace["locationEntries"]
    if not entries:
        return "no code location yet"
    for entry in entries:
        location = entry["locationOrLoadError"]
        if location and location["__typename"] == "PythonError":
            return f"code location failed to load: {location['message']}"
        if entry["loadStatus"] != "LOADED" or not location:
            return f"code location {entry['name']} {entry['loadStatus'].lower()}"
    statuses = data["instance"]["daemonHealth"]["allDaemonStatuses"]
    unhealthy = [s["daemonType"] for s in statuses if s["required"] and not s["healthy"]]
    if unhealthy:
        return f"daemons not heartbeating yet: {', '.join(unhealthy)}"
    return None
