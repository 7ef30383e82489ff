"""Earnings statements (pay stubs): one page per person, Jinja2 to HTML to PDF.

The page carries every item of California Labor Code 226(a): the employer's
legal name and address, the employee's name and id, the pay period and pay
date, total hours worked, each hourly rate with its hours and amount, gross
wages, every deduction, net wages, and the year-to-date figures.

The caller builds the :class:`Statement` (from the database) with its lines in
display order and the deposit account already masked; this module only lays
them out and writes the files, readable by their owner alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from dagster_project.payday.private_files import make_private_dirs, write_private_file

LINE_KINDS = frozenset(
    {"hours", "earning", "adjustment", "gross", "tips_received", "deduction", "tax", "net"}
)
EIN_PATTERN = re.compile(r"\d{2}-\d{7}")
STATEMENT_FORMATS = ("pdf", "html")

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class StatementLine:
    """One row of a statement; ``line_kind`` says which section it goes in."""

    line_kind: str
    description: str
    hours: Decimal | None
    rate: Decimal | None
    amount: Decimal | None
    ytd_amount: Decimal | None

    def __post_init__(self) -> None:
        if self.line_kind not in LINE_KINDS:
            raise ValueError(
                f"line_kind {self.line_kind!r} is none of {', '.join(sorted(LINE_KINDS))}"
            )


@dataclass(frozen=True)
class Statement:
    """One person's earnings statement for one pay period."""

    tenant_id: str
    employer_legal_name: str
    employer_address: str
    employer_ein: str
    staff_id: str
    staff_name: str
    period_start: date
    period_end: date
    pay_date: date
    lines: tuple[StatementLine, ...]
    # masked by the caller, e.g. "Checking ••••6789"; None: paid by check
    deposit_account: str | None

    def __post_init__(self) -> None:
        if not EIN_PATTERN.fullmatch(self.employer_ein):
            raise ValueError(f"employer_ein {self.employer_ein!r} is not NN-NNNNNNN")
        if self.period_end < self.period_start:
            raise ValueError(f"pay period ends {self.period_end} before it starts")

    def lines_of(self, *kinds: str) -> list[StatementLine]:
        """The lines of these kinds, grouped in the order of ``kinds``, each
        group in display order."""
        return [line for kind in kinds for line in self.lines if line.line_kind == kind]

    def only_line(self, kind: str) -> StatementLine:
        found = self.lines_of(kind)
        if len(found) != 1:
            raise ValueError(
                f"statement of {self.staff_id} for {self.period_start} has {len(found)} "
                f"{kind} lines, not one"
            )
        return found[0]


def format_money(amount: Decimal) -> str:
    """``$1,234.56``; negative ``-$12.00``."""
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def format_hours(hours: Decimal) -> str:
    """Two decimals: ``31.50``."""
    return f"{hours.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_rate(rate: Decimal) -> str:
    """Four decimals with the trailing zeros trimmed down to two: ``$16.50``,
    ``$16.5025``."""
    digits = f"{abs(rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)):,.4f}"
    digits = digits.rstrip("0")
    digits += "0" * (2 - len(digits.partition(".")[2]))
    return f"{'-' if rate < 0 else ''}${digits}"


def _blank_if_none(formatter: Callable[[Decimal], str]) -> Callable[[Decimal | None], str]:
    return lambda value: "" if value is None else formatter(value)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("dagster_project.payday", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = _blank_if_none(format_money)
    environment.filters["hours"] = _blank_if_none(format_hours)
    environment.filters["rate"] = _blank_if_none(format_rate)
    return environment


def render_html(statement: Statement) -> str:
    """The statement as one self-contained HTML page (CSS inline, no external resources)."""
    return (
        _environment()
        .get_template("statement.html.j2")
        .render(
            statement=statement,
            hours_lines=statement.lines_of("hours"),
            earning_lines=statement.lines_of("earning"),
            adjustment_lines=statement.lines_of("adjustment"),
            gross=statement.only_line("gross"),
            withholding_lines=statement.lines_of("tips_received", "deduction", "tax"),
            net=statement.only_line("net"),
        )
    )


@contextmanager
def _pdf_warnings_silenced() -> Iterator[None]:
    # WeasyPrint (and fontTools, subsetting the fonts) log warnings to stderr,
    # e.g. for a CSS property they ignore; a statement run prints nothing
    # unless rendering failed.
    loggers = [logging.getLogger(name) for name in ("weasyprint", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def render_pdf(statement: Statement) -> bytes:
    """The statement as a PDF (WeasyPrint, fonts from the system's fontconfig)."""
    # imported here: WeasyPrint loads Pango when imported, which only the
    # statements need
    from weasyprint import HTML

    html = render_html(statement)
    with _pdf_warnings_silenced():
        return HTML(string=html).write_pdf()


def _path_part(value: str, what: str) -> str:
    """``value`` as one directory entry: never a separator, ``..`` or empty."""
    if value in ("", ".", "..") or "/" in value or "\\" in value or "\x00" in value:
        raise ValueError(f"{what} {value!r} cannot be a file or folder name")
    return value


def statement_path(statement: Statement, out_dir: Path, fmt: str) -> Path:
    """``out_dir/<tenant_id>/<period_start ISO>/<staff_id>.<fmt>``."""
    return (
        out_dir
        / _path_part(statement.tenant_id, "tenant_id")
        / statement.period_start.isoformat()
        / f"{_path_part(statement.staff_id, 'staff_id')}.{fmt}"
    )


def write_statements(
    statements: Iterable[Statement], out_dir: Path, fmt: Literal["pdf", "html"]
) -> list[Path]:
    """Write each statement to ``out_dir/<tenant_id>/<period_start ISO>/<staff_id>.<fmt>``
    (files 0o600, the folders it creates 0o700) and return the paths written, sorted.

    Two statements for the same file are refused before anything is written.
    """
    if fmt not in STATEMENT_FORMATS:
        raise ValueError(f"format {fmt!r} is none of {', '.join(STATEMENT_FORMATS)}")
    out_dir = Path(out_dir)
    by_path: dict[Path, Statement] = {}
    for statement in statements:
        path = statement_path(statement, out_dir, fmt)
        if path in by_path:
            raise ValueError(f"two statements would be written to {path}")
        by_path[path] = statement

    for path, statement in by_path.items():
        content = render_pdf(statement) if fmt == "pdf" else render_html(statement).encode("utf-8")
        make_private_dirs(path.parent)
        write_private_file(path, content)
    return sorted(by_path)
