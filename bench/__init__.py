"""Benchmarks run by `make bench`; figures recorded in docs/benchmarks.md."""
