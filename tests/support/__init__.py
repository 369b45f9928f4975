"""Helpers the tests share: a scripted visitor, test data, real local servers,
logins and the like. Fixtures stay in the conftest.py files; tests import
helpers from here, never from a conftest or from another test module."""
