"""Which file is which, and whether its header is acceptable."""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from dagster_project.ingest.errors import IngestError, IngestFileError
from dagster_project.ingest.schemas import FILE_KINDS, FileKind

_CHUNK = 1 << 20


def kind_of(path: Path) -> FileKind:
    """``attendance.csv`` and ``attendance_2026-03.csv`` are attendance files."""
    stem = path.stem.lower()
    for name, kind in FILE_KINDS.items():
        if stem == name or re.match(rf"^{name}[_.-]", stem):
            return kind
    raise IngestError(
        f"{path}: unknown file name; expected one of "
        + ", ".join(f"{name}*.csv" for name in FILE_KINDS)
    )


def discover_files(paths: Sequence[Path]) -> list[tuple[FileKind, Path]]:
    """Files and folders (their ``*.csv``, not recursive), in load order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"))
        elif path.is_file():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    order = list(FILE_KINDS)
    with_kinds = [(kind_of(path), path) for path in found]
    return sorted(with_kinds, key=lambda item: (order.index(item[0].name), str(item[1])))


def first_invalid_utf8(path: Path) -> IngestFileError | None:
    """The refusal of a file that is not UTF-8, naming the line and the byte
    where it stops being UTF-8 (a decoder reading ahead cannot tell); None
    when every byte is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as raw:
        for line_number, line in enumerate(raw, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as error:
                return IngestFileError(
                    path,
                    line_number,
                    "row",
                    f"not UTF-8 text: byte 0x{line[error.start]:02x} at byte offset "
                    f"{offset + error.start} (column {error.start + 1} of line {line_number})",
                )
            offset += len(line)
    return None


def not_utf8(path: Path) -> IngestFileError:
    """For a decoder's error: where the file stops being UTF-8."""
    return first_invalid_utf8(path) or IngestFileError(path, 1, "row", "not UTF-8 text")


def read_header(path: Path, kind: FileKind) -> list[str]:
    """The header row, checked: no unknown, missing required or repeated column."""
    with path.open("rb") as raw:
        first_line = raw.readline()
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    header = next(csv.reader([text]), None)
    if not header:
        raise IngestFileError(path, 1, "header", "file is empty: a header row is required")
    header = [column.strip() for column in header]
    known = set(kind.columns)
    for column in header:
        if column not in known:
            raise IngestFileError(
                path, 1, column[:64] or "(empty)", f"unknown column for a {kind.name} file"
            )
    for column in header:
        if header.count(column) > 1:
            raise IngestFileError(path, 1, column, "column appears more than once")
    for column in kind.required_columns:
        if column not in header:
            raise IngestFileError(path, 1, column, "required column is missing")
    return header


class HashingReader(io.RawIOBase):
    """A binary file whose every byte read also feeds a sha256: a file is hashed
    while it is loaded, never read a second time for its fingerprint."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer) or 0
        self._digest.update(memoryview(buffer)[:count])
        return count

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._digest.update(chunk)
        return chunk

    def sha256(self) -> str:
        """The hex digest of the whole file (what was not read yet is read now)."""
        while self.read(_CHUNK):
            pass
        return self._digest.hexdigest()


@contextlib.contextmanager
def open_hashed(path: Path) -> Iterator[HashingReader]:
    with path.open("rb") as raw, HashingReader(raw) as reader:
        yield reader


@contextlib.contextmanager
def open_hashed_text(path: Path) -> Iterator[tuple[TextIO, HashingReader]]:
    """The file as UTF-8 text for the csv module (a BOM skipped), and its hasher."""
    with open_hashed(path) as reader:
        buffered = io.BufferedReader(reader, _CHUNK)
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
        try:
            yield text, reader
        finally:
            text.detach()


def file_sha256(path: Path) -> str:
    with open_hashed(path) as reader:
        return reader.sha256()
