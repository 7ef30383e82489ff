with

source as (

    select * from {{ source('raw', 'rejected_rows') }}

),

renamed as (

    select
        ---------- ids
        file_sha256,
        tenant_id,
        record_id,
        staff_id,

        ---------- text
        source_file,
        file_kind,
        field,
        reason,

        ---------- numerics
        source_row,

        ---------- timestamps
        rejected_at

    from source

)

select * from renamed
