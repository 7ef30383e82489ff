-- A finalized pay period's published rows never change, whoever asks: the
-- statement triggers of each pay-period mart (attached by the publish,
-- dagster_project/lib/publish.py) call this with the mart's period column
-- and refuse any insert, update, delete or truncate that touches a
-- finalized period. Statement triggers over the transition tables: one join
-- per statement, not one lookup per row of a period's delete. TRUNCATE has
-- no transition table: it is refused while any row of the table belongs to
-- a finalized period.
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
        when 'UPDATE' then array['old_rows', 'new_rows']
        else array[format('%I.%I', tg_table_schema, tg_table_name)]
    end loop
        execute format(
            'select r.tenant_id, r.%1$I as period_start'
            ' from %2$s as r'
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
