"""The words the pages show for the stored vocabulary: lists, warmth, channels,
outcomes and intents, in the reader's language.

The values themselves stay as they are (URLs, the CSV, the API and the
database use them); in English a word is the value itself, so the English
pages read as before.
"""

from flask_babel import lazy_gettext as _l

# In running text: "Moved to nurture.", "warm · 5 days".
LIST_WORDS = {
    "opportunity": _l("opportunity"),
    "nurture": _l("nurture"),
    "disqualified": _l("disqualified"),
}
# As a name on its own: a tab, a column, a legend, an option.
LIST_NAMES = {
    "opportunity": _l("Opportunity"),
    "nurture": _l("Nurture"),
    "disqualified": _l("Disqualified"),
}
WARMTH_WORDS = {"hot": _l("hot"), "warm": _l("warm"), "cold": _l("cold")}
CHANNEL_WORDS = {
    "paid": _l("paid"),
    "email": _l("email"),
    "event": _l("event"),
    "social": _l("social"),
    "search": _l("search"),
    "referral": _l("referral"),
    "direct": _l("direct"),
    "manual": _l("manual"),
}
# A size class (capture/domain/vocabulary.py) as a name on its own, and in
# running text ("large firms, sector healthcare").
SIZE_LABELS = {
    "small": _l("Small (1-49)"),
    "medium": _l("Medium (50-249)"),
    "large": _l("Large (250+)"),
}
SIZE_WORDS = {
    "small": _l("small firms"),
    "medium": _l("medium-sized firms"),
    "large": _l("large firms"),
}
OUTCOME_WORDS = {"won": _l("won"), "lost": _l("lost")}
INTENT_WORDS = {"low": _l("low intent"), "medium": _l("medium intent"), "high": _l("high intent")}


def word_for(value: str | None, words: dict) -> str:
    """The shown word for `value`; a value without one (or None) is shown as it is."""
    if value is None:
        return ""
    return str(words[value]) if value in words else value
