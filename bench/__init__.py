"""Benchmarks and synthetic data for needminer (generator in :mod:`bench.synth`)."""
