"""Payday: paying the computed net pay out (the NACHA direct-deposit file)."""
