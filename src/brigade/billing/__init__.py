"""Billing: checks, the tax rule, payments."""
