{#- Every combination of `columns` in the model exists in `to` (a compound
    relationships test). The model is read through a subquery, so that a
    `where` config (dbt's own, or `run_periods`) applies. -#}
{% test has_parent_combination(model, columns, to) %}
    select
        {% for column in columns -%}
        child.{{ column }}{{ ", " if not loop.last }}
        {%- endfor %}
    from (select * from {{ model }}) as child
    where not exists (
        select 1
        from {{ to }} as parent
        where
            {% for column in columns -%}
            parent.{{ column }} = child.{{ column }}
            {{- " and" if not loop.last }}
            {% endfor %}
    )
{% endtest %}
