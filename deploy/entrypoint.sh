#!/bin/sh
# Every payroll container starts here: the settings are validated first
# (PAYROLL_ENVIRONMENT=production refuses the embedded database, URLs without
# TLS, weak passwords, a UI without its authenticating proxy, and — checked against the
# database — a superuser or BYPASSRLS role), then the command runs.
set -eu

if [ "${1:-}" = "dagster-webserver" ] && [ "${PAYROLL_WEBSERVER_READ_ONLY:-false}" = "true" ]; then
    shift
    set -- dagster-webserver --read-only "$@"
fi

python -m dagster_project.settings --database
exec "$@"
