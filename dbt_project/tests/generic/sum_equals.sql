{#- Every row: `column_name` = sum of `plus` − sum of `minus` (exactly). -#}
{% test sum_equals(model, column_name, plus, minus=[]) %}
    select *
    from {{ model }}
    where {{ column_name }} <> (
        {{ plus | join(' + ') }}
        {%- for column in minus %} - {{ column }}{% endfor %}
    )
{% endtest %}
