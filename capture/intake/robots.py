"""Requests no person made: link previews, crawlers and link checkers. They
see the pages like anyone, but count as no view and open no booking link."""

import re

from flask import request

# Link previews and crawlers fetch pages no person sees.
_ROBOT = re.compile(r"bot|crawl|spider|slurp|preview|facebookexternalhit|headless", re.I)


def opened_by_a_person() -> bool:
    """A GET from a browser: not a HEAD (a link checker), not a known robot."""
    return request.method == "GET" and not _ROBOT.search(request.user_agent.string or "")
