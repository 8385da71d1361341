"""The independent validator (`check`): judges a schedule against its instance from the raw
JSON, sharing no code with the solver or the readers, so neither can hide its own bug."""
