with

source as (

    select * from {{ source('control', 'pay_period_finalizations') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        run_id,

        ---------- dates
        period_start,
        finalized_at

    from source

)

select * from renamed
