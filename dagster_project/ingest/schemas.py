"""One pydantic model per input file (CONTRACT §3), and the registry that
says which table each file lands in, by which key, in which order."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

# Same pattern as the Dagster partition keys and dbt vars built from it.
TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@/+-]{0,127}$"

TenantId = Annotated[str, StringConstraints(pattern=TENANT_ID_PATTERN)]
RecordId = Annotated[str, StringConstraints(pattern=RECORD_ID_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Role = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
HourlyRate = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=4)]
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
    period_anchor: dt.date | None = None
    workweek_start: Weekday = "sunday"
    pay_date_lag_days: int = Field(default=5, ge=0, le=60)

    @model_validator(mode="after")
    def _anchor_for_fixed_length_periods(self) -> TenantRow:
        if self.pay_frequency in ("weekly", "biweekly") and self.period_anchor is None:
            raise ValueError(f"period_anchor is required for {self.pay_frequency} pay")
        return self


class LocationRow(InputRow):
    tenant_id: TenantId
    location_id: RecordId
    name: Name
    timezone: str
    jurisdiction: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

    @field_validator("timezone")
    @classmethod
    def _iana_time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA time zone: {value[:64]!r}") from None
        return value


class StaffRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId
    full_name: Name
    home_location_id: RecordId
    pay_type: Literal["hourly", "salaried"]
    flsa_exempt: bool = False
    annual_salary: NonNegativeMoney | None = None
    filing_status: Literal["single", "married_jointly", "head_of_household"] = "single"
    w4_step2: bool = False
    w4_dependents: NonNegativeMoney = Decimal(0)
    w4_other_income: NonNegativeMoney = Decimal(0)
    w4_deductions: NonNegativeMoney = Decimal(0)
    w4_extra_withholding: NonNegativeMoney = Decimal(0)
    hired_on: dt.date | None = None
    terminated_on: dt.date | None = None

    @model_validator(mode="after")
    def _salary_matches_pay_type(self) -> StaffRow:
        if self.pay_type == "salaried" and self.annual_salary is None:
            raise ValueError("annual_salary is required for salaried staff")
        if self.pay_type == "hourly" and self.annual_salary is not None:
            raise ValueError("annual_salary must be empty for hourly staff")
        if self.hired_on and self.terminated_on and self.terminated_on < self.hired_on:
            raise ValueError("terminated_on is before hired_on")
        return self


class PayRateRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId | None = None
    role: Role
    hourly_rate: HourlyRate
    effective_from: dt.date
    effective_to: dt.date | None = None

    @model_validator(mode="after")
    def _range_is_ordered(self) -> PayRateRow:
        _check_range(self.effective_from, self.effective_to)
        return self


class AttendanceRow(InputRow):
    """Header and types of attendance files. Rows are validated in SQL
    (``attendance.py``), where a million of them cost about a COPY."""

    tenant_id: TenantId
    event_id: RecordId
    staff_id: RecordId
    location_id: RecordId
    role: Role
    clock_in: dt.datetime
    clock_out: dt.datetime | None = None
    break_minutes: int = Field(default=0, ge=0, le=9999)
    updated_at: dt.datetime


class AdjustmentRow(InputRow):
    tenant_id: TenantId
    adjustment_id: RecordId
    staff_id: RecordId
    work_date: dt.date
    kind: Literal["bonus", "discretionary_bonus"]
    amount: Money


class DeductionRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId
    kind: Literal["retirement_401k", "section_125", "post_tax"]
    amount_per_period: NonNegativeMoney
    effective_from: dt.date
    effective_to: dt.date | None = None

    @model_validator(mode="after")
    def _range_is_ordered(self) -> DeductionRow:
        _check_range(self.effective_from, self.effective_to)
        return self


class YtdOpeningRow(InputRow):
    tenant_id: TenantId
    staff_id: RecordId
    tax_year: int = Field(ge=2000, le=2100)
    gross_wages: NonNegativeMoney = Decimal(0)
    social_security_wages: NonNegativeMoney = Decimal(0)
    medicare_wages: NonNegativeMoney = Decimal(0)
    futa_wages: NonNegativeMoney = Decimal(0)
    sdi_wages: NonNegativeMoney = Decimal(0)


def _check_range(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise ValueError("effective_to is before effective_from")


@dataclass(frozen=True)
class FileKind:
    """An input file: its row model, landing table and key."""

    name: str
    model: type[InputRow]
    key: tuple[str, ...]

    TABLE_SCHEMA: ClassVar[str] = "raw"

    @property
    def table(self) -> str:
        return f"{self.TABLE_SCHEMA}.{self.name}"

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
    )
}
