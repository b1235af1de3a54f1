"""Tills (cash drawers), their shifts, paid-in/out, and the X and Z reports of the day."""
