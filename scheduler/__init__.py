"""Partnering meeting scheduler: domain, solver, formats."""
