import datetime as dt
from decimal import Decimal

import pytest

from dagster_project.ingest.errors import IngestError, IngestFileError

TENANTS = """
    tenant_id,name,pay_frequency,period_anchor,workweek_start
    acme,Acme Diner,weekly,2026-03-01,sunday
    beta,Beta Cafe,semimonthly,,monday
"""


def test_every_reference_file_loads_with_typed_values(write_csv, ingest, query):
    report = ingest(
        write_csv("tenants.csv", TENANTS),
        write_csv(
            "locations.csv",
            """
            tenant_id,location_id,name,timezone,jurisdiction
            acme,AUS,Austin,America/Chicago,TX
            """,
        ),
        write_csv(
            "staff.csv",
            """
            tenant_id,staff_id,full_name,home_location_id,pay_type,annual_salary,w4_step2
            acme,S1,Ada Example,AUS,hourly,,yes
            acme,M1,Max Example,AUS,salaried,60000.00,false
            """,
        ),
        write_csv(
            "pay_rates.csv",
            """
            tenant_id,staff_id,role,hourly_rate,effective_from,effective_to
            acme,,cook,15.25,2026-01-01,
            acme,S1,cook,16.5,2026-01-01,2026-06-30
            """,
        ),
        write_csv(
            "adjustments.csv",
            """
            tenant_id,adjustment_id,staff_id,work_date,kind,amount
            acme,A1,S1,2026-03-04,bonus,46.00
            """,
        ),
        write_csv(
            "deductions.csv",
            """
            tenant_id,staff_id,kind,amount_per_period,effective_from,effective_to
            acme,S1,retirement_401k,50.00,2026-01-01,
            """,
        ),
        write_csv(
            "ytd_opening.csv",
            """
            tenant_id,staff_id,tax_year,gross_wages,social_security_wages
            acme,S1,2026,1000.00,1000.00
            """,
        ),
    )
    assert report.total("loaded") == 10
    assert report.total("rejected") == 0
    assert query("select pay_date_lag_days, workweek_start from raw.tenants order by 2") == [
        (5, "monday"),
        (5, "sunday"),
    ]
    assert query("select staff_id, hourly_rate from raw.pay_rates order by staff_id") == [
        ("", Decimal("15.2500")),
        ("S1", Decimal("16.5000")),
    ]
    assert query("select w4_step2, filing_status from raw.staff where staff_id = 'S1'") == [
        (True, "single")
    ]
    assert query("select medicare_wages from raw.ytd_opening") == [(Decimal("0.00"),)]


def test_bad_reference_rows_are_kept_with_row_and_field(write_csv, ingest, query):
    report = ingest(
        write_csv(
            "locations.csv",
            """
            tenant_id,location_id,name,timezone,jurisdiction
            acme,AUS,Austin,America/Chicago,TX
            acme,NYC,New York,America/New_York,New York
            acme,MARS,Mars,Mars/Olympus,CA
            """,
        ),
        write_csv(
            "staff.csv",
            """
            tenant_id,staff_id,full_name,home_location_id,pay_type,annual_salary
            acme,S1,Ada Example,AUS,hourly,
            acme,M1,Max Example,AUS,salaried,
            """,
        ),
    )
    assert [(r.kind, r.loaded, r.rejected) for r in report.files] == [
        ("locations", 1, 2),
        ("staff", 1, 1),
    ]
    rejected = query(
        "select file_kind, source_row, field, reason from raw.rejected_rows "
        "order by file_kind, source_row"
    )
    assert [(kind, row, field) for kind, row, field, _ in rejected] == [
        ("locations", 3, "jurisdiction"),
        ("locations", 4, "timezone"),
        ("staff", 3, "annual_salary"),
    ]
    assert rejected[2][3] == "annual_salary: required for salaried staff"
    assert "Olympus" not in rejected[1][3] or "IANA" in rejected[1][3]


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        ("tenant_id,name,pay_frequency,period_anchor,colour", "colour", "unknown column"),
        ("tenant_id,pay_frequency,period_anchor", "name", "required column is missing"),
        ("tenant_id,name,name,pay_frequency", "name", "more than once"),
    ],
)
def test_wrong_header_refuses_the_whole_file(write_csv, ingest, query, header, field, message):
    path = write_csv("tenants.csv", f"{header}\nacme,Acme,weekly,2026-03-01,x\n")
    with pytest.raises(IngestFileError) as refused:
        ingest(path)
    assert (refused.value.row, refused.value.field) == (1, field)
    assert message in str(refused.value)
    assert query("select count(*) from raw.tenants") == [(0,)]
    assert query("select count(*) from raw.rejected_rows") == [(0,)]


def test_files_before_a_refused_file_stay_loaded(write_csv, ingest, query):
    tenants = write_csv("tenants.csv", TENANTS)
    staff = write_csv("staff.csv", "tenant_id,staff_id,nickname\nacme,S1,Ada\n")
    with pytest.raises(IngestFileError):
        ingest(tenants, staff)
    assert query("select count(*) from raw.tenants") == [(2,)]


def test_unknown_file_names_and_missing_paths_are_usage_errors(write_csv, ingest, tmp_path):
    with pytest.raises(IngestError, match="unknown file name"):
        ingest(write_csv("payroll_export.csv", "a,b\n1,2\n"))
    with pytest.raises(IngestError, match="no such file"):
        ingest(tmp_path / "missing.csv")


def test_reloading_a_reference_file_changes_nothing(write_csv, ingest, query):
    path = write_csv("tenants.csv", TENANTS)
    ingest(path)
    loaded_at = query("select max(loaded_at) from raw.tenants")
    second = ingest(path)
    assert (second.total("loaded"), second.total("replaced"), second.total("unchanged")) == (
        0,
        0,
        2,
    )
    assert query("select max(loaded_at) from raw.tenants") == loaded_at


def test_a_changed_reference_row_replaces_the_old_one(write_csv, ingest, query):
    ingest(write_csv("tenants.csv", TENANTS))
    changed = write_csv(
        "tenants_v2.csv",
        """
        tenant_id,name,pay_frequency,period_anchor,workweek_start,pay_date_lag_days
        acme,Acme Diner,weekly,2026-03-01,sunday,3
        """,
    )
    report = ingest(changed)
    assert (report.total("loaded"), report.total("replaced")) == (0, 1)
    assert query("select pay_date_lag_days from raw.tenants where tenant_id = 'acme'") == [(3,)]
    assert query("select period_anchor from raw.tenants where tenant_id = 'acme'") == [
        (dt.date(2026, 3, 1),)
    ]
