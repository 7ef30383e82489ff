with

source as (

    select * from {{ source('control', 'pay_calendar') }}

),

renamed as (

    select
        ---------- ids
        building_run_id,
        published_run_id,

        ---------- text
        building_fingerprint,
        inputs_fingerprint,

        ---------- timestamps
        as_of,
        published_at

    from source

)

select * from renamed
