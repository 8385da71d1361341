"""Synthetic partnering instances for tests and benchmarks (`instances.generate_instance`)."""
