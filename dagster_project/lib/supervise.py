"""A long-running child (``dagster dev``: webserver, daemon, code server)
that stops with us — on Ctrl-C, on SIGTERM from a service manager, and also
when we have no terminal (a background job starts with SIGINT ignored)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence

from dagster_project.lib.logs import get_logger

_log = get_logger(__name__)
# dagster dev stops its processes itself on SIGINT; then the group is told
# to terminate, then killed
GRACEFUL_SECONDS = 20.0
TERMINATE_SECONDS = 10.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_until_stopped(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``command`` in its own process group until it exits or we are
    signalled; on a signal, stop the whole group. Returns its exit code (0
    when we stopped it)."""
    stop = threading.Event()
    previous = {signum: signal.getsignal(signum) for signum in _STOP_SIGNALS}
    for signum in _STOP_SIGNALS:
        # installed explicitly: an inherited SIG_IGN would leave the child running
        signal.signal(signum, lambda _signum, _frame: stop.set())
    try:
        child = subprocess.Popen(list(command), env=dict(env), start_new_session=True)
        while child.poll() is None:
            if stop.wait(0.5):
                _stop_group(child)
                return 0
        return child.returncode
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_group(child: subprocess.Popen) -> None:
    for signum, wait in (
        (signal.SIGINT, GRACEFUL_SECONDS),
        (signal.SIGTERM, TERMINATE_SECONDS),
        (signal.SIGKILL, None),
    ):
        _log.info("child_stopping", pid=child.pid, signal=signal.Signals(signum).name)
        try:
            if signum == signal.SIGINT:
                child.send_signal(signum)
            else:
                os.killpg(child.pid, signum)
        except ProcessLookupError:
            pass
        try:
            child.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; what it started may linger in the group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL if signum == signal.SIGKILL else signal.SIGTERM)
        return
