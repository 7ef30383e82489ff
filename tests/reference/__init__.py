"""A pure-Python reference calculator of CONTRACT §4 and §6, for differential tests."""
