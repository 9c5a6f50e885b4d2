"""Benchmarks of the knowledge graph at scale (never part of the test suite): `make bench`."""
