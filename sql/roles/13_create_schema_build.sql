-- dbt builds the marts here; runs publish them into marts.
create schema if not exists build
