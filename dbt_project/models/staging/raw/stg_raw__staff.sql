with

source as (

    select * from {{ source('raw', 'staff') }}

),

renamed as (

    select
        ---------- ids
        tenant_id,
        staff_id,
        home_location_id,

        ---------- text
        pay_type,
        filing_status,

        ---------- booleans
        flsa_exempt as is_flsa_exempt,
        pay_type = 'salaried' as is_salaried,
        w4_step2 as has_w4_step2,

        ---------- numerics
        annual_salary,
        w4_dependents,
        w4_other_income,
        w4_deductions,
        w4_extra_withholding,

        ---------- dates
        hired_on,
        terminated_on

    from source

)

select * from renamed
