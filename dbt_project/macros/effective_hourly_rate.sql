{#-
    The hourly rate in effect for a staff member in a role on a work date:
    a staff-specific rate beats the role's default for the tenant; among
    rates of the same kind in effect that day, the latest effective_from.

    Set-based: two left joins on equal keys (the staff member's own rates,
    the role's defaults), named `own_rate_<as>` and `default_rate_<as>`, and
    a DISTINCT ON the caller's row key ordered by `rate_precedence(<as>)`:
    the first row holds the latest of each kind, and `rate_in_effect(<as>)`
    is the own rate if any, else the default. A lookup per row cost 14 s of
    a year at 1 M shifts.
-#}
{% macro join_rates_in_effect(row_alias, work_date, as) -%}
    left join {{ ref('stg_raw__pay_rates') }} as own_rate_{{ as }}
        on {{ row_alias }}.tenant_id = own_rate_{{ as }}.tenant_id
        and {{ row_alias }}.staff_id = own_rate_{{ as }}.staff_id
        and {{ row_alias }}.role = own_rate_{{ as }}.role
        and {{ work_date }}
        between own_rate_{{ as }}.effective_from and own_rate_{{ as }}.effective_to
    left join {{ ref('stg_raw__pay_rates') }} as default_rate_{{ as }}
        on {{ row_alias }}.tenant_id = default_rate_{{ as }}.tenant_id
        and {{ row_alias }}.role = default_rate_{{ as }}.role
        and default_rate_{{ as }}.is_role_default
        and {{ work_date }}
        between default_rate_{{ as }}.effective_from and default_rate_{{ as }}.effective_to
{%- endmacro %}

{% macro rate_precedence(as) -%}
    own_rate_{{ as }}.effective_from desc nulls last,
    default_rate_{{ as }}.effective_from desc nulls last
{%- endmacro %}

{% macro rate_in_effect(as) -%}
    coalesce(own_rate_{{ as }}.hourly_rate, default_rate_{{ as }}.hourly_rate)
{%- endmacro %}

{#- True when the rate that pays the row's shift on that date is a tipped
    cash wage (`is_tip_credit_rate`), by the same precedence. A salaried
    staff member's shifts are paid by no rate: only a rate naming them
    counts, never the role's default. -#}
{% macro rate_takes_tip_credit(row_alias, as) -%}
    coalesce(
        own_rate_{{ as }}.is_tip_credit_rate,
        default_rate_{{ as }}.is_tip_credit_rate and not {{ row_alias }}.is_salaried,
        false
    )
{%- endmacro %}
