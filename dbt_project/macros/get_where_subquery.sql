{#-
    A data test's `where` limited to the run's rows, so a test costs what
    the run's periods cost, not the history of an incremental mart:

        config:
          where: run_periods                        # by period_start
          where: run_periods:applied_period_start   # by another period column

    Any other `where` is dbt's own (a SQL condition).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and where.startswith('run_periods') -%}
        {%- set period_column = where.split(':')[1] if ':' in where else 'period_start' -%}
        {%- set filtered -%}
            (
                select * from {{ relation }} as run_rows
                where {{ in_selected_period(
                    'run_rows', period_column,
                    finalizations=control_relation('pay_period_finalizations')
                ) }}
            ) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
    {%- endif -%}
{%- endmacro %}
