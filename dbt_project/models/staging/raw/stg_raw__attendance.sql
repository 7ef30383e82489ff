with

source as (

    select * from {{ source('raw', 'attendance') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        event_id,
        staff_id,
        location_id,

        ---------- text
        role,
        source_file,

        ---------- numerics
        source_row,
        break_minutes,
        cash_tips,
        card_tips,

        ---------- timestamps
        clock_in as clock_in_at,
        clock_out as clock_out_at,
        updated_at,
        loaded_at

    from source

)

select * from renamed
