{#- The contract's empty-schema query, as dbt's default builds it, without its
    warning for a `numeric` column without precision and scale: that warning
    guards warehouses whose bare numeric rounds to an integer; PostgreSQL's
    unconstrained numeric is exact, and our hours and rates keep every digit
    until the marts round them where the contract says. -#}
{% macro postgres__get_empty_schema_sql(columns) %}
    {%- set col_err = [] -%}
    select
    {% for i in columns %}
      {%- set col = columns[i] -%}
      {%- if col['data_type'] is not defined -%}
        {%- do col_err.append(col['name']) -%}
      {%- endif -%}
      {% set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
      {{ cast('null', col['data_type']) }} as {{ col_name }}{{ ", " if not loop.last }}
    {%- endfor -%}
    {%- if (col_err | length) > 0 -%}
      {{ exceptions.column_type_missing(column_names=col_err) }}
    {%- endif -%}
{% endmacro %}
