{#-
    The hourly rate in effect for a staff member in a role on a work date:
    a staff-specific rate beats the role's default for the tenant.
-#}
{% macro effective_hourly_rate(tenant_id, staff_id, role, work_date) -%}
    (
        select rates.hourly_rate
        from {{ ref('stg_raw__pay_rates') }} as rates
        where rates.tenant_id = {{ tenant_id }}
            and rates.role = {{ role }}
            and (rates.staff_id = {{ staff_id }} or rates.staff_id is null)
            and {{ work_date }} between rates.effective_from and rates.effective_to
        order by rates.is_role_default, rates.effective_from desc
        limit 1
    )
{%- endmacro %}
