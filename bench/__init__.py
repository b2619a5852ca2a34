"""Benchmarks: scripts run by hand, not tests. See README.md."""
