{#-
    The pay period a run computes, from the vars `tenant_id` and
    `period_start`. Both are checked against strict patterns before they
    reach SQL; without them, models compute every tenant and period.
-#}
{% macro selected_tenant_id() -%}
    {%- set value = var('tenant_id', none) -%}
    {%- if value is not none
        and not modules.re.fullmatch('[A-Za-z0-9][A-Za-z0-9_.-]{0,63}', value | string) -%}
        {{ exceptions.raise_compiler_error("invalid var tenant_id: " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro selected_period_start() -%}
    {%- set value = var('period_start', none) -%}
    {%- if value is not none
        and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
        {{ exceptions.raise_compiler_error("invalid var period_start: " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- The Dagster run that publishes the rows (null outside Dagster). -#}
{% macro selected_run_id() -%}
    {%- set value = var('run_id', none) -%}
    {%- if value is not none
        and not modules.re.fullmatch('[A-Za-z0-9_-]{1,64}', value | string) -%}
        {{ exceptions.raise_compiler_error("invalid var run_id: " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro is_single_period() -%}
    {%- set tenant_id = selected_tenant_id() -%}
    {%- set period_start = selected_period_start() -%}
    {%- if (tenant_id is none) != (period_start is none) -%}
        {{ exceptions.raise_compiler_error(
            "pass both vars tenant_id and period_start, or neither") }}
    {%- endif -%}
    {{ return(tenant_id is not none) }}
{%- endmacro %}

{#- A predicate on a relation with tenant_id and period_start columns: the
    selected period(s), never a finalized one (its rows are never rebuilt). -#}
{% macro in_selected_period(relation_alias, period_column='period_start') -%}
    {%- set period = relation_alias ~ '.' ~ period_column -%}
    {%- if is_single_period() -%}
        {{ relation_alias }}.tenant_id = '{{ selected_tenant_id() }}'
        and {{ period }} = '{{ selected_period_start() }}'::date
        -- uncorrelated: checked once, and the planner's row estimates stay
        -- those of the period (an anti-join with the finalizations, estimated
        -- at one row, turned a join of 93 k shift parts into a nested loop)
        and not exists (
            select 1
            from {{ source('control', 'pay_period_finalizations') }} as finalized
            where finalized.tenant_id = '{{ selected_tenant_id() }}'
                and finalized.period_start = '{{ selected_period_start() }}'::date
        )
    {%- else -%}
        not exists (
            select 1
            from {{ source('control', 'pay_period_finalizations') }} as finalized
            where finalized.tenant_id = {{ relation_alias }}.tenant_id
                and finalized.period_start = {{ period }}
        )
    {%- endif %}
{%- endmacro %}

{#- A predicate on a relation with tenant_id and period_start columns: the
    periods this build computes (`int_pay_periods_computed`): the selected
    open period(s) and the finalized ones recomputed for adjustment lines. -#}
{% macro in_computed_period(relation_alias) -%}
        exists (
            select 1
            from {{ ref('int_pay_periods_computed') }} as computed
            where computed.tenant_id = {{ relation_alias }}.tenant_id
                and computed.period_start = {{ relation_alias }}.period_start
        )
{%- endmacro %}

{#- Attendance that can touch the periods computed: their workweeks reach
    back six days before a period, and local dates differ from UTC by < 1 day.
    In UTC, whatever the session's time zone: the attendance conservation
    check (dagster_project/lib/conservation.py) counts the same window. -#}
{% macro in_selected_attendance_window(relation_alias) -%}
    {%- set computed = ref('int_pay_periods_computed') -%}
    {%- if is_single_period() -%}
        {{ relation_alias }}.tenant_id = '{{ selected_tenant_id() }}'
        and {{ relation_alias }}.clock_in_at >= (
            select (min(c.period_start) - 8)::timestamp at time zone 'UTC'
            from {{ computed }} as c
        )
        and {{ relation_alias }}.clock_in_at < (
            select (max(c.period_end) + 2)::timestamp at time zone 'UTC'
            from {{ computed }} as c
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of the period marts: a rerun replaces exactly its period. -#}
{% macro delete_selected_period_rows(period_column='period_start') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as t
        where {{ in_selected_period('t', period_column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of fct_attendance_exceptions: a run replaces the exceptions of
    the attendance it classifies (by clock_in, and by event_id for a
    corrected event whose clock_in moved into the window) and the tenant's
    rows refused at ingest. -#}
{% macro delete_selected_exception_rows() -%}
    {%- if is_incremental() and is_single_period() -%}
        delete from {{ this }} as t
        where t.tenant_id = '{{ selected_tenant_id() }}'
            and (
                t.reason_code = 'malformed_value'
                or {{ in_selected_attendance_window('t') }}
                or t.event_id in (
                    select a.event_id
                    from {{ ref('stg_raw__attendance') }} as a
                    where {{ in_selected_attendance_window('a') }}
                )
            )
    {%- elif is_incremental() -%}
        delete from {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
