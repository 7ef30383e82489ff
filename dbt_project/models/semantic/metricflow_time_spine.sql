with

days as (

    select series.day_at::date as date_day
    from
        generate_series('2000-01-01'::date, '2099-12-31'::date, interval '1 day')
            as series (day_at)

)

select * from days
