with

source as (

    select * from {{ source('raw', 'pay_rates') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        -- landing stores a role default as '' (part of the primary key)
        nullif(staff_id, '') as staff_id,

        ---------- text
        role,

        ---------- booleans
        staff_id = '' as is_role_default,

        ---------- numerics
        hourly_rate,

        ---------- dates
        effective_from,
        coalesce(effective_to, 'infinity'::date) as effective_to

    from source

)

select * from renamed
