-- CONTRACT §6: the city or county whose own minimum wage applies at the
-- location (a jurisdiction of reference.minimum_wages, e.g. nyc); null = the
-- state's only. Optional in locations.csv: a file without the column loads
-- null, as every optional column takes its default.
alter table raw.locations add column locality text
