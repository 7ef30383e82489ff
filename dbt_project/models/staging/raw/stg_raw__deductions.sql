with

source as (

    select * from {{ source('raw', 'deductions') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        staff_id,

        ---------- text
        kind,

        ---------- numerics
        amount_per_period,

        ---------- dates
        effective_from,
        coalesce(effective_to, 'infinity'::date) as effective_to

    from source

)

select * from renamed
