"""One pydantic model per input file (CONTRACT §3), and the registry that
says which table each file lands in, by which key, in which order."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dagster_project.core.periods import TENANT_ID_PATTERN
from dagster_project.payday.nacha import routing_number_is_valid

RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@/+-]{0,127}$"

TenantId = Annotated[str, StringConstraints(pattern=TENANT_ID_PATTERN)]
RecordId = Annotated[str, StringConstraints(pattern=RECORD_ID_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Role = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
HourlyRate = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=4)]


def _iso_date(value: Any) -> Any:
    """``YYYY-MM-DD`` only: pydantic alone would also take a Unix time or a
    datetime string, which no input file of CONTRACT §3 should contain."""
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise PydanticCustomError("date_format", "not a YYYY-MM-DD date")
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class InputRow(BaseModel):
    """A CSV row: surrounding spaces trimmed; an empty cell takes the default."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_cells_take_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class TenantRow(InputRow):
    tenant_id: TenantId
    name: Name
    pay_frequency: Literal["weekly", "biweekly", "semimonthly", "monthly"]
    period_anchor: Date | None = Field(default=None, validate_default=True)
    workweek_start: Weekday = "sunday"
    pay_date_lag_days: int = Field(default=5, ge=0, le=60)
    # CONTRACT §7: the employer on statements and tax forms
    legal_name: Name | None = None
    address: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    ein: Annotated[str, StringConstraints(pattern=r"^\d{2}-\d{7}$")] | None = None

    @field_validator("period_anchor")
    @classmethod
    def _anchor_for_fixed_length_periods(
        cls, value: dt.date | None, info: ValidationInfo
    ) -> dt.date | None:
        frequency = info.data.get("pay_frequency")
        if frequency in ("weekly", "biweekly") and value is None:
            raise ValueError(f"required for {frequency} pay")
        return value


class LocationRow(InputRow):
    tenant_id: TenantId
    location_id: RecordId
    name: Name
    timezone: str
    jurisdiction: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    # a jurisdiction of reference.minimum_wages (CONTRACT §6), e.g. nyc
    locality: RecordId | None = None

    @field_validator("timezone")
    @classmethod
    def _iana_time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone") from None
        return value


class StaffRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId
    full_name: Name
    home_location_id: RecordId
    pay_type: Literal["hourly", "salaried"]
    flsa_exempt: bool = False
    annual_salary: NonNegativeMoney | None = Field(default=None, validate_default=True)
    filing_status: Literal["single", "married_jointly", "head_of_household"] = "single"
    w4_step2: bool = False
    w4_dependents: NonNegativeMoney = Decimal(0)
    w4_other_income: NonNegativeMoney = Decimal(0)
    w4_deductions: NonNegativeMoney = Decimal(0)
    w4_extra_withholding: NonNegativeMoney = Decimal(0)
    hired_on: Date | None = None
    terminated_on: Date | None = None

    @field_validator("annual_salary")
    @classmethod
    def _salary_matches_pay_type(
        cls, value: Decimal | None, info: ValidationInfo
    ) -> Decimal | None:
        pay_type = info.data.get("pay_type")
        if pay_type == "salaried" and value is None:
            raise ValueError("required for salaried staff")
        if pay_type == "hourly" and value is not None:
            raise ValueError("must be empty for hourly staff")
        return value

    @field_validator("terminated_on")
    @classmethod
    def _terminated_after_hire(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        hired_on = info.data.get("hired_on")
        if value is not None and hired_on is not None and value < hired_on:
            raise ValueError("before hired_on")
        return value


class PayRateRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId | None = None
    role: Role
    hourly_rate: HourlyRate
    effective_from: Date
    effective_to: Date | None = None
    tip_credit: bool = False

    @field_validator("effective_to")
    @classmethod
    def _range_is_ordered(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _check_range(value, info)


class AttendanceRow(InputRow):
    """Header and types of attendance files. Rows are validated in SQL
    (``attendance.py``), where a million of them cost about a COPY."""

    tenant_id: TenantId
    event_id: RecordId
    staff_id: RecordId
    location_id: RecordId
    role: Role
    clock_in: AwareDatetime
    clock_out: AwareDatetime | None = None
    break_minutes: int = Field(default=0, ge=0, le=9999)
    updated_at: AwareDatetime
    cash_tips: NonNegativeMoney = Decimal(0)
    card_tips: NonNegativeMoney = Decimal(0)


class AdjustmentRow(InputRow):
    tenant_id: TenantId
    adjustment_id: RecordId
    staff_id: RecordId
    work_date: Date
    kind: Literal["bonus", "discretionary_bonus"]
    amount: Money


class DeductionRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId
    kind: Literal["retirement_401k", "section_125", "post_tax"]
    amount_per_period: NonNegativeMoney
    effective_from: Date
    effective_to: Date | None = None

    @field_validator("effective_to")
    @classmethod
    def _range_is_ordered(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _check_range(value, info)


class YtdOpeningRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId
    tax_year: int = Field(ge=2000, le=2100)
    gross_wages: NonNegativeMoney = Decimal(0)
    social_security_wages: NonNegativeMoney = Decimal(0)
    medicare_wages: NonNegativeMoney = Decimal(0)
    futa_wages: NonNegativeMoney = Decimal(0)
    sdi_wages: NonNegativeMoney = Decimal(0)


def _routing_number(value: str) -> str:
    if not routing_number_is_valid(value):
        raise ValueError("not a 9-digit ABA routing number with a valid check digit")
    return value


RoutingNumber = Annotated[str, AfterValidator(_routing_number)]


class BankAccountRow(InputRow):
    """CONTRACT §7: where net pay is deposited. Personal data: lands in
    ``private``, which no analyst, auditor or transformer role can read."""

    tenant_id: TenantId
    staff_id: RecordId
    routing_number: RoutingNumber
    account_number: Annotated[str, StringConstraints(pattern=r"^\d{4,17}$")]
    account_type: Literal["checking", "savings"]
    effective_from: Date


class AchSettingsRow(InputRow):
    """CONTRACT §7: the originator of a tenant's direct-deposit file."""

    tenant_id: TenantId
    odfi_routing_number: RoutingNumber
    immediate_origin: Annotated[str, StringConstraints(min_length=10, max_length=10)]
    immediate_origin_name: Annotated[str, StringConstraints(min_length=1, max_length=23)]
    immediate_destination_name: Annotated[str, StringConstraints(min_length=1, max_length=23)]
    company_id: Annotated[str, StringConstraints(min_length=10, max_length=10)]
    company_name: Annotated[str, StringConstraints(min_length=1, max_length=16)]

    # surrounding spaces are trimmed from every cell: a 10-character origin is
    # often " 123456789", so a 9-digit one is taken as that
    @field_validator("immediate_origin", "company_id", mode="before")
    @classmethod
    def _pad_nine_digits(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\s*\d{9}\s*", value):
            return " " + value.strip()
        return value


GL_LINES = (
    "wages_expense",
    "tips_payable",
    "employer_tax_expense",
    "federal_income_tax_payable",
    "social_security_payable",
    "medicare_payable",
    "futa_payable",
    "state_income_tax_payable",
    "state_disability_payable",
    "retirement_401k_payable",
    "section_125_payable",
    "post_tax_deductions_payable",
    "net_pay_payable",
)


class GlAccountRow(InputRow):
    """CONTRACT §7: a journal line's account; a line without a row keeps its
    default (dbt seed ``gl_account_defaults``)."""

    tenant_id: TenantId
    line: Literal[GL_LINES]  # type: ignore[valid-type]
    account: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,63}$")]


def _check_range(end: dt.date | None, info: ValidationInfo) -> dt.date | None:
    start = info.data.get("effective_from")
    if end is not None and start is not None and end < start:
        raise ValueError("before effective_from")
    return end


@dataclass(frozen=True)
class FileKind:
    """An input file: its row model, landing table and key."""

    name: str
    model: type[InputRow]
    key: tuple[str, ...]
    schema: str = "raw"
    # payment instructions are all or nothing: a bad row refuses the file
    # (exit 2, naming file, row and field) instead of landing as a rejection
    refuse_file_on_bad_row: bool = False

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.model.model_fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(n for n, f in self.model.model_fields.items() if f.is_required())


# In load order: a delivery folder lands tenants before their locations, etc.
FILE_KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind("tenants", TenantRow, ("tenant_id",)),
        FileKind("locations", LocationRow, ("tenant_id", "location_id")),
        FileKind("staff", StaffRow, ("tenant_id", "staff_id")),
        FileKind("pay_rates", PayRateRow, ("tenant_id", "staff_id", "role", "effective_from")),
        FileKind("deductions", DeductionRow, ("tenant_id", "staff_id", "kind", "effective_from")),
        FileKind("adjustments", AdjustmentRow, ("tenant_id", "adjustment_id")),
        FileKind("ytd_opening", YtdOpeningRow, ("tenant_id", "staff_id", "tax_year")),
        FileKind("attendance", AttendanceRow, ("tenant_id", "event_id")),
        FileKind(
            "bank_accounts",
            BankAccountRow,
            ("tenant_id", "staff_id", "effective_from"),
            schema="private",
            refuse_file_on_bad_row=True,
        ),
        FileKind("ach_settings", AchSettingsRow, ("tenant_id",), refuse_file_on_bad_row=True),
        FileKind("gl_accounts", GlAccountRow, ("tenant_id", "line")),
    )
}
