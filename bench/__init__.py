"""`make bench`: the pipeline measured against the SQL floor, the naive
row-by-row baseline and a raw COPY, on seeded data of any size."""
