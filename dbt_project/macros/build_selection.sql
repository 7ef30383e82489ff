{#-
    The pay periods a build computes: the rows of `control.pay_period_build`,
    written by the Dagster run under the warehouse writer lock just before
    dbt starts (dagster_project/lib/build_selection.py). With no row there,
    every open period is computed (a full rebuild).

    Read when a node is compiled (`execute`), never when the project is
    parsed: the project parses the same for every run, so dbt's partial
    parsing holds, and each model gets the periods as literals — the planner
    sees the range's real row counts.
-#}

{#- {tenant_id: [period_start, …]} of the selected open periods; none for a
    full rebuild (nothing selected). Finalized periods are never rebuilt. -#}
{% macro build_selection() -%}
    {%- set selection = control_relation('pay_period_build') -%}
    {%- set finalizations = control_relation('pay_period_finalizations') -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select b.tenant_id, b.period_start::text, exists ("
        ~ " select 1 from " ~ finalizations ~ " as f"
        ~ " where f.tenant_id = b.tenant_id and f.period_start = b.period_start)"
        ~ " from " ~ selection ~ " as b order by 1, 2"
    ) -%}
    {%- if rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set periods = {} -%}
    {%- for tenant_id, period_start, is_finalized in rows -%}
        {%- if not is_finalized -%}
            {%- do periods.setdefault(tenant_id, []).append(period_start) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(periods) }}
{%- endmacro %}

{#- The Dagster run the build belongs to, stamped on every pay row (null
    for a build outside Dagster). -#}
{% macro build_run_id() -%}
    {%- set selection = control_relation('pay_period_build') -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query("select min(run_id) from " ~ selection) -%}
    {{ return(rows[0][0]) }}
{%- endmacro %}

{#- A table of schema `control` read when a node compiles, by name rather
    than source(): the run's parameters are not a model input (a unit test
    need not mock them). -#}
{% macro control_relation(name) -%}
    {{ return(api.Relation.create(database=target.database, schema='control', identifier=name)) }}
{%- endmacro %}

{% macro build_run_id_column() -%}
    {%- set run_id = build_run_id() -%}
    {%- if run_id is none -%}
        null::text
    {%- else -%}
        {{ sql_literal(run_id) }}::text
    {%- endif -%}
{%- endmacro %}

{% macro sql_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- A predicate on a relation with tenant_id and a period column: the
    selected open periods, as literals (tenant = … and period in (…)); with
    none selected, every period not finalized. `finalizations`: where the
    finalized periods are read then — a model's ref, captured when the
    project is parsed; a data test (get_where_subquery) reads the control
    table by name, as build_selection does, since a test's dependencies are
    only its models'. -#}
{% macro in_selected_period(relation_alias, period_column='period_start', finalizations=none) -%}
    {%- set periods = build_selection() -%}
    {%- set period = relation_alias ~ '.' ~ period_column -%}
    {%- if periods is none -%}
        not exists (
            select 1
            from {{ finalizations or ref('stg_control__pay_period_finalizations') }} as finalized
            where finalized.tenant_id = {{ relation_alias }}.tenant_id
                and finalized.period_start = {{ period }}
        )
    {%- elif periods | length == 0 -%}
        false
    {%- else -%}
        (
        {%- for tenant_id, starts in periods.items() %}
            {% if not loop.first %}or {% endif -%}
            ({{ relation_alias }}.tenant_id = {{ sql_literal(tenant_id) }}
            and {{ period }} in (
                {%- for start in starts -%}
                    {{ sql_literal(start) }}::date{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            ))
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- A predicate: the tenant is one this build computes. -#}
{% macro in_selected_tenant(relation_alias) -%}
    {%- set periods = build_selection() -%}
    {%- if periods is none -%}
        true
    {%- elif periods | length == 0 -%}
        false
    {%- else -%}
        {{ relation_alias }}.tenant_id in (
            {%- for tenant_id in periods -%}
                {{ sql_literal(tenant_id) }}{% if not loop.last %}, {% endif %}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{#- A predicate on a relation with tenant_id and period_start columns: the
    periods this build computes (`int_pay_periods_computed`): the selected
    open periods and the finalized ones recomputed for adjustment lines. -#}
{% macro in_computed_period(relation_alias) -%}
        exists (
            select 1
            from {{ ref('int_pay_periods_computed') }} as computed
            where computed.tenant_id = {{ relation_alias }}.tenant_id
                and computed.period_start = {{ relation_alias }}.period_start
        )
{%- endmacro %}

{#- [(tenant_id, from, to)] clock-in windows, UTC, of the attendance that
    can touch the periods computed, per tenant: from the first period's
    `attendance_from` to the last one's `attendance_to` (dim_pay_periods). -#}
{% macro attendance_windows() -%}
    {%- set computed = ref('int_pay_periods_computed') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select tenant_id,"
        ~ " min(attendance_from)::text, max(attendance_to)::text"
        ~ " from " ~ computed ~ " group by tenant_id order by tenant_id"
    ) -%}
    {{ return(rows | list) }}
{%- endmacro %}

{#- `lookback`: an interval the window also reaches back (the events an
    event of the window can overlap). -#}
{% macro in_selected_attendance_window(relation_alias, lookback=none) -%}
    {%- set windows = attendance_windows() -%}
    {%- if build_selection() is none -%}
        true
    {%- elif windows | length == 0 -%}
        false
    {%- else -%}
        (
        {%- for tenant_id, from_at, to_at in windows %}
            {% if not loop.first %}or {% endif -%}
            ({{ relation_alias }}.tenant_id = {{ sql_literal(tenant_id) }}
            and {{ relation_alias }}.clock_in_at >= {{ sql_literal(from_at) }}::timestamptz
            {%- if lookback %} - interval {{ sql_literal(lookback) }}{% endif %}
            and {{ relation_alias }}.clock_in_at < {{ sql_literal(to_at) }}::timestamptz)
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of the period marts: a rerun replaces exactly its periods. -#}
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
    corrected event whose clock_in moved into the window) and its tenants'
    rows refused at ingest. -#}
{% macro delete_selected_exception_rows() -%}
    {%- if is_incremental() and build_selection() is not none -%}
        delete from {{ this }} as t
        where {{ in_selected_tenant('t') }}
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
