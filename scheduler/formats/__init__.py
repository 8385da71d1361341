"""Readers and writers of the exchange format (shared/spec/FORMAT.md)."""
