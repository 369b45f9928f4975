"""Geometry for the insights charts: counts in, positioned bars and words out.

`templates/insights/_charts.html` draws a `Chart` as inline SVG; nothing here
knows about the database or markup. The words are in the page's language
(English outside a request). Lengths are SVG user units.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..web.labels import LIST_NAMES, LIST_WORDS

WIDTH = 640
LABEL_END = 160  # row labels are right-aligned against this x
BAR_X = LABEL_END + 8
CHANNEL_SPAN = 360  # the longest channel bar; the rest of the width holds "12,345 leads"
FUNNEL_SPAN = 280  # the longest funnel bar; the rest holds "12,345 · 125% of previous"
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LEGEND_HEIGHT = 24
MARGIN = 8
MIN_SEGMENT = 1.0
LABEL_CHARS = 22  # what fits left of the bars at font-size 12
SEGMENTS = ("opportunity", "nurture", "disqualified")
NO_LEADS = _l("No leads in this period")
NOTHING_COUNTED = _l("Nothing counted in this period")


@dataclass(frozen=True)
class Text:
    """Words at a baseline point; `anchor` is SVG's text-anchor: start, middle or end."""

    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Bar:
    """A rectangle filled with the pattern named `fill` (a segment or a whole bar)."""

    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Row:
    """One bar: its label on the left, its segments left to right, its value on the right."""

    label: Text
    bars: tuple[Bar, ...]
    value: Text


@dataclass(frozen=True)
class LegendItem:
    """A small swatch of a segment's pattern and the word for it."""

    swatch: Bar
    text: Text


@dataclass(frozen=True)
class Chart:
    """Everything to draw; `message` replaces the rows when there is nothing to show."""

    width: int
    height: int
    rows: tuple[Row, ...]
    legend: tuple[LegendItem, ...]
    message: Text | None
    summary: str


def scaled_widths(values: Sequence[int], scale: int, span: float) -> tuple[float, ...]:
    """Return a width per value: `value / scale * span`, rounded to 0.1 unit.

    A non-zero value is at least MIN_SEGMENT wide so that one lead stays
    visible, which can make a bar of tiny segments a unit or two longer than
    its share; zero stays zero, and a zero scale gives all zeros.
    """
    if scale <= 0:
        return tuple(0.0 for _ in values)
    return tuple(
        max(MIN_SEGMENT, round(value / scale * span, 1)) if value > 0 else 0.0 for value in values
    )


def share_of_previous(count: int, previous: int) -> str:
    """Return e.g. `12% of previous`; a step that grew reads above 100%.

    Whole percents, half up; rounding never claims 0% or 100% that is not so
    (`<1%`, `>99%`). A previous step of 0 has no share: `previous step was 0`.
    """
    if previous <= 0:
        return _("previous step was 0")
    percent = count / previous * 100
    if 0 < percent < 1:
        shown = "<1%"
    elif 99 < percent < 100:
        shown = ">99%"
    else:
        shown = f"{int(percent + 0.5)}%"
    return _("%(share)s of previous", share=shown)


def leads(count: int) -> str:
    """Return `1 lead` or `1,234 leads`."""
    return ngettext("%(count)s lead", "%(count)s leads", count, count=f"{count:,}")


def channel_chart(rows: Sequence[tuple[str, int, int, int]]) -> Chart:
    """Stack (label, opportunity, nurture, disqualified) per channel into horizontal bars.

    Every bar shares one scale: the largest channel total spans CHANNEL_SPAN.
    """
    scale = max((sum(counts) for _, *counts in rows), default=0)
    if scale == 0:
        return _empty_chart(NO_LEADS)
    chart_rows, words = [], []
    for index, (label, *counts) in enumerate(rows):
        y = LEGEND_HEIGHT + MARGIN + index * ROW_HEIGHT
        x, segments = float(BAR_X), []
        for fill, width in zip(SEGMENTS, scaled_widths(counts, scale, CHANNEL_SPAN), strict=True):
            if width:
                segments.append(Bar(x, y, width, BAR_HEIGHT, fill))
                x = round(x + width, 1)
        chart_rows.append(_row(label, y, tuple(segments), x, leads(sum(counts))))
        parts = [
            f"{count:,} {LIST_WORDS[name]}" for name, count in zip(SEGMENTS, counts, strict=True)
        ]
        words.append(f"{label}: {', '.join([leads(sum(counts)), *parts])}")
    return Chart(
        WIDTH,
        LEGEND_HEIGHT + 2 * MARGIN + len(rows) * ROW_HEIGHT,
        tuple(chart_rows),
        _legend(SEGMENTS),
        None,
        "; ".join(words),
    )


def funnel_chart(steps: Sequence[tuple[str, int]]) -> Chart:
    """Draw (label, count) per funnel step as bars scaled to the largest count.

    Every step after the first also gives its share of the previous step,
    uncapped: a step can count more than the one before it.
    """
    scale = max((count for _, count in steps), default=0)
    if scale == 0:
        return _empty_chart(NOTHING_COUNTED)
    chart_rows, words = [], []
    for index, (label, count) in enumerate(steps):
        y = MARGIN + index * ROW_HEIGHT
        (width,) = scaled_widths([count], scale, FUNNEL_SPAN)
        bars = (Bar(BAR_X, y, width, BAR_HEIGHT, "step"),) if width else ()
        value = f"{count:,}"
        if index:
            value += f" · {share_of_previous(count, steps[index - 1][1])}"
        chart_rows.append(_row(label, y, bars, BAR_X + width, value))
        words.append(f"{label}: {value.replace(' · ', ', ')}")
    return Chart(
        WIDTH, 2 * MARGIN + len(steps) * ROW_HEIGHT, tuple(chart_rows), (), None, "; ".join(words)
    )


def _row(label: str, y: float, bars: tuple[Bar, ...], bar_end: float, value: str) -> Row:
    baseline = y + BAR_HEIGHT / 2 + 4  # centres 12-unit text on the bar
    short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
    return Row(
        Text(LABEL_END, baseline, short, "end"),
        bars,
        Text(round(bar_end + 6, 1), baseline, value),
    )


def _legend(names: Sequence[str]) -> tuple[LegendItem, ...]:
    items, x = [], float(BAR_X)
    for name in names:
        word = str(LIST_NAMES[name])
        items.append(LegendItem(Bar(x, 4, 12, 12, name), Text(x + 16, 14, word)))
        x += 16 + len(word) * 7 + 16  # about 7 units per character at font-size 12
    return tuple(items)


def _empty_chart(message) -> Chart:
    message = str(message)
    height = 2 * MARGIN + ROW_HEIGHT
    return Chart(WIDTH, height, (), (), Text(WIDTH / 2, height / 2 + 4, message, "middle"), message)
