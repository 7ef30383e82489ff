with

source as (

    select * from {{ source('raw', 'attendance_superseded') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        event_id,
        staff_id,
        file_sha256,

        ---------- text
        reason,
        source_file,

        ---------- numerics
        source_row,

        ---------- timestamps
        clock_in as clock_in_at,
        clock_out as clock_out_at,
        updated_at,
        superseded_at

    from source

)

select * from renamed
