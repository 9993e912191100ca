"""Benchmarks for regarchive (loopback only): ``python -m benchmarks --help``."""
