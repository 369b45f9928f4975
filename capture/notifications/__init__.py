"""Notifications: outbox rows written with the change (outbox.py), sent by
the worker (delivery.py)."""
