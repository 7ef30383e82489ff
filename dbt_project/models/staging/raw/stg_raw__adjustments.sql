with

source as (

    select * from {{ source('raw', 'adjustments') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        adjustment_id,
        staff_id,

        ---------- text
        kind,

        ---------- booleans
        -- only non-discretionary bonuses enter the FLSA regular rate
        kind = 'bonus' as is_non_discretionary,

        ---------- numerics
        amount,

        ---------- dates
        work_date,

        ---------- timestamps
        loaded_at

    from source

)

select * from renamed
