-- Attendance checks timestamps inline (planner-visible, one pass); the
-- function of migration 0013 is no longer used.
drop function if exists raw.is_iso_timestamptz(text)
