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
        source_file,

        ---------- booleans
        staff_id = '' as is_role_default,
        -- a tipped cash wage: the employer takes the tip credit for its hours
        tip_credit as is_tip_credit_rate,

        ---------- numerics
        source_row,
        hourly_rate,

        ---------- dates
        effective_from,
        coalesce(effective_to, 'infinity'::date) as effective_to

    from source

)

select * from renamed
