"""Run a command as a user would and measure it: wall time, exit code,
output, and the peak resident memory of it and of every process it starts
(dbt included), polled with psutil."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

POLL_SECONDS = 0.05
MB = 1024 * 1024


@dataclass(frozen=True)
class Measured:
    command: tuple[str, ...]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    # peak RSS (MB) of each process, by label ("payroll run", "dbt build", …)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    # peak of the sum over the whole process tree at one instant
    peak_tree_rss_mb: float = 0.0

    @property
    def peak_process_rss_mb(self) -> float:
        return max(self.peak_rss_mb.values(), default=0.0)

    def check(self) -> Measured:
        """Raise with what the command said: its last output lines and its
        error lines (warnings left out)."""
        if self.returncode != 0:
            said = self.stdout.strip().splitlines()[-15:]
            errors = [
                line
                for line in self.stderr.splitlines()
                if "error" in line.lower() or "fail" in line.lower()
            ][-15:]
            detail = "\n".join([*said, *errors])
            raise CommandFailed(f"{' '.join(self.command)} exited {self.returncode}:\n{detail}")
        return self


class CommandFailed(RuntimeError):
    pass


def _label(process: psutil.Process) -> str:
    """``payroll run``, ``dbt build``, ``python -m …``: the program and its verb."""
    try:
        argv = process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "?"
    words = [Path(argv[0]).name] if argv else ["?"]
    rest = [a for a in argv[1:] if not a.startswith("-")]
    if words[0].startswith("python") and "-c" in argv:
        return "python -c"
    if words[0].startswith("python") and rest:
        words = [Path(rest[0]).name]
        rest = rest[1:]
    if words[0] in ("payroll", "dbt") and rest:
        words.append(rest[0])
    return " ".join(words)


def _poll(root: psutil.Process, peaks: dict[int, tuple[str, float]]) -> float:
    """One sample: updates each process's peak; returns the tree's total."""
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            rss = process.memory_info().rss / MB
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += rss
        # labelled at every sample: the first may still be the fork before exec
        _, peak = peaks.get(process.pid, ("", 0.0))
        peaks[process.pid] = (_label(process), max(peak, rss))
    return total


def run_measured(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run ``command`` to the end, polling memory every 50 ms. Output goes to
    temporary files, so a chatty command never blocks on a full pipe."""
    environment = dict(env or os.environ)
    environment["PYTHONUNBUFFERED"] = "1"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, env=environment, cwd=cwd)
        root = psutil.Process(process.pid)
        peaks: dict[int, tuple[str, float]] = {}
        tree_peak = 0.0
        while process.poll() is None:
            tree_peak = max(tree_peak, _poll(root, peaks))
            if timeout is not None and time.perf_counter() - started > timeout:
                process.kill()
                process.wait()
                break
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    by_label: dict[str, float] = {}
    for label, peak in peaks.values():
        by_label[label] = round(max(by_label.get(label, 0.0), peak), 1)
    return Measured(
        command=tuple(command),
        seconds=seconds,
        returncode=process.returncode,
        stdout=stdout,
        stderr=stderr,
        peak_rss_mb=by_label,
        peak_tree_rss_mb=round(tree_peak, 1),
    )
