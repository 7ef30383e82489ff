"""What an ingest did, per file and in total."""

from __future__ import annotations

from dataclasses import dataclass, field

_COUNTS = ("received", "loaded", "replaced", "unchanged", "superseded", "rejected")


@dataclass(frozen=True)
class FileResult:
    """``received`` = loaded + replaced + unchanged + superseded + rejected.

    superseded: rows of the file beaten by a newer version in the same file.
    """

    file: str
    kind: str
    file_sha256: str
    received: int
    loaded: int
    replaced: int
    unchanged: int
    superseded: int
    rejected: int


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def total(self, count: str) -> int:
        return sum(getattr(result, count) for result in self.files)

    def render(self) -> str:
        headers = ("file", "kind", *_COUNTS)
        rows = [(r.file, r.kind, *(str(getattr(r, c)) for c in _COUNTS)) for r in self.files]
        rows.append((f"{len(self.files)} files", "", *(str(self.total(c)) for c in _COUNTS)))
        widths = [max(len(str(v)) for v in column) for column in zip(headers, *rows, strict=True)]

        def line(values: tuple[str, ...]) -> str:
            left = [values[0].ljust(widths[0]), values[1].ljust(widths[1])]
            right = [v.rjust(w) for v, w in zip(values[2:], widths[2:], strict=True)]
            return "  ".join(left + right)

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([line(headers), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])])
