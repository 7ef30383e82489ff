"""The exposures say what reads the published marts, in step with the code
that reads them (the install-time manifest, no database)."""

import json

from dagster_project.lib.mart_catalog import MANIFEST, published_marts
from dagster_project.lib.roles import PSEUDONYMISED_VIEWS

PAYDAY_OUTPUTS = {"earnings_statements", "nacha_file", "gl_journal", "tax_forms"}


def _manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _models_read(exposure: dict) -> set[str]:
    return {
        unique_id.removeprefix("model.payroll.")
        for unique_id in exposure["depends_on"]["nodes"]
        if unique_id.startswith("model.")
    }


def _exposures() -> dict[str, dict]:
    return {exposure["name"]: exposure for exposure in _manifest()["exposures"].values()}


def test_the_analysts_exposure_is_what_the_analyst_role_reads():
    """The marts under the pseudonymised views and those declared
    analyst_readable: a view or a readable mart added in code, not here, fails."""
    readable = {mart.name for mart in published_marts() if mart.analyst_readable}
    under_views = {view.source for view in PSEUDONYMISED_VIEWS}
    assert _models_read(_exposures()["analyst_access"]) == readable | under_views


def test_the_register_and_the_run_audit_read_the_pay_register():
    exposures = _exposures()
    assert {"fct_payroll", "fct_attendance_exceptions"} <= _models_read(exposures["pay_register"])
    assert {"fct_payroll", "dim_pay_periods"} <= _models_read(exposures["run_audit"])


def test_the_payday_outputs_read_their_marts():
    exposures = _exposures()
    assert set(exposures) >= PAYDAY_OUTPUTS
    assert _models_read(exposures["earnings_statements"]) == {"fct_pay_stub_lines", "fct_payroll"}
    assert _models_read(exposures["nacha_file"]) == {"fct_payroll"}
    assert _models_read(exposures["gl_journal"]) == {"fct_gl_journal"}
    assert _models_read(exposures["tax_forms"]) == {"rpt_form_941", "rpt_form_940", "rpt_w2"}
    assert all(exposures[name]["maturity"] == "medium" for name in PAYDAY_OUTPUTS)


def test_every_published_mart_has_a_reader():
    read = set().union(*(_models_read(exposure) for exposure in _exposures().values()))
    assert {mart.name for mart in published_marts()} - read == set()
