"""Channel attribution follows the channel table of the product brief, row by row."""

import pytest

from capture.domain.channels import classify_channel
from capture.domain.vocabulary import CHANNELS, CLICK_ID_PARAMS

SITE = "acme.nl"


@pytest.mark.parametrize(
    "click_id", ["gclid", "gbraid", "wbraid", "msclkid", "fbclid", "li_fat_id"]
)
def test_every_click_id_makes_the_submission_paid(click_id):
    assert classify_channel({}, {click_id: "Cj0KCQjw-abc123"}) == "paid"


def test_the_vocabulary_lists_exactly_the_click_ids_of_the_brief():
    assert set(CLICK_ID_PARAMS) == {"gclid", "gbraid", "wbraid", "msclkid", "fbclid", "li_fat_id"}


@pytest.mark.parametrize("click_id", CLICK_ID_PARAMS)
def test_an_empty_click_id_is_no_paid_marker(click_id):
    assert classify_channel({}, {click_id: ""}) == "direct"
    assert classify_channel({}, {click_id: None}) == "direct"
    assert classify_channel({}, {click_id: "   "}) == "direct"


@pytest.mark.parametrize(
    ("medium", "channel"),
    [
        ("cpc", "paid"),
        ("ppc", "paid"),
        ("paid", "paid"),
        ("paidsearch", "paid"),
        ("paid-social", "paid"),
        ("paid_social", "paid"),
        ("display", "paid"),
        ("cpm", "paid"),
        ("banner", "paid"),
        ("email", "email"),
        ("e-mail", "email"),
        ("newsletter", "email"),
        ("event", "event"),
        ("fair", "event"),
        ("tradeshow", "event"),
        ("beurs", "event"),
        ("qr", "event"),
        ("offline", "event"),
        ("print", "event"),
        ("social", "social"),
        ("referral", "referral"),
    ],
)
def test_utm_medium_names_the_channel(medium, channel):
    assert classify_channel({"utm_medium": medium}) == channel


@pytest.mark.parametrize(
    "source",
    ["linkedin", "facebook", "instagram", "x", "twitter", "youtube", "tiktok"],
)
def test_a_social_network_as_utm_source_is_social(source):
    assert classify_channel({"utm_source": source}) == "social"


@pytest.mark.parametrize(
    "source",
    ["linkedin.com", "www.linkedin.com", "facebook.com", "m.facebook.com", "t.co", "lnkd.in"],
)
def test_a_social_network_host_as_utm_source_is_social(source):
    assert classify_channel({"utm_source": source}) == "social"


@pytest.mark.parametrize(
    "referrer",
    [
        "https://www.linkedin.com/feed/",
        "https://linkedin.com/in/someone",
        "https://nl.linkedin.com/company/acme",
        "https://lnkd.in/eAbCdEf",
        "https://www.facebook.com/",
        "https://m.facebook.com/story.php?id=1",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Facme.nl",
        "https://www.instagram.com/acme/",
        "https://l.instagram.com/?u=x",
        "https://x.com/acme/status/1",
        "https://twitter.com/acme",
        "https://mobile.twitter.com/acme",
        "https://t.co/AbC123",
        "https://www.youtube.com/watch?v=abc",
        "https://m.youtube.com/watch?v=abc",
        "https://youtu.be/abc",
        "https://www.tiktok.com/@acme",
    ],
)
def test_a_referrer_on_a_social_network_is_social(referrer):
    assert classify_channel({}, referrer=referrer, own_hosts=[SITE]) == "social"


@pytest.mark.parametrize(
    "referrer",
    [
        "https://www.google.nl/",
        "https://google.nl/",
        "https://www.google.com/search?q=crm",
        "https://www.google.co.uk/",
        "https://www.google.com.au/",
        "https://www.bing.com/search?q=crm",
        "https://bing.com/",
        "https://duckduckgo.com/",
        "https://www.ecosia.org/search?q=crm",
        "https://ecosia.org/",
        "https://search.yahoo.com/search?p=crm",
        "https://nl.search.yahoo.com/",
    ],
)
def test_a_referrer_on_a_search_engine_is_search(referrer):
    assert classify_channel({}, referrer=referrer, own_hosts=[SITE]) == "search"


@pytest.mark.parametrize(
    "referrer",
    [
        "https://www.partner-site.nl/blog/tips",
        "https://branchevereniging.nl/leden",
        "http://example.com",
        # Look-alikes of social networks and search engines are just other sites.
        "https://notlinkedin.com/",
        "https://box.com/",
        "https://googlefans.nl/",
        "https://mygoogle.com/",
    ],
)
def test_any_other_external_referrer_is_a_referral(referrer):
    assert classify_channel({}, referrer=referrer, own_hosts=[SITE]) == "referral"


def test_no_campaign_data_and_no_referrer_is_direct():
    assert classify_channel({}) == "direct"
    assert classify_channel({}, {}, None, [SITE]) == "direct"
    assert classify_channel({"utm_source": None, "utm_medium": ""}, {"gclid": None}, "") == "direct"


@pytest.mark.parametrize(
    ("referrer", "own_hosts"),
    [
        ("https://acme.nl/producten", ["acme.nl"]),
        ("https://www.acme.nl/producten", ["acme.nl"]),
        ("https://acme.nl/producten", ["www.acme.nl"]),
        ("http://ACME.NL/", ["acme.nl"]),
        ("https://acme.nl:8443/", ["acme.nl"]),
        ("https://shop.acme-webshop.nl/cart", ["acme.nl", "shop.acme-webshop.nl"]),
    ],
)
def test_a_referrer_on_the_sites_own_host_is_direct(referrer, own_hosts):
    assert classify_channel({}, referrer=referrer, own_hosts=own_hosts) == "direct"


@pytest.mark.parametrize(
    ("utm", "click_ids"),
    [
        ({"utm_source": "linkedin"}, {"li_fat_id": "abc"}),
        ({"utm_source": "facebook"}, {"fbclid": "abc"}),
        ({"utm_source": "facebook", "utm_medium": "social"}, {"fbclid": "abc"}),
        ({"utm_medium": "email"}, {"gclid": "abc"}),
        ({"utm_medium": "event"}, {"msclkid": "abc"}),
        ({"utm_medium": "referral"}, {"wbraid": "abc"}),
    ],
)
def test_paid_click_id_beats_a_social_source_and_any_medium(utm, click_ids):
    assert classify_channel(utm, click_ids, "https://www.linkedin.com/", [SITE]) == "paid"


@pytest.mark.parametrize(
    ("source", "referrer"),
    [
        ("facebook", "https://m.facebook.com/"),
        ("linkedin", "https://www.linkedin.com/feed/"),
        ("google", "https://www.google.nl/"),
        ("newsletter", None),
    ],
)
def test_paid_utm_medium_beats_a_social_or_search_source(source, referrer):
    utm = {"utm_source": source, "utm_medium": "cpc"}
    assert classify_channel(utm, referrer=referrer, own_hosts=[SITE]) == "paid"


@pytest.mark.parametrize(
    ("utm", "referrer", "channel"),
    [
        ({"utm_medium": "email", "utm_source": "linkedin"}, None, "email"),
        ({"utm_medium": "event", "utm_source": "facebook"}, None, "event"),
        ({"utm_medium": "email"}, "https://www.google.nl/", "email"),
        ({"utm_medium": "referral"}, "https://www.google.nl/", "referral"),
        ({"utm_source": "linkedin"}, "https://www.google.nl/", "social"),
    ],
)
def test_what_the_campaign_says_beats_the_referrer(utm, referrer, channel):
    assert classify_channel(utm, referrer=referrer, own_hosts=[SITE]) == channel


@pytest.mark.parametrize(
    ("utm", "channel"),
    [
        ({"utm_medium": "CPC"}, "paid"),
        ({"utm_medium": "Paid_Social"}, "paid"),
        ({"utm_medium": "E-Mail"}, "email"),
        ({"utm_medium": " Newsletter "}, "email"),
        ({"utm_medium": "BEURS"}, "event"),
        ({"utm_medium": "Social"}, "social"),
        ({"utm_medium": "Referral"}, "referral"),
        ({"utm_source": "LinkedIn"}, "social"),
        ({"utm_source": "FACEBOOK"}, "social"),
        ({"utm_source": "TikTok"}, "social"),
    ],
)
def test_utm_values_are_compared_case_insensitively(utm, channel):
    assert classify_channel(utm) == channel


@pytest.mark.parametrize(
    ("referrer", "channel"),
    [
        ("HTTPS://WWW.LINKEDIN.COM/FEED", "social"),
        ("https://WWW.Google.NL/", "search"),
    ],
)
def test_referrer_hosts_are_compared_case_insensitively(referrer, channel):
    assert classify_channel({}, referrer=referrer, own_hosts=[SITE]) == channel


@pytest.mark.parametrize(
    "referrer",
    [
        "not a url",
        "http://[::1",
        "http://[invalid]/",
        "::::",
        "https://",
        "javascript:alert(1)",
        "\x00\x01",
        "http://exa mple.com",
        "//",
        "http://user@:80",
        "ftp://",
        "   ",
        "http://" + "a" * 5000 + ".com",
    ],
)
def test_a_garbage_referrer_does_not_crash_attribution(referrer):
    assert classify_channel({}, referrer=referrer, own_hosts=[SITE]) in CHANNELS
