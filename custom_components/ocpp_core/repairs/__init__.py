"""Repair issues: what went wrong with a charger that the user should know about, raised and cleared from events."""
