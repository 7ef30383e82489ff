"""Earnings statements: the PDF a server of Harbor Grill gets, read back with
poppler, shows every item of California Labor Code 226(a) on one page, and
its file is readable by its owner alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dagster_project.payday.statements import (
    Statement,
    StatementLine,
    format_hours,
    format_money,
    format_rate,
    render_html,
    render_pdf,
    write_statements,
)

POPPLER_TOOLS = ("pdftotext", "pdftoppm", "pdfinfo")
FULL_ACCOUNT_NUMBER = "000123456789"
MASKED_ACCOUNT = "Checking ••••6789"


def _decimal(value: str | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _line(kind: str, description: str, *, hours=None, rate=None, amount=None, ytd=None):
    return StatementLine(
        kind, description, _decimal(hours), _decimal(rate), _decimal(amount), _decimal(ytd)
    )


def _earning(kind: str, description: str, hours: str, rate: str) -> StatementLine:
    """An hourly line whose amount is its hours times its rate."""
    amount = (Decimal(hours) * Decimal(rate)).quantize(Decimal("0.01"))
    return _line(kind, description, hours=hours, rate=rate, amount=amount)


SERVER_STRAIGHT_TIME = _earning("earning", "Regular, server", "31.5", "16.50")
HOST_STRAIGHT_TIME = _earning("earning", "Regular, host", "8", "18.0000")
OVERTIME_PREMIUM = _earning("earning", "Overtime premium (0.5 × regular rate)", "2", "8.4019")
EARNINGS = (
    SERVER_STRAIGHT_TIME,
    HOST_STRAIGHT_TIME,
    OVERTIME_PREMIUM,
    _line("earning", "Card tips", amount="212.40", ytd="8455.10"),
    _line("earning", "Cash tips", amount="86.00", ytd="3410.00"),
    _earning("earning", "Meal-period premium (Lab. Code 226.7)", "1", "16.80"),
)
ADJUSTMENTS = (
    _earning("adjustment", "Correction to 2026-09-20 – 2026-10-03: missed clock-out", "2", "16.50"),
)
GROSS_YTD = Decimal("41862.30")
# tips_received first: cash tips are in gross but the employee already has them
WITHHOLDINGS = (
    _line("tips_received", "Cash tips received", amount="86.00", ytd="3410.00"),
    _line("deduction", "401(k)", amount="41.15", ytd="1674.49"),
    _line("tax", "Social Security", amount="63.78", ytd="2595.46"),
    _line("tax", "Medicare", amount="14.92", ytd="607.00"),
    _line("tax", "Federal income tax", amount="58.20", ytd="2301.55"),
    _line("tax", "CA state income tax", amount="17.45", ytd="702.18"),
    _line("tax", "CA SDI", amount="13.37", ytd="544.21"),
)
TOTAL_HOURS = SERVER_STRAIGHT_TIME.hours + HOST_STRAIGHT_TIME.hours
GROSS = sum(line.amount for line in EARNINGS + ADJUSTMENTS)
NET = GROSS - sum(line.amount for line in WITHHOLDINGS)
NET_YTD = GROSS_YTD - sum(line.ytd_amount for line in WITHHOLDINGS)


def harbor_grill_server_statement() -> Statement:
    return Statement(
        tenant_id="harbor-grill",
        employer_legal_name="Harbor Grill LLC",
        employer_address="120 Market St, San Francisco, CA 94105",
        employer_ein="12-3456789",
        staff_id="S-0042",
        staff_name="Maria Delgado",
        period_start=date(2026, 10, 4),
        period_end=date(2026, 10, 17),
        pay_date=date(2026, 10, 22),
        lines=(
            _line("hours", "Total hours worked", hours=TOTAL_HOURS),
            _line("hours", "Overtime hours", hours=OVERTIME_PREMIUM.hours),
            _line("hours", "Double-time hours", hours="0"),
            *EARNINGS,
            *ADJUSTMENTS,
            _line("gross", "Gross pay", amount=GROSS, ytd=GROSS_YTD),
            *WITHHOLDINGS,
            _line("net", "Net pay", amount=NET, ytd=NET_YTD),
        ),
        deposit_account=MASKED_ACCOUNT,
    )


def _require_poppler() -> None:
    missing = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    if os.environ.get("PAYROLL_SKIP_PDF") == "1":
        pytest.skip(f"PAYROLL_SKIP_PDF=1 and {', '.join(missing)} missing (poppler-utils)")
    pytest.fail(
        f"{', '.join(missing)} missing: `make payday-deps` installs poppler-utils "
        "(or set PAYROLL_SKIP_PDF=1 to skip the PDF tests)"
    )


def _run(*command: str | Path) -> str:
    return subprocess.run(
        [str(part) for part in command], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def written_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(out_dir, the PDF written there), under a umask stricter than 0o600 and 0o700
    so that only an explicit chmod gives the owner read and write."""
    _require_poppler()
    out_dir = tmp_path_factory.mktemp("payday") / "statements"
    previous_umask = os.umask(0o277)
    try:
        paths = write_statements([harbor_grill_server_statement()], out_dir, "pdf")
    finally:
        os.umask(previous_umask)
    assert len(paths) == 1
    return out_dir, paths[0]


@pytest.fixture(scope="module")
def pdf_text(written_pdf: tuple[Path, Path]) -> str:
    return _run("pdftotext", "-layout", written_pdf[1], "-")


def _line_with(text: str, *parts: str) -> str:
    """The one line of the PDF's text that has all of ``parts``."""
    found = [line for line in text.splitlines() if all(part in line for part in parts)]
    assert found, f"no line of the statement has all of {parts}:\n{text}"
    return found[0]


def test_figures_are_consistent() -> None:
    """The figures the PDF is checked for, worked out by hand once."""
    assert format_money(GROSS) == "$1,028.75"
    assert format_money(NET) == "$733.88"
    assert format_money(NET_YTD) == "$30,027.41"
    assert format_hours(TOTAL_HOURS) == "39.50"


def test_money_hours_and_rates_are_formatted() -> None:
    assert format_money(Decimal("1234.56")) == "$1,234.56"
    assert format_money(Decimal("-12")) == "-$12.00"
    assert format_money(Decimal("0")) == "$0.00"
    assert format_hours(Decimal("31.5")) == "31.50"
    assert format_rate(Decimal("16.5")) == "$16.50"
    assert format_rate(Decimal("18.0000")) == "$18.00"
    assert format_rate(Decimal("16.5025")) == "$16.5025"
    assert format_rate(Decimal("8.401900")) == "$8.4019"
    assert format_rate(Decimal("8.420")) == "$8.42"


def test_path_layout_and_owner_only_modes(written_pdf: tuple[Path, Path]) -> None:
    out_dir, pdf = written_pdf
    assert pdf == out_dir / "harbor-grill" / "2026-10-04" / "S-0042.pdf"
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    for folder in (out_dir, out_dir / "harbor-grill", pdf.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_pdf_is_one_page_and_renders_to_png(written_pdf: tuple[Path, Path], tmp_path: Path) -> None:
    pdf = written_pdf[1]
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = _run("pdfinfo", pdf)
    assert any(line.split() == ["Pages:", "1"] for line in info.splitlines()), info

    _run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", pdf, tmp_path / "page")
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1, pngs
    png = pngs[0].read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000, f"a {len(png)}-byte PNG is hardly a page of figures"


def test_pdf_shows_every_california_226a_item(pdf_text: str) -> None:
    text = pdf_text
    # employer's legal name and address, and the statement's identification
    for expected in (
        "Harbor Grill LLC",
        "120 Market St, San Francisco, CA 94105",
        "EIN 12-3456789",
        "Earnings statement",
        "Maria Delgado",
        "S-0042",
    ):
        assert expected in text, expected
    _line_with(text, "Pay period", "2026-10-04", "2026-10-17")
    _line_with(text, "Pay date", "2026-10-22")

    _line_with(text, "Total hours worked", format_hours(TOTAL_HOURS))
    _line_with(text, "Overtime hours", "2.00")
    _line_with(text, "Double-time hours", "0.00")

    # each hourly rate with its hours and amount
    _line_with(text, "Regular, server", "31.50", "$16.50", "$519.75")
    _line_with(text, "Regular, host", "8.00", "$18.00", "$144.00")
    _line_with(text, "Overtime premium", "2.00", "$8.4019", "$16.80")
    _line_with(text, "Meal-period premium", "1.00", "$16.80", "$16.80")
    _line_with(text, "Card tips", "$212.40", "$8,455.10")
    _line_with(text, "Cash tips", "$86.00", "$3,410.00")
    _line_with(text, "Correction to 2026-09-20 – 2026-10-03", "2.00", "$16.50", "$33.00")

    _line_with(text, "Gross pay", format_money(GROSS), "$41,862.30")
    for line in WITHHOLDINGS:
        _line_with(text, line.description, format_money(line.amount), format_money(line.ytd_amount))

    _line_with(text, "Net pay", "$733.88")
    assert f"Year to date {format_money(NET_YTD)}" in text
    assert "Deposited to " + MASKED_ACCOUNT in text
    assert FULL_ACCOUNT_NUMBER not in text


def test_html_escapes_names() -> None:
    statement = replace(
        harbor_grill_server_statement(),
        staff_name="<b>Ann</b>",
        employer_legal_name="Smith & Sons <LLC>",
    )
    html = render_html(statement)
    assert "<b>Ann</b>" not in html
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html
    assert "Smith &amp; Sons &lt;LLC&gt;" in html


def test_html_file_is_written_owner_only(tmp_path: Path) -> None:
    [path] = write_statements([harbor_grill_server_statement()], tmp_path, "html")
    assert path == tmp_path / "harbor-grill" / "2026-10-04" / "S-0042.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "$733.88" in path.read_text(encoding="utf-8")

    # written again over a file someone opened up, it is owner-only again
    path.chmod(0o644)
    write_statements([harbor_grill_server_statement()], tmp_path, "html")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_statement_without_deposit_account_says_paid_by_check() -> None:
    statement = replace(harbor_grill_server_statement(), deposit_account=None)
    html = render_html(statement)
    assert "Paid by check" in html
    assert "Deposited to" not in html
    assert "Paid by check" not in render_html(harbor_grill_server_statement())


def test_paid_by_check_is_in_the_pdf() -> None:
    _require_poppler()
    statement = replace(harbor_grill_server_statement(), deposit_account=None)
    pdf = render_pdf(statement)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode("utf-8")
    assert "Paid by check" in text


@pytest.mark.parametrize("staff_id", ["", "..", "../other-tenant", "a/b"])
def test_ids_that_are_not_one_file_name_are_refused(staff_id: str, tmp_path: Path) -> None:
    statement = replace(harbor_grill_server_statement(), staff_id=staff_id)
    with pytest.raises(ValueError, match="staff_id"):
        write_statements([statement], tmp_path, "html")
    assert list(tmp_path.iterdir()) == []


def test_two_statements_for_one_file_are_refused(tmp_path: Path) -> None:
    statement = harbor_grill_server_statement()
    with pytest.raises(ValueError, match="two statements"):
        write_statements([statement, statement], tmp_path, "html")
    assert list(tmp_path.iterdir()) == []


def test_a_statement_needs_one_gross_and_one_net_line() -> None:
    statement = harbor_grill_server_statement()
    without_net = replace(
        statement, lines=tuple(line for line in statement.lines if line.line_kind != "net")
    )
    with pytest.raises(ValueError, match="0 net lines"):
        render_html(without_net)


def test_unknown_line_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="line_kind"):
        _line("bonus", "Holiday bonus", amount="50")
