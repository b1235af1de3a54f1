"""Tenants: restaurants, their staff memberships and settings."""
