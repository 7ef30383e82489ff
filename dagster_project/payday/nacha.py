"""NACHA (ACH) direct-deposit files: each tenant's net pay as PPD credits.

``build_file`` checks every value first, then writes the file: a file header,
one batch per tenant (batch header, one entry per credit, batch control), a
file control and the padding to whole blocks of ten 94-character records.
A refused value is named by the input file, row and field it came from; no
message carries an account or routing number (they are personal data).

The record layout is NACHA's (Operating Rules, Appendix Three "ACH Record
Format Specifications"), as summarised in the "ACH File Details" section of
Nacha's ACH Guide for Developers, https://achdevguide.nacha.org
"""

from __future__ import annotations

import datetime
import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dagster_project.payday.errors import PaydayInputError

RECORD_SIZE = 94
BLOCKING_FACTOR = 10
SERVICE_CLASS_CREDITS_ONLY = "220"
STANDARD_ENTRY_CLASS = "PPD"
# automated deposit (credit) to a checking or a savings account
TRANSACTION_CODES = {"checking": "22", "savings": "32"}
INDIVIDUAL_NAME_WIDTH = 22
STAFF_ID_WIDTH = 15
MAX_AMOUNT_CENTS = 10**10 - 1

_NACHA_CHARACTERS = frozenset(string.ascii_uppercase + string.digits + " " + string.punctuation)
_ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
_ROUTING_MESSAGE = "not a routing number: 9 digits with a valid check digit are required"
_PADDING_RECORD = "9" * RECORD_SIZE


@dataclass(frozen=True)
class Source:
    """Where a value came from. ``row`` counts as the ingest's errors do (the
    CSV line: the header is row 1, the first data row is row 2)."""

    file: str
    row: int


@dataclass(frozen=True)
class AchSettings:
    """A tenant's row of ``ach_settings.csv``: its bank (the ODFI) and company."""

    tenant_id: str
    odfi_routing_number: str
    immediate_origin: str
    immediate_origin_name: str
    immediate_destination_name: str
    company_id: str
    company_name: str
    source: Source


@dataclass(frozen=True)
class AchCredit:
    """One staff member's net pay into one account."""

    staff_id: str
    name: str
    routing_number: str
    account_number: str
    account_type: Literal["checking", "savings"]
    amount_cents: int
    name_source: Source
    account_source: Source


@dataclass(frozen=True)
class AchBatch:
    """A tenant's credits for one pay date."""

    settings: AchSettings
    effective_date: datetime.date
    credits: tuple[AchCredit, ...]
    description: str = "PAYROLL"


class NachaError(PaydayInputError):
    """A value the file cannot carry, named by input file, row and field."""

    @classmethod
    def at(cls, source: Source, field: str, message: str) -> NachaError:
        return cls(source.file, source.row, field, message)


def routing_number_is_valid(routing_number: str) -> bool:
    """Nine ASCII digits whose ABA checksum (weights 3, 7, 1) is a multiple of 10."""
    if not isinstance(routing_number, str) or not re.fullmatch(r"[0-9]{9}", routing_number):
        return False
    digits = map(int, routing_number)
    checksum = sum(digit * weight for digit, weight in zip(digits, _ROUTING_WEIGHTS, strict=True))
    return checksum % 10 == 0


def nacha_text(value: str) -> str:
    """``value`` upper-cased, accents dropped (``"José Ñúñez"`` -> ``"JOSE NUNEZ"``);
    ValueError when a character is still outside NACHA's set (A-Z, 0-9, space,
    ASCII punctuation): another script, a control character."""
    decomposed = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    for character in text:
        if character not in _NACHA_CHARACTERS:
            code_point = f"U+{ord(character):04X}"
            raise ValueError(f"character {character!r} ({code_point}) cannot be in a NACHA file")
    return text


def build_file(
    batches: Sequence[AchBatch], created_at: datetime.datetime, file_id_modifier: str = "A"
) -> str:
    """The file's text, every record on its own line. Batches without credits
    are left out (their settings are not checked: nothing of them is sent);
    the file header's destination and origin are those of the first batch
    written. Raises NachaError for a bad input value, ValueError when there is
    nothing to pay or the file's own fields would overflow."""
    if not re.fullmatch(r"[A-Z0-9]", file_id_modifier):
        raise ValueError("file_id_modifier must be one character, A-Z or 0-9")
    paid = [batch for batch in batches if batch.credits]
    if not paid:
        raise ValueError("no credits to pay")
    for batch in paid:
        _check_batch(batch)
    return _render(paid, created_at, file_id_modifier)


def _check_batch(batch: AchBatch) -> None:
    settings = batch.settings
    source = settings.source
    if not routing_number_is_valid(settings.odfi_routing_number):
        raise NachaError.at(source, "odfi_routing_number", _ROUTING_MESSAGE)
    if not re.fullmatch(r" [0-9]{9}|[0-9]{10}", settings.immediate_origin):
        raise NachaError.at(
            source, "immediate_origin", "must be 10 characters: a space and 9 digits, or 10 digits"
        )
    _check_text(settings.immediate_origin_name, source, "immediate_origin_name", 23)
    _check_text(settings.immediate_destination_name, source, "immediate_destination_name", 23)
    _check_text(settings.company_name, source, "company_name", 16, required=True)
    # the bank's identifier of the company: written exactly as given, never upper-cased
    if len(settings.company_id) != 10 or not set(settings.company_id) <= _NACHA_CHARACTERS:
        raise NachaError.at(
            source, "company_id", "must be exactly 10 characters of A-Z, 0-9, space or punctuation"
        )
    try:
        description = nacha_text(batch.description).strip()
    except ValueError as error:
        raise ValueError(f"batch description: {error}") from None
    if not 0 < len(description) <= 10:
        raise ValueError("batch description must be 1 to 10 characters")
    for credit in batch.credits:
        _check_credit(credit)


def _check_credit(credit: AchCredit) -> None:
    if not routing_number_is_valid(credit.routing_number):
        raise NachaError.at(credit.account_source, "routing_number", _ROUTING_MESSAGE)
    if not re.fullmatch(r"[0-9]{4,17}", credit.account_number):
        raise NachaError.at(credit.account_source, "account_number", "must be 4 to 17 digits")
    if credit.account_type not in TRANSACTION_CODES:
        raise NachaError.at(credit.account_source, "account_type", "must be checking or savings")
    _check_text(credit.staff_id, credit.name_source, "staff_id", STAFF_ID_WIDTH, required=True)
    try:
        name = _individual_name(credit.name)
    except ValueError as error:
        raise NachaError.at(credit.name_source, "full_name", str(error)) from None
    if not name:
        raise NachaError.at(credit.name_source, "full_name", "must not be empty")
    amount = credit.amount_cents
    is_whole_cents = isinstance(amount, int) and not isinstance(amount, bool)
    if not is_whole_cents or not 0 < amount <= MAX_AMOUNT_CENTS:
        # net pay of zero or less is paid by check: the caller lists it apart
        raise NachaError.at(
            credit.name_source,
            "amount_cents",
            f"a direct deposit must be 1 to {MAX_AMOUNT_CENTS} cents",
        )


def _check_text(value: str, source: Source, field: str, width: int, required: bool = False) -> None:
    try:
        text = nacha_text(value)
    except ValueError as error:
        raise NachaError.at(source, field, str(error)) from None
    if len(text) > width:
        raise NachaError.at(source, field, f"{len(text)} characters: at most {width} fit")
    if required and not text.strip():
        raise NachaError.at(source, field, "must not be empty")


def _individual_name(name: str) -> str:
    # NACHA lets the receiving bank post by account number alone, so a long
    # name is cut to its field rather than refused
    return nacha_text(name).strip()[:INDIVIDUAL_NAME_WIDTH]


def _render(batches: Sequence[AchBatch], created_at: datetime.datetime, modifier: str) -> str:
    records = [_file_header(batches[0].settings, created_at, modifier)]
    trace_sequence = 0  # numbered across the file, so no two entries share a trace number
    for batch_number, batch in enumerate(batches, start=1):
        odfi = batch.settings.odfi_routing_number[:8]
        records.append(_batch_header(batch, batch_number))
        for credit in batch.credits:
            trace_sequence += 1
            records.append(_entry(credit, odfi, trace_sequence))
        records.append(_batch_control(batch, batch_number))
    records.append(_file_control(batches, record_count=len(records) + 1))
    records.extend([_PADDING_RECORD] * (-len(records) % BLOCKING_FACTOR))
    return "\n".join(records) + "\n"


def _file_header(settings: AchSettings, created_at: datetime.datetime, modifier: str) -> str:
    return _record(
        "1",
        "01",  # priority code
        " " + settings.odfi_routing_number,  # immediate destination: the ODFI
        settings.immediate_origin,
        created_at.strftime("%y%m%d"),
        created_at.strftime("%H%M"),
        modifier,
        f"{RECORD_SIZE:03d}",
        f"{BLOCKING_FACTOR:02d}",
        "1",  # format code
        _alpha(settings.immediate_destination_name, 23),
        _alpha(settings.immediate_origin_name, 23),
        _alpha("", 8),  # reference code
    )


def _batch_header(batch: AchBatch, batch_number: int) -> str:
    settings = batch.settings
    return _record(
        "5",
        SERVICE_CLASS_CREDITS_ONLY,
        _alpha(settings.company_name, 16),
        _alpha("", 20),  # company discretionary data
        settings.company_id,
        STANDARD_ENTRY_CLASS,
        _alpha(batch.description.strip(), 10),
        _alpha("", 6),  # company descriptive date
        batch.effective_date.strftime("%y%m%d"),
        _alpha("", 3),  # settlement date: the ACH operator fills it in
        "1",  # originator status code
        settings.odfi_routing_number[:8],
        _number(batch_number, 7, "batch number"),
    )


def _entry(credit: AchCredit, odfi: str, trace_sequence: int) -> str:
    return _record(
        "6",
        TRANSACTION_CODES[credit.account_type],
        credit.routing_number[:8],  # receiving DFI identification
        credit.routing_number[8],  # its check digit
        credit.account_number.ljust(17),
        _number(credit.amount_cents, 10, "amount"),
        _alpha(credit.staff_id, STAFF_ID_WIDTH),
        _individual_name(credit.name).ljust(INDIVIDUAL_NAME_WIDTH),
        _alpha("", 2),  # discretionary data
        "0",  # addenda record indicator
        odfi + _number(trace_sequence, 7, "entry count of the file"),
    )


def _batch_control(batch: AchBatch, batch_number: int) -> str:
    settings = batch.settings
    return _record(
        "8",
        SERVICE_CLASS_CREDITS_ONLY,
        _number(len(batch.credits), 6, "entry count of a batch"),
        _number(_entry_hash(batch), 10, "entry hash"),
        _number(0, 12, "total debit"),
        _number(_total_cents(batch), 12, "total credit of a batch"),
        settings.company_id,
        _alpha("", 19),  # message authentication code
        _alpha("", 6),  # reserved
        settings.odfi_routing_number[:8],
        _number(batch_number, 7, "batch number"),
    )


def _file_control(batches: Sequence[AchBatch], record_count: int) -> str:
    return _record(
        "9",
        _number(len(batches), 6, "batch count"),
        _number(-(-record_count // BLOCKING_FACTOR), 6, "block count"),
        _number(sum(len(batch.credits) for batch in batches), 8, "entry count of the file"),
        _number(sum(map(_entry_hash, batches)) % 10**10, 10, "entry hash"),
        _number(0, 12, "total debit"),
        _number(sum(map(_total_cents, batches)), 12, "total credit of the file"),
        _alpha("", 39),  # reserved
    )


def _entry_hash(batch: AchBatch) -> int:
    """The sum of the receiving banks' 8-digit identifications; only the last
    10 digits are kept."""
    return sum(int(credit.routing_number[:8]) for credit in batch.credits) % 10**10


def _total_cents(batch: AchBatch) -> int:
    return sum(credit.amount_cents for credit in batch.credits)


def _alpha(value: str, width: int) -> str:
    return nacha_text(value).ljust(width)


def _number(value: int, width: int, what: str) -> str:
    text = str(value)
    if len(text) > width:
        raise ValueError(f"{what} does not fit its {width}-digit field of the file")
    return text.zfill(width)


def _record(*fields: str) -> str:
    record = "".join(fields)
    if len(record) != RECORD_SIZE:
        # every field is checked against its width before: this is a bug here
        raise AssertionError(f"a {record[0]} record of {len(record)} characters")
    return record
