"""Benchmarks of bloopfp, run with `python -m benchmarks` from the repository root."""
