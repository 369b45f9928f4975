"""Reading a Content-Security-Policy header in tests."""


def directive(policy: str, name: str) -> str | None:
    """The value of directive `name` in `policy` ("" when it has none), or None if absent."""
    for part in policy.split(";"):
        words = part.split(None, 1)
        if words and words[0] == name:
            return words[1].strip() if len(words) > 1 else ""
    return None
