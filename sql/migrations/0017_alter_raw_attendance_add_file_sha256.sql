-- Which delivered file (by content) the current version of an event came
-- from: with raw.attendance_superseded and raw.rejected_rows, every received
-- attendance row is accounted for exactly once by (file_sha256, source_row).
alter table raw.attendance add column file_sha256 text
