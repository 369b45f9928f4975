"""Who a person is: their e-mail address, case-folded."""

# The length of the columns that hold it (leads, login failures).
EMAIL_KEY_LENGTH = 320


def email_key(email: str) -> str:
    """The identity of a person (a lead, a login): the address as typed,
    trimmed and case-folded; at most EMAIL_KEY_LENGTH characters, since
    case-folding can make an address longer (ß → ss)."""
    return email.strip().casefold()[:EMAIL_KEY_LENGTH]
