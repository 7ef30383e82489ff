#!/bin/sh
# First start of the bundled PostgreSQL only: the pipeline's login (owns the
# warehouse, may create the group and tenant roles of sql/roles/, is neither
# superuser nor BYPASSRLS) and Dagster's login (owns Dagster's storage only).
set -eu
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
    -v warehouse_password="$WAREHOUSE_DB_PASSWORD" \
    -v dagster_password="$DAGSTER_PG_PASSWORD" <<'SQL'
create role payroll_app login createrole nosuperuser nobypassrls password :'warehouse_password';
create role dagster login nosuperuser nobypassrls password :'dagster_password';
create database payroll owner payroll_app;
create database dagster owner dagster;
revoke connect on database payroll from public;
revoke connect on database dagster from public;
SQL
