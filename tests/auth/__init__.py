"""Logging in and out: the per-account lock, sessions renewed."""
