"""Fakes of the far side of the network, on loopback: shared by the tests and the benchmarks (bench/ imports
nothing from tests/)."""
