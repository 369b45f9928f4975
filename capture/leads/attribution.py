"""Where a submission came from: read on the form page, carried in hidden fields."""

from collections.abc import Mapping

from ..domain.channels import classify_channel, host_of, source_of
from ..domain.vocabulary import CHANNELS, CLICK_ID_PARAMS, UTM_PARAMS

URL_FIELDS = ("referrer", "landing_page", "page_url")
# `channel` is a fixed channel set by the embed (`data-channel`), e.g. a fair's tablet.
FIELDS = UTM_PARAMS + CLICK_ID_PARAMS + URL_FIELDS + ("channel",)
_MAX = {
    **{name: 200 for name in UTM_PARAMS + CLICK_ID_PARAMS},
    **{name: 2000 for name in URL_FIELDS},
    "channel": 20,
}
FIXED_CHANNELS = frozenset(CHANNELS) - {"manual"}


def _clean(name: str, value) -> str | None:
    if not isinstance(value, str):
        return None
    value = "".join(ch for ch in value if ch.isprintable()).strip()
    return value[: _MAX[name]] or None


def attribution_from_values(values: Mapping) -> dict:
    """Return the known attribution fields of `values`, cleaned and clipped."""
    cleaned = {name: _clean(name, values.get(name)) for name in FIELDS}
    return {name: value for name, value in cleaned.items() if value}


def attribution_for_page(args: Mapping, referrer_header: str | None, url: str) -> dict:
    """Attribution for a form being shown.

    The embed passes the host page's values in the query string; a visitor
    on the hosted page brings them in the URL and the `Referer` header.
    """
    values = dict(args.items())
    if "page_url" not in values:
        # Hosted page: the visitor's browser says where they came from. In the
        # embed, the Referer is the host page itself; the loader sends the real one.
        values.setdefault("referrer", referrer_header)
    values.setdefault("landing_page", url)
    values.setdefault("page_url", url)
    return attribution_from_values(values)


def _own_hosts(attribution: Mapping, leadgate_host: str) -> set[str]:
    return {leadgate_host, host_of(attribution.get("page_url"))} - {""}


def source_for(attribution: Mapping, leadgate_host: str) -> str:
    """The submission's source (campaign source or referring site), see `source_of`."""
    own_hosts = _own_hosts(attribution, leadgate_host)
    return source_of(attribution.get("utm_source"), attribution.get("referrer"), own_hosts)


def channel_for(attribution: Mapping, leadgate_host: str) -> str:
    """Classify a submission; the page the form sat on and Leadgate are not referrers.

    A fixed channel from the embed wins: the site owner said where this form is.
    """
    if attribution.get("channel") in FIXED_CHANNELS:
        return attribution["channel"]
    own_hosts = _own_hosts(attribution, leadgate_host)
    return classify_channel(
        utm={name: attribution.get(name) for name in UTM_PARAMS},
        click_ids={name: attribution.get(name) for name in CLICK_ID_PARAMS},
        referrer=attribution.get("referrer"),
        own_hosts=own_hosts,
    )
