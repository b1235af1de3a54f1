"""Benchmarks and the replay client (never part of the test run)."""
