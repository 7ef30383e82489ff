"""PostgreSQL advisory lock ids, one per kind of writer, kept together so no
two writers share an id."""

MIGRATIONS_LOCK = 7_264_001  # pg_advisory_xact_lock: one migrator at a time
WAREHOUSE_WRITER_LOCK = 7_264_002  # pg_advisory_lock: one pay-period build at a time
PUBLISH_LOCK = 7_264_003  # pg_advisory_xact_lock: one publisher at a time
MART_SECURITY_LOCK = 7_264_009  # pg_advisory_xact_lock: one marts securer at a time
