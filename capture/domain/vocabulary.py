"""The product's public vocabulary: lists, warmth, bands, sectors, kinds."""

LISTS = ("opportunity", "nurture", "disqualified")
WARMTHS = ("hot", "warm", "cold")
CHANNELS = ("paid", "email", "event", "social", "search", "referral", "direct", "manual")

# Ordered smallest first: the order is what "below the minimum" means.
HEADCOUNT_BANDS = ("1", "2-9", "10-49", "50-99", "100-249", "250-999", "1000+")

SECTORS = (
    "agriculture",
    "construction",
    "manufacturing",
    "energy",
    "wholesale",
    "retail",
    "logistics",
    "hospitality",
    "ict",
    "finance",
    "business-services",
    "healthcare",
    "education",
    "government",
    "nonprofit",
    "other",
)

FORM_KINDS = ("gate", "contact", "newsletter")
INTENTS = ("low", "medium", "high")
DEFAULT_INTENT = {"gate": "medium", "contact": "high", "newsletter": "low"}

# A form's own texts, written per language (Form.texts).
FORM_TEXTS = (
    "title",
    "intro",
    "button_label",
    "success_text",
    "booking_label",
    "consent_text",
    "marketing_text",
)
FORM_LANGUAGES = ("en", "nl")

OPTIONAL_QUESTIONS = ("phone", "role", "budget", "timeline", "need")

# Role answers; the last two are people who cannot buy.
ROLES = ("owner", "manager", "employee", "student", "job-seeker", "other")
NON_BUYER_ROLES = frozenset({"student", "job-seeker"})
BUDGETS = ("yes", "no", "unknown")
# Timeline answers; "now" and "3-months" are within three months.
TIMELINES = ("now", "3-months", "6-months", "later", "unknown")
NEAR_TIMELINES = frozenset({"now", "3-months"})

CLICK_ID_PARAMS = ("gclid", "gbraid", "wbraid", "msclkid", "fbclid", "li_fat_id")
UTM_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


# Size classes of a headcount band (the triage's and the assignment rules' words).
SIZE_CLASSES = ("small", "medium", "large")


def size_class(headcount: str | None) -> str | None:
    """Return `small` (< 50), `medium` (50-249) or `large` (250+) for a band."""
    if headcount not in HEADCOUNT_BANDS:
        return None
    index = HEADCOUNT_BANDS.index(headcount)
    if index <= HEADCOUNT_BANDS.index("10-49"):
        return "small"
    if index <= HEADCOUNT_BANDS.index("100-249"):
        return "medium"
    return "large"
