with

source as (

    select * from {{ source('raw', 'ytd_opening') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        staff_id,

        ---------- numerics
        tax_year,
        gross_wages,
        social_security_wages,
        medicare_wages,
        futa_wages,
        sdi_wages

    from source

)

select * from renamed
