{#- Custom schemas are used verbatim: staging, intermediate, build, reference.
    With `--vars '{published_marts: true}'` the marts resolve to `marts`, where
    the run publishes them (dagster_project/lib/publish.py), instead of
    `build`: the docs site and MetricFlow describe and query what analysts
    read. The pipeline's own parse never sets it. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'build' and var('published_marts', false) -%}
        marts
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
