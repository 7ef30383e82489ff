"""An independent NACHA reader for the tests: it cuts each record by the
positions of NACHA's layout (Operating Rules, Appendix Three) and checks every
structural rule and control total on the way; it shares no code with the
writer (dagster_project/payday/nacha.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

# NACHA field positions, 1-based and inclusive, by record type
LAYOUTS: dict[str, dict[str, tuple[int, int]]] = {
    "1": {
        "record_type": (1, 1),
        "priority_code": (2, 3),
        "immediate_destination": (4, 13),
        "immediate_origin": (14, 23),
        "creation_date": (24, 29),
        "creation_time": (30, 33),
        "file_id_modifier": (34, 34),
        "record_size": (35, 37),
        "blocking_factor": (38, 39),
        "format_code": (40, 40),
        "immediate_destination_name": (41, 63),
        "immediate_origin_name": (64, 86),
        "reference_code": (87, 94),
    },
    "5": {
        "record_type": (1, 1),
        "service_class": (2, 4),
        "company_name": (5, 20),
        "discretionary_data": (21, 40),
        "company_id": (41, 50),
        "entry_class": (51, 53),
        "entry_description": (54, 63),
        "descriptive_date": (64, 69),
        "effective_date": (70, 75),
        "settlement_date": (76, 78),
        "originator_status": (79, 79),
        "odfi": (80, 87),
        "batch_number": (88, 94),
    },
    "6": {
        "record_type": (1, 1),
        "transaction_code": (2, 3),
        "rdfi": (4, 11),
        "check_digit": (12, 12),
        "account_number": (13, 29),
        "amount": (30, 39),
        "individual_id": (40, 54),
        "individual_name": (55, 76),
        "discretionary_data": (77, 78),
        "addenda_indicator": (79, 79),
        "trace_number": (80, 94),
    },
    "8": {
        "record_type": (1, 1),
        "service_class": (2, 4),
        "entry_count": (5, 10),
        "entry_hash": (11, 20),
        "total_debit": (21, 32),
        "total_credit": (33, 44),
        "company_id": (45, 54),
        "authentication_code": (55, 73),
        "reserved": (74, 79),
        "odfi": (80, 87),
        "batch_number": (88, 94),
    },
    "9": {
        "record_type": (1, 1),
        "batch_count": (2, 7),
        "block_count": (8, 13),
        "entry_count": (14, 21),
        "entry_hash": (22, 31),
        "total_debit": (32, 43),
        "total_credit": (44, 55),
        "reserved": (56, 94),
    },
}
CREDIT_CODES = {"22": "checking", "32": "savings"}
DEBIT_CODES = {"27", "37"}


@dataclass
class ReadBatch:
    header: dict[str, str]
    entries: list[dict[str, str]] = field(default_factory=list)
    control: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadFile:
    lines: list[str]
    header: dict[str, str]
    batches: list[ReadBatch]
    control: dict[str, str]
    padding: int


def cut(line: str) -> dict[str, str]:
    return {name: line[start - 1 : end] for name, (start, end) in LAYOUTS[line[0]].items()}


def entry_hash(entries: list[dict[str, str]]) -> int:
    return sum(int(entry["rdfi"]) for entry in entries) % 10**10


def read_nacha(text: str) -> ReadFile:
    """The file, with every structural rule and control total checked."""
    assert text.endswith("\n") and "\r" not in text
    lines = text[:-1].split("\n")
    assert all(len(line) == 94 and line.isascii() for line in lines)
    assert len(lines) % 10 == 0

    padding = 0
    while lines[-1 - padding] == "9" * 94:
        padding += 1
    records = lines[: len(lines) - padding]
    assert padding < 10, "padding beyond the last block"
    assert [line[0] for line in (records[0], records[-1])] == ["1", "9"]
    header, control = cut(records[0]), cut(records[-1])

    batches: list[ReadBatch] = []
    for line in records[1:-1]:
        record = cut(line)
        if line[0] == "5":
            assert not batches or batches[-1].control, "batch header inside a batch"
            batches.append(ReadBatch(header=record))
        elif line[0] == "6":
            assert batches and not batches[-1].control, "entry outside a batch"
            batches[-1].entries.append(record)
        elif line[0] == "8":
            assert batches and not batches[-1].control, "batch control without its header"
            batches[-1].control = record
        else:
            raise AssertionError(f"unexpected record type {line[0]!r}")
    assert batches and batches[-1].control

    traces = []
    for number, batch in enumerate(batches, start=1):
        head, entries, tail = batch.header, batch.entries, batch.control
        assert int(head["batch_number"]) == int(tail["batch_number"]) == number
        assert head["service_class"] == tail["service_class"]
        assert head["company_id"] == tail["company_id"]
        assert head["odfi"] == tail["odfi"]
        assert int(tail["entry_count"]) == len(entries)
        assert int(tail["entry_hash"]) == entry_hash(entries)
        debits = [int(e["amount"]) for e in entries if e["transaction_code"] in DEBIT_CODES]
        credits = [int(e["amount"]) for e in entries if e["transaction_code"] in CREDIT_CODES]
        assert int(tail["total_debit"]) == sum(debits)
        assert int(tail["total_credit"]) == sum(credits)
        for entry in entries:
            assert entry["addenda_indicator"] == "0"
            assert entry["trace_number"][:8] == head["odfi"]
            traces.append(int(entry["trace_number"][8:]))
    assert traces == sorted(traces) and len(set(traces)) == len(traces)

    every_entry = [entry for batch in batches for entry in batch.entries]
    assert int(control["batch_count"]) == len(batches)
    assert int(control["block_count"]) == len(lines) // 10
    assert int(control["entry_count"]) == len(every_entry)
    assert int(control["entry_hash"]) == entry_hash(every_entry)
    assert int(control["total_debit"]) == sum(int(b.control["total_debit"]) for b in batches)
    assert int(control["total_credit"]) == sum(int(b.control["total_credit"]) for b in batches)
    return ReadFile(lines, header, batches, control, padding)
