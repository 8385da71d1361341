"""The platform around the solver: storage, import and export, the web app and its jobs.

This package root imports nothing, so that the command line can use the database without
Flask; the web app's factory lives in its own module.
"""
