"""The lead process as pure functions: attribution, warmth, scoring, routing.

Nothing in this package imports Flask or the database; views call it with
plain values and persist what it returns.
"""
