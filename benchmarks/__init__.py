"""Benchmarks: `make bench` prints figures (API calls, wall time, memory)."""
