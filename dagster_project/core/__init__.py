"""The domain basics every layer shares (``defs``, ``lib``, ``ingest``, the
command line). Imports nothing else of the project."""
