"""Benchmarks: `python -m bench` prints round trips and wall times; nothing here is asserted."""
