"""Source-channel attribution: which channel brought a submission.

`classify_channel` implements the channel table of the product brief. Paid
markers win over everything; then what the campaign (`utm_medium`,
`utm_source`) says; then the referrer's host; otherwise `direct`.
"""

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

PAID_MEDIUMS = frozenset(
    {"cpc", "ppc", "paid", "paidsearch", "paid-social", "paid_social", "display", "cpm", "banner"}
)
EMAIL_MEDIUMS = frozenset({"email", "e-mail", "newsletter"})
EVENT_MEDIUMS = frozenset({"event", "fair", "tradeshow", "beurs", "qr", "offline", "print"})
SOCIAL_MEDIUMS = frozenset({"social", "social-media", "social_media", "sm"})
REFERRAL_MEDIUMS = frozenset({"referral"})
SEARCH_MEDIUMS = frozenset({"organic", "seo"})

# Registrable domains of social networks; a host matches itself or a subdomain.
SOCIAL_DOMAINS = frozenset(
    {
        "linkedin.com",
        "lnkd.in",
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "x.com",
        "twitter.com",
        "t.co",
        "youtube.com",
        "youtu.be",
        "tiktok.com",
        "pinterest.com",
        "reddit.com",
        "threads.net",
        "xing.com",
        "mastodon.social",
        "bsky.app",
        "whatsapp.com",
    }
)
# utm_source values people use for social networks.
SOCIAL_SOURCES = frozenset(
    {
        "linkedin",
        "facebook",
        "fb",
        "instagram",
        "ig",
        "x",
        "twitter",
        "youtube",
        "tiktok",
        "pinterest",
        "reddit",
        "threads",
        "xing",
        "mastodon",
        "bluesky",
        "whatsapp",
    }
)
SEARCH_ENGINES = (
    "google",
    "bing",
    "duckduckgo",
    "ecosia",
    "yahoo",
    "baidu",
    "yandex",
    "qwant",
    "startpage",
    "brave",
)
# A search engine on any (country) top-level domain, optionally behind a
# search subdomain: google.nl, google.co.uk, search.yahoo.com, search.brave.com.
# Other subdomains (mail.google.com, docs.google.com) are not search.
_SEARCH_HOST = re.compile(
    r"^(?:search\.|m\.|html\.|nl\.search\.)?("
    + "|".join(SEARCH_ENGINES)
    + r")\.(?:com?\.)?[a-z]{2,6}$"
)


def host_of(url: str | None) -> str:
    """Return the lower-case host of `url` without `www.`, or '' when none."""
    if not url:
        return ""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _domain_in(host: str, domains: Iterable[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def is_social_host(host: str) -> bool:
    return _domain_in(host, SOCIAL_DOMAINS)


def is_search_host(host: str) -> bool:
    return bool(_SEARCH_HOST.search(host))


def classify_channel(
    utm: Mapping[str, str | None],
    click_ids: Mapping[str, str | None] | None = None,
    referrer: str | None = None,
    own_hosts: Iterable[str] = (),
) -> str:
    """Return the channel for one submission's attribution data.

    `utm` maps `utm_source`/`utm_medium`/... to raw values; `click_ids` maps
    `gclid`, `fbclid`, ... to values; `referrer` is the page the visitor came
    from; a referrer whose host is in `own_hosts` (the site itself) is not
    external and counts as no referrer.
    """
    medium = (utm.get("utm_medium") or "").strip().lower()
    source = (utm.get("utm_source") or "").strip().lower()
    if any((value or "").strip() for value in (click_ids or {}).values()):
        return "paid"
    if medium in PAID_MEDIUMS:
        return "paid"
    if medium in EMAIL_MEDIUMS:
        return "email"
    if medium in EVENT_MEDIUMS:
        return "event"
    if medium in SOCIAL_MEDIUMS:
        return "social"
    if medium in REFERRAL_MEDIUMS:
        return "referral"

    source_host = host_of("//" + source) if "." in source else ""
    if source in SOCIAL_SOURCES or (source_host and is_social_host(source_host)):
        return "social"
    if source in SEARCH_ENGINES or (source_host and is_search_host(source_host)):
        return "search"

    ref_host = host_of(referrer)
    own = {host_of("//" + h) or h for h in own_hosts}
    external = bool(ref_host) and ref_host not in own
    if external and is_social_host(ref_host):
        return "social"
    if external and is_search_host(ref_host):
        return "search"
    if medium in SEARCH_MEDIUMS:
        return "search"
    if external:
        return "referral"
    # Campaign data without a known medium or referrer: someone tagged a link
    # we cannot place, which is closer to a referral than to typing the URL.
    if source or medium or (utm.get("utm_campaign") or "").strip():
        return "referral"
    return "direct"


def source_of(utm_source: str | None, referrer: str | None, own_hosts: Iterable[str] = ()) -> str:
    """Where within its channel a lead came from, for the insights' drill-down.

    The campaign's `utm_source` (lower case) when there is one, else the
    external referring site's host, else '' (typed in, or no data).
    """
    source = (utm_source or "").strip().lower()
    if source:
        return source[:200]
    host = host_of(referrer)
    own = {host_of("//" + h) or h for h in own_hosts}
    return host[:200] if host not in own else ""
