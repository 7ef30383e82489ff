"""Which files of the landing folder are new deliveries, by content.

A file is identified by its SHA-256: a re-dropped identical file (same or
another name, a new modification time) is not a new delivery, a changed file
is. Hashing is skipped for files whose size and modification time did not
change since the last scan, and a file modified less than ``settle_seconds``
ago is left for the next scan (it may still be being copied).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.ingest.files import file_sha256

# Content hashes remembered; beyond that the oldest are forgotten (a very old
# identical file dropped again is re-ingested, which changes nothing).
MAX_REMEMBERED = 1000


@dataclass(frozen=True)
class SeenFile:
    size: int
    mtime_ns: int
    sha256: str


@dataclass
class LandingCursor:
    files: dict[str, SeenFile] = field(default_factory=dict)
    delivered: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "files": {
                    name: [seen.size, seen.mtime_ns, seen.sha256]
                    for name, seen in sorted(self.files.items())
                },
                "delivered": self.delivered,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> LandingCursor:
        if not text:
            return cls()
        data = json.loads(text)
        files = {name: SeenFile(*values) for name, values in data.get("files", {}).items()}
        return cls(files=files, delivered=list(data.get("delivered", [])))


@dataclass(frozen=True)
class NewFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class LandingScan:
    new_files: list[NewFile]
    settling: list[str]
    unchanged: int
    cursor: LandingCursor

    @property
    def run_key(self) -> str:
        """Same new contents → same key, so a re-evaluated tick launches nothing twice."""
        digest = hashlib.sha256("\n".join(sorted(f.sha256 for f in self.new_files)).encode())
        return f"landing|{digest.hexdigest()[:32]}"


def landing_files(folder: Path) -> list[Path]:
    """The ``*.csv`` files ingest reads (hidden files are uploads in progress)."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() == ".csv" and not path.name.startswith(".") and path.is_file()
    )


def scan_landing(
    folder: Path, cursor: LandingCursor, now: float, settle_seconds: float
) -> LandingScan:
    delivered = list(cursor.delivered)
    known = set(delivered)
    files: dict[str, SeenFile] = {}
    new_files: list[NewFile] = []
    settling: list[str] = []
    unchanged = 0
    for path in landing_files(folder):
        stat = path.stat()
        if now - stat.st_mtime < settle_seconds:
            settling.append(path.name)
            continue
        previous = cursor.files.get(path.name)
        if previous and (previous.size, previous.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            sha = previous.sha256
        else:
            sha = file_sha256(path)
        files[path.name] = SeenFile(stat.st_size, stat.st_mtime_ns, sha)
        if sha in known:
            unchanged += 1
            continue
        known.add(sha)
        delivered.append(sha)
        new_files.append(NewFile(path.name, sha))
    # a settling file keeps its last fingerprint: it is hashed again once settled
    for name in settling:
        if name in cursor.files:
            files[name] = cursor.files[name]
    return LandingScan(
        new_files=new_files,
        settling=settling,
        unchanged=unchanged,
        cursor=LandingCursor(files=files, delivered=delivered[-MAX_REMEMBERED:]),
    )
