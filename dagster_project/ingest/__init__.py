"""CSV ingest: validated rows into the ``raw`` landing tables."""
