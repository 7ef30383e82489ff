{#- Every row: `columns` are all null or all set (terms that only mean
    something together, like a tipped cash wage and its tip credit). -#}
{% test all_or_none_null(model, columns) %}
    select {{ columns | join(', ') }}
    from {{ model }}
    where ({{ columns | join(' is null)::int + (') }} is null)::int
        not in (0, {{ columns | length }})
{% endtest %}
