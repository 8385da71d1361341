"""The JSON API (/api/v1) for integrations: `setup.py` binds it to the app, `views.py` is its
blueprint; docs/api.md is the guide."""
