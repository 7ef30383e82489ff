-- A finalized pay period's published rows never change, whoever asks: the
-- statement triggers of each pay-period mart (attached by the publish,
-- dagster_project/lib/publish.py) call this with the mart's period column
-- and refuse any insert, update or delete that touches a finalized period.
-- Statement triggers over the transition tables: one join per statement,
-- not one lookup per row of a period's delete.
create or replace function security.refuse_finalized_period_rows()
returns trigger
language plpgsql
as $$
declare
    period_column text := tg_argv[0];
    changed text;
    hit record;
begin
    foreach changed in array case tg_op
        when 'INSERT' then array['new_rows']
        when 'DELETE' then array['old_rows']
        else array['old_rows', 'new_rows']
    end loop
        execute format(
            'select r.tenant_id, r.%1$I as period_start'
            ' from %2$I as r'
            ' inner join control.pay_period_finalizations as f'
            '   on f.tenant_id = r.tenant_id and f.period_start = r.%1$I'
            ' limit 1',
            period_column,
            changed
        ) into hit;
        if hit.tenant_id is not null then
            raise exception 'pay period % % is finalized: its rows of %.% never change',
                hit.tenant_id, hit.period_start, tg_table_schema, tg_table_name
                using errcode = 'integrity_constraint_violation',
                hint = 'a correction is paid in the next open period (payroll run)';
        end if;
    end loop;
    return null;
end
$$;

-- TRUNCATE has no transition table: refused while any row of the table
-- belongs to a finalized period.
create or replace function security.refuse_truncating_finalized_periods()
returns trigger
language plpgsql
as $$
declare
    period_column text := tg_argv[0];
    hit record;
begin
    execute format(
        'select r.tenant_id, r.%1$I as period_start'
        ' from %2$I.%3$I as r'
        ' inner join control.pay_period_finalizations as f'
        '   on f.tenant_id = r.tenant_id and f.period_start = r.%1$I'
        ' limit 1',
        period_column,
        tg_table_schema,
        tg_table_name
    ) into hit;
    if hit.tenant_id is not null then
        raise exception 'pay period % % is finalized: %.% cannot be truncated',
            hit.tenant_id, hit.period_start, tg_table_schema, tg_table_name
            using errcode = 'integrity_constraint_violation';
    end if;
    return null;
end
$$;
