"""The refusal of a payday command's input (the CLI exits 2, writing nothing)."""

from __future__ import annotations


class PaydayInputError(ValueError):
    """An input a payday output cannot be made from, named by file, row and field."""

    def __init__(self, file: str, row: int | None, field: str, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.row = row
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{self.file}: {where}field {self.field}: {self.message}"
