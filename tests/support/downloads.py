"""The e-book download link: read from the thank-you page, or signed a day ago
(expired) with `DayOldSigner`."""

import time

from bs4 import BeautifulSoup
from itsdangerous import TimestampSigner


def download_link(response) -> str:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    link = soup.select_one("a[download]")
    return link["href"] if link else ""


class DayOldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 86400 - 60
