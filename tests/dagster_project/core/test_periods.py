import datetime as dt
import re
from pathlib import Path

import pytest

from dagster_project.core.periods import (
    TENANT_ID_PATTERN,
    PayPeriodKey,
    parse_partition_key,
    validate_tenant_id,
)


def test_partition_key_round_trips_tenant_and_period():
    key = PayPeriodKey("bistro", dt.date(2026, 3, 1))
    assert key.partition_key == "bistro|2026-03-01"
    assert parse_partition_key("bistro|2026-03-01") == key


@pytest.mark.parametrize(
    "bad", ["bistro", "bistro|2026-02-30", "'; drop table raw.staff; --|2026-03-01", "|2026-03-01"]
)
def test_partition_key_rejects_malformed_values(bad):
    with pytest.raises(ValueError):
        parse_partition_key(bad)


REPO = Path(__file__).resolve().parents[3]
# a check on tenant_id in SQL or dbt: `tenant_id ~ '<regex>'`
_SQL_TENANT_CHECK = re.compile(r"tenant_id\s*~\s*'([^']*)'")


def test_the_tenant_id_pattern_is_written_once_in_python():
    """Ingest (pydantic and its SQL validation) and the partition keys take
    the pattern from core; no other module spells it."""
    spelled = [
        path.relative_to(REPO).as_posix()
        for path in (REPO / "dagster_project").rglob("*.py")
        if TENANT_ID_PATTERN in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["dagster_project/core/periods.py"]


def test_every_tenant_id_check_in_sql_and_dbt_is_the_core_pattern():
    """An applied migration never changes, so its check constraint keeps a
    copy of the pattern; the copies must not drift apart."""
    sources = [
        path
        for folder in ("sql", "dbt_project/models", "dbt_project/macros", "dbt_project/tests")
        for path in (REPO / folder).rglob("*")
        if path.suffix in {".sql", ".yml", ".yaml"}
    ]
    copies = {
        path.relative_to(REPO).as_posix(): pattern
        for path in sources
        for pattern in _SQL_TENANT_CHECK.findall(path.read_text(encoding="utf-8"))
    }
    assert "sql/migrations/0021_create_control_pay_period_build.sql" in copies
    assert {path: TENANT_ID_PATTERN for path in copies} == copies


@pytest.mark.parametrize("tenant", ["bistro", "a", "A1_b.c-d", "x" * 64])
def test_a_valid_tenant_id_is_taken_as_is(tenant):
    assert validate_tenant_id(tenant) == tenant


@pytest.mark.parametrize("tenant", ["", "-bistro", "bistro|x", "x" * 65, "bistró", "a b"])
def test_an_invalid_tenant_id_is_refused(tenant):
    with pytest.raises(ValueError, match="invalid tenant id"):
        validate_tenant_id(tenant)
