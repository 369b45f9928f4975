"""Objects an app keeps for its process: caches and tallies."""

from flask import Flask


def app_store(app: Flask, name: str, make):
    """The object `app` keeps under `name` for its process, made by `make()`
    on first use (a cache, a tally: never shared between apps)."""
    kept = app.extensions.get(name)
    if kept is None:
        kept = app.extensions.setdefault(name, make())
    return kept
