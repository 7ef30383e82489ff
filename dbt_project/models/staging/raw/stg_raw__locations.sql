with

source as (

    select * from {{ source('raw', 'locations') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        location_id,

        ---------- text
        name as location_name,
        timezone,
        jurisdiction,
        -- a jurisdiction of reference.minimum_wages, or null: the state's only
        locality

    from source

)

select * from renamed
