with

source as (

    select * from {{ source('raw', 'gl_accounts') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,

        ---------- text
        line,
        account

    from source

)

select * from renamed
