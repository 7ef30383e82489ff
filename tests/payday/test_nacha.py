"""The NACHA writer, read back by a reader of this test's own.

The reader knows nothing of the writer: it cuts each record at NACHA's field
positions and recomputes every count, hash and total from the entries. The
tests then compare what it read with what was paid.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.payday.nacha import (
    AchBatch,
    AchCredit,
    AchSettings,
    NachaError,
    Source,
    build_file,
    nacha_text,
    routing_number_is_valid,
)
from tests.payday.nacha_reader import CREDIT_CODES, LAYOUTS, read_nacha

PAY_DATE = dt.date(2026, 3, 13)
CREATED_AT = dt.datetime(2026, 3, 11, 14, 5)


def with_check_digit(first_eight: str) -> str:
    """The routing number whose ABA check digit (weights 3, 7, 1) completes ``first_eight``."""
    weighted = sum(int(digit) * (3, 7, 1)[i % 3] for i, digit in enumerate(first_eight))
    return first_eight + str(-weighted % 10)


def ach_settings(tenant: str = "acme", row: int = 2, **changes: object) -> AchSettings:
    values = {
        "tenant_id": tenant,
        "odfi_routing_number": "021000021",
        "immediate_origin": " 123456789",
        "immediate_origin_name": "ACME RESTAURANTS LLC",
        "immediate_destination_name": "JPMORGAN CHASE",
        "company_id": "1123456789",
        "company_name": "ACME RESTAURANTS",
        "source": Source("ach_settings.csv", row),
    }
    return AchSettings(**{**values, **changes})  # type: ignore[arg-type]


def credit(staff_id: str = "S1", row: int = 2, **changes: object) -> AchCredit:
    values = {
        "staff_id": staff_id,
        "name": "Ada Example",
        "routing_number": "011000015",
        "account_number": "000123456789",
        "account_type": "checking",
        "amount_cents": 123456,
        "name_source": Source("staff.csv", row),
        "account_source": Source("bank_accounts.csv", row),
    }
    return AchCredit(**{**values, **changes})  # type: ignore[arg-type]


def one_batch_file(*credits: AchCredit, **setting_changes: object) -> str:
    batch = AchBatch(ach_settings(**setting_changes), PAY_DATE, tuple(credits))
    return build_file([batch], CREATED_AT)


# --- the reader itself ---


def test_the_reader_layouts_cover_every_position_once() -> None:
    for layout in LAYOUTS.values():
        positions = [p for start, end in layout.values() for p in range(start, end + 1)]
        assert positions == list(range(1, 95))


def test_check_digits_of_real_routing_numbers() -> None:
    for real in ("021000021", "011000015", "122105155", "026009593", "322271627"):
        assert with_check_digit(real[:8]) == real
        assert routing_number_is_valid(real)


# --- routing numbers and text ---


@pytest.mark.parametrize(
    "routing_number",
    ["021000022", "02100002", "0210000211", "02100002a", " 21000021", "", "０２１００００２１"],
)
def test_routing_numbers_refused(routing_number: str) -> None:
    assert not routing_number_is_valid(routing_number)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("José Ñúñez", "JOSE NUNEZ"),
        ("Zoë Dvořák-Ångström", "ZOE DVORAK-ANGSTROM"),
        ("o'brien, jr.", "O'BRIEN, JR."),
        ("François Müller", "FRANCOIS MULLER"),
        ("", ""),
    ],
)
def test_nacha_text(value: str, expected: str) -> None:
    assert nacha_text(value) == expected


@pytest.mark.parametrize("value", ["李雷", "Ann\tLee", "Ann\nLee", "Łukasz", "Straße€", "Ann\x00"])
def test_nacha_text_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="cannot be in a NACHA file"):
        nacha_text(value)


# --- a whole file with known values ---


def two_tenant_file() -> str:
    acme = AchBatch(
        ach_settings(),
        PAY_DATE,
        (
            credit("S1", 2, name="José Ñúñez", amount_cents=123456),
            credit(
                "S2",
                3,
                name="Bo Example",
                routing_number="021000021",
                account_number="98765",
                account_type="savings",
                amount_cents=250000,
            ),
        ),
    )
    bistro = AchBatch(
        ach_settings(
            "bistro",
            3,
            odfi_routing_number="122105155",
            company_id="9000000042",
            company_name="BISTRO SUR",
        ),
        PAY_DATE,
        (credit("B-7", 4, name="Cy Example", routing_number="122105155", amount_cents=99),),
    )
    return build_file([acme, bistro], CREATED_AT, "B")


def test_two_tenants_three_credits() -> None:
    read = read_nacha(two_tenant_file())

    assert len(read.lines) == 10 and read.padding == 1  # 9 records and one of padding
    assert read.header == {
        "record_type": "1",
        "priority_code": "01",
        "immediate_destination": " 021000021",
        "immediate_origin": " 123456789",
        "creation_date": "260311",
        "creation_time": "1405",
        "file_id_modifier": "B",
        "record_size": "094",
        "blocking_factor": "10",
        "format_code": "1",
        "immediate_destination_name": "JPMORGAN CHASE".ljust(23),
        "immediate_origin_name": "ACME RESTAURANTS LLC".ljust(23),
        "reference_code": " " * 8,
    }

    acme, bistro = read.batches
    assert acme.header == {
        "record_type": "5",
        "service_class": "220",
        "company_name": "ACME RESTAURANTS",
        "discretionary_data": " " * 20,
        "company_id": "1123456789",
        "entry_class": "PPD",
        "entry_description": "PAYROLL   ",
        "descriptive_date": " " * 6,
        "effective_date": "260313",
        "settlement_date": "   ",
        "originator_status": "1",
        "odfi": "02100002",
        "batch_number": "0000001",
    }
    assert bistro.header["company_name"] == "BISTRO SUR      "
    assert bistro.header["company_id"] == "9000000042"
    assert bistro.header["odfi"] == "12210515"
    assert bistro.header["batch_number"] == "0000002"
    assert bistro.header["effective_date"] == "260313"

    assert acme.entries[0] == {
        "record_type": "6",
        "transaction_code": "22",
        "rdfi": "01100001",
        "check_digit": "5",
        "account_number": "000123456789     ",
        "amount": "0000123456",
        "individual_id": "S1             ",
        "individual_name": "JOSE NUNEZ            ",
        "discretionary_data": "  ",
        "addenda_indicator": "0",
        "trace_number": "021000020000001",
    }
    second = acme.entries[1]
    assert (second["transaction_code"], second["rdfi"], second["check_digit"]) == (
        "32",
        "02100002",
        "1",
    )
    assert second["account_number"] == "98765".ljust(17)
    assert second["amount"] == "0000250000"
    assert second["trace_number"] == "021000020000002"
    (cy,) = bistro.entries
    assert (cy["individual_id"], cy["individual_name"]) == ("B-7".ljust(15), "CY EXAMPLE".ljust(22))
    assert (cy["amount"], cy["trace_number"]) == ("0000000099", "122105150000003")

    # 01100001 + 02100002 = 03200003; the other batch 12210515
    assert acme.control == {
        "record_type": "8",
        "service_class": "220",
        "entry_count": "000002",
        "entry_hash": "0003200003",
        "total_debit": "000000000000",
        "total_credit": "000000373456",
        "company_id": "1123456789",
        "authentication_code": " " * 19,
        "reserved": " " * 6,
        "odfi": "02100002",
        "batch_number": "0000001",
    }
    assert bistro.control["entry_hash"] == "0012210515"
    assert bistro.control["total_credit"] == "000000000099"
    assert read.control == {
        "record_type": "9",
        "batch_count": "000002",
        "block_count": "000001",
        "entry_count": "00000003",
        "entry_hash": "0015410518",
        "total_debit": "000000000000",
        "total_credit": "000000373555",  # $3,735.55
        "reserved": " " * 39,
    }


def test_the_lines_themselves() -> None:
    lines = two_tenant_file().splitlines()
    assert lines[0] == (
        "101 021000021 1234567892603111405B094101"
        + "JPMORGAN CHASE         "
        + "ACME RESTAURANTS LLC   "
        + "        "
    )
    assert lines[2] == (
        "622011000015000123456789     0000123456S1             JOSE NUNEZ            "
        + "  0021000020000001"
    )
    assert lines[-1] == "9" * 94


def test_a_full_block_needs_no_padding() -> None:
    # 1 + 1 + 6 + 1 + 1 = 10 records
    text = one_batch_file(*(credit(f"S{i}", i + 1) for i in range(6)))
    read = read_nacha(text)
    assert (len(read.lines), read.padding, read.control["block_count"]) == (10, 0, "000001")
    read = read_nacha(one_batch_file(*(credit(f"S{i}", i + 1) for i in range(7))))
    assert (len(read.lines), read.padding, read.control["block_count"]) == (20, 9, "000002")


def test_entry_hash_keeps_its_last_ten_digits() -> None:
    # 311 x 32227162 = 10,022,647,382: eleven digits
    chase = "322271627"
    read = read_nacha(one_batch_file(*(credit(f"S{i}", routing_number=chase) for i in range(311))))
    assert read.batches[0].control["entry_hash"] == "0022647382"
    assert read.control["entry_hash"] == "0022647382"
    assert read.control["entry_count"] == "00000311"


def test_file_entry_hash_truncated_when_no_batch_overflows() -> None:
    # each batch 200 x 32227162 = 6,445,432,400; the file 12,890,864,800
    batches = [
        AchBatch(
            ach_settings(tenant, row),
            PAY_DATE,
            tuple(credit(f"S{i}", routing_number="322271627") for i in range(200)),
        )
        for row, tenant in enumerate(("acme", "bistro"), start=2)
    ]
    read = read_nacha(build_file(batches, CREATED_AT))
    assert [b.control["entry_hash"] for b in read.batches] == ["6445432400", "6445432400"]
    assert read.control["entry_hash"] == "2890864800"


def test_long_name_cut_to_its_field() -> None:
    name = "Maria Guadalupe Hernández de la Cruz"
    (entry,) = read_nacha(one_batch_file(credit(name=name))).batches[0].entries
    assert entry["individual_name"] == "MARIA GUADALUPE HERNAN"


def test_batches_without_credits_are_left_out() -> None:
    unpaid = AchBatch(ach_settings("empty", 2, odfi_routing_number="026009593"), PAY_DATE, ())
    paid = AchBatch(ach_settings("acme", 3), PAY_DATE, (credit(),))
    read = read_nacha(build_file([unpaid, paid], CREATED_AT))
    assert read.control["batch_count"] == "000001"
    assert read.header["immediate_destination"] == " 021000021"
    assert read.batches[0].header["batch_number"] == "0000001"


def test_nothing_printed_or_logged(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    one_batch_file(credit())
    with pytest.raises(NachaError):
        one_batch_file(credit(routing_number="011000016"))
    assert capsys.readouterr() == ("", "")
    assert caplog.records == []


# --- refusals ---

ROWS = {"ach_settings.csv": 4, "staff.csv": 6, "bank_accounts.csv": 9}
SETTINGS_FIELDS = {f.name for f in dataclasses.fields(AchSettings)}
REFUSALS = [
    # (attribute changed, its bad value, the file named, the field named)
    ("routing_number", "011000016", "bank_accounts.csv", "routing_number"),
    ("routing_number", "01100001", "bank_accounts.csv", "routing_number"),
    ("routing_number", "01100001x", "bank_accounts.csv", "routing_number"),
    ("account_number", "123", "bank_accounts.csv", "account_number"),
    ("account_number", "1" * 18, "bank_accounts.csv", "account_number"),
    ("account_number", "12-3456", "bank_accounts.csv", "account_number"),
    ("account_type", "money market", "bank_accounts.csv", "account_type"),
    ("name", "李雷", "staff.csv", "full_name"),
    ("name", "Ann\tLee", "staff.csv", "full_name"),
    ("name", "   ", "staff.csv", "full_name"),
    ("staff_id", "S" * 16, "staff.csv", "staff_id"),
    ("staff_id", "", "staff.csv", "staff_id"),
    ("amount_cents", 0, "staff.csv", "amount_cents"),
    ("amount_cents", -500, "staff.csv", "amount_cents"),
    ("amount_cents", 10**10, "staff.csv", "amount_cents"),
    ("amount_cents", 12.5, "staff.csv", "amount_cents"),
    ("odfi_routing_number", "021000022", "ach_settings.csv", "odfi_routing_number"),
    ("company_name", "A" * 17, "ach_settings.csv", "company_name"),
    ("company_name", "", "ach_settings.csv", "company_name"),
    ("company_name", "饭店", "ach_settings.csv", "company_name"),
    ("company_id", "123456789", "ach_settings.csv", "company_id"),
    ("company_id", "12345678901", "ach_settings.csv", "company_id"),
    ("immediate_origin", "123456789", "ach_settings.csv", "immediate_origin"),
    ("immediate_origin", "12345678A ", "ach_settings.csv", "immediate_origin"),
    ("immediate_origin_name", "O" * 24, "ach_settings.csv", "immediate_origin_name"),
    ("immediate_destination_name", "D" * 24, "ach_settings.csv", "immediate_destination_name"),
]


@pytest.mark.parametrize(
    ("attribute", "value", "file", "field"),
    REFUSALS,
    ids=[f"{attribute}={value!r}" for attribute, value, _, _ in REFUSALS],
)
def test_refused_values_name_file_row_and_field(
    attribute: str, value: object, file: str, field: str
) -> None:
    target = "settings" if attribute in SETTINGS_FIELDS else "credit"
    bad = credit(
        name_source=Source("staff.csv", ROWS["staff.csv"]),
        account_source=Source("bank_accounts.csv", ROWS["bank_accounts.csv"]),
        **({attribute: value} if target == "credit" else {}),
    )
    changes = {attribute: value} if target == "settings" else {}
    with pytest.raises(NachaError) as raised:
        one_batch_file(bad, row=ROWS["ach_settings.csv"], **changes)
    error = raised.value
    assert isinstance(error, ValueError)
    assert (error.file, error.row, error.field) == (file, ROWS[file], field)
    assert str(error) == f"{file}: row {ROWS[file]}, field {field}: {error.message}"
    for personal in ("011000015", "000123456789", bad.routing_number, bad.account_number):
        assert personal not in str(error)


def test_a_bad_credit_anywhere_refuses_the_whole_file() -> None:
    good = AchBatch(ach_settings("acme", 2), PAY_DATE, (credit("S1", 2),))
    late = AchBatch(
        ach_settings("bistro", 3),
        PAY_DATE,
        (
            credit("B1", 2),
            credit("B2", 3, account_source=Source("bank_accounts.csv", 14), account_number="12"),
        ),
    )
    with pytest.raises(NachaError, match=r"^bank_accounts.csv: row 14, field account_number: "):
        build_file([good, late], CREATED_AT)


@pytest.mark.parametrize("batches", [[], [AchBatch(ach_settings(), PAY_DATE, ())]])
def test_no_credits_to_pay(batches: list[AchBatch]) -> None:
    with pytest.raises(ValueError, match="^no credits to pay$") as raised:
        build_file(batches, CREATED_AT)
    assert not isinstance(raised.value, NachaError)


@pytest.mark.parametrize("modifier", ["a", "AB", "", "-"])
def test_file_id_modifier_refused(modifier: str) -> None:
    batch = AchBatch(ach_settings(), PAY_DATE, (credit(),))
    with pytest.raises(ValueError, match="file_id_modifier"):
        build_file([batch], CREATED_AT, modifier)


@pytest.mark.parametrize("description", ["PAYROLL MAR", "", "薪水"])
def test_batch_description_refused(description: str) -> None:
    batch = AchBatch(ach_settings(), PAY_DATE, (credit(),), description=description)
    with pytest.raises(ValueError, match="description"):
        build_file([batch], CREATED_AT)


def test_batch_total_over_twelve_digits_refused() -> None:
    # 101 x $99,999,999.99 does not fit the 12-digit total credit field
    largest = [credit(f"S{i}", amount_cents=10**10 - 1) for i in range(101)]
    with pytest.raises(ValueError, match="total credit of a batch"):
        one_batch_file(*largest)


# --- any set of credits ---

NAMES = st.text(alphabet=string.ascii_letters + " .'-éñüÅ", min_size=1, max_size=30).filter(
    lambda name: name.strip()
)
CREDITS = st.builds(
    AchCredit,
    staff_id=st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,14}", fullmatch=True),
    name=NAMES,
    routing_number=st.from_regex(r"[0-9]{8}", fullmatch=True).map(with_check_digit),
    account_number=st.from_regex(r"[0-9]{4,17}", fullmatch=True),
    account_type=st.sampled_from(["checking", "savings"]),
    amount_cents=st.integers(min_value=1, max_value=10**10 - 1),
    name_source=st.just(Source("staff.csv", 2)),
    account_source=st.just(Source("bank_accounts.csv", 2)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    per_tenant=st.lists(st.lists(CREDITS, max_size=25), min_size=1, max_size=4).filter(
        lambda batches: any(batches)
    ),
    pay_date=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_any_credits_read_back_as_paid(
    per_tenant: list[list[AchCredit]], pay_date: dt.date
) -> None:
    batches = [
        AchBatch(ach_settings(f"t{row}", row), pay_date, tuple(credits))
        for row, credits in enumerate(per_tenant, start=2)
    ]
    read = read_nacha(build_file(batches, CREATED_AT))

    paid = [credits for credits in per_tenant if credits]
    assert len(read.batches) == len(paid)
    for batch, credits in zip(read.batches, paid, strict=True):
        assert batch.header["service_class"] == batch.control["service_class"] == "220"
        assert batch.header["effective_date"] == pay_date.strftime("%y%m%d")
        assert [
            (
                CREDIT_CODES[e["transaction_code"]],
                e["rdfi"] + e["check_digit"],
                e["account_number"].rstrip(),
                int(e["amount"]),
                e["individual_id"].rstrip(),
            )
            for e in batch.entries
        ] == [
            (c.account_type, c.routing_number, c.account_number, c.amount_cents, c.staff_id)
            for c in credits
        ]
        assert int(batch.control["total_credit"]) == sum(c.amount_cents for c in credits)
    every_credit = [c for credits in paid for c in credits]
    assert int(read.control["total_credit"]) == sum(c.amount_cents for c in every_credit)
    assert int(read.control["entry_count"]) == len(every_credit)
    expected_hash = sum(int(c.routing_number[:8]) for c in every_credit) % 10**10
    assert int(read.control["entry_hash"]) == expected_hash
