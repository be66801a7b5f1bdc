"""Provider simulators and stack fixtures for tests and benchmarks."""
