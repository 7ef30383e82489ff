{#- post-hook of the intermediate models: statistics for the tables a run
    builds, before the models downstream are planned. -#}
{% macro analyze_if_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
