with

source as (

    select * from {{ source('raw', 'tenants') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,

        ---------- text
        name as tenant_name,
        pay_frequency,
        workweek_start,

        ---------- numerics
        pay_date_lag_days,
        case pay_frequency
            when 'weekly' then 52
            when 'biweekly' then 26
            when 'semimonthly' then 24
            when 'monthly' then 12
        end as periods_per_year,
        -- extract(dow): 0 = sunday … 6 = saturday
        array_position(
            array[
                'sunday', 'monday', 'tuesday', 'wednesday',
                'thursday', 'friday', 'saturday'
            ],
            workweek_start
        ) - 1 as workweek_start_dow,

        ---------- dates
        period_anchor

    from source

)

select * from renamed
