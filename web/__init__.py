"""The organiser's side: storage, import and export (and later the web app) around the solver.

This package root imports nothing, so that the command line can use the database without
Flask; the web app's factory lives in its own module.
"""
