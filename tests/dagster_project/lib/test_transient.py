import pytest

from dagster_project.lib.transient import is_transient_database_error


@pytest.mark.parametrize(
    "message",
    [
        "Database Error\n  server closed the connection unexpectedly",
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
        "FATAL: terminating connection due to administrator command",
        "ERROR: deadlock detected",
        "FATAL: the database system is starting up",
    ],
)
def test_lost_connections_and_deadlocks_are_retried(message):
    assert is_transient_database_error(message)


@pytest.mark.parametrize(
    "message",
    [
        "Failure in test sum_equals_fct_payroll_net_pay (models/marts/fct_payroll.yml)",
        "Database Error\n  division by zero",
        'column "gross_pay" does not exist',
        "invalid var tenant_id: x; drop",
    ],
)
def test_bad_data_and_failed_checks_are_not_retried(message):
    assert not is_transient_database_error(message)
