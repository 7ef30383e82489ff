"""A pure-Python reference calculator of CONTRACT §4, for differential tests."""
