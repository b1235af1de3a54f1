"""The audit trail: who did what, when, from which address, before and after."""
