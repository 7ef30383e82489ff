-- 244 random bits from the server's strong random source (gen_random_uuid).
insert into security.staff_key_secret (secret)
values (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
on conflict (singleton) do nothing
