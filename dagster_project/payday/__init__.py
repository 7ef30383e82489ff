"""Payday outputs: earnings statements, the direct-deposit file, the journal, tax forms."""
