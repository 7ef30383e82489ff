"""Errors that stop an ingest (the CLI turns them into exit code 2)."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """Bad usage: a path that does not exist, a file name we do not know."""


class IngestFileError(IngestError):
    """A file refused whole (nothing of it is loaded), naming row and field."""

    def __init__(self, file: Path | str, row: int, field: str, message: str) -> None:
        super().__init__(message)
        self.file = str(file)
        self.row = row
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, field {self.field}: {self.message}"


class IngestConnectionLost(Exception):
    """The database went away mid-file: that file's transaction never
    committed, so nothing of it is loaded; the same command can be re-run."""
