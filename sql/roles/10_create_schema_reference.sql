-- dbt's schemas exist before dbt runs, so their grants and default
-- privileges are in place for the first model it builds.
create schema if not exists reference
