"""Insights charts: bars proportional on one scale, honest funnel shares, accessible SVG."""

import flask
import pytest
from bs4 import BeautifulSoup

from capture import create_app
from capture.insights.charts import (
    BAR_X,
    CHANNEL_SPAN,
    FUNNEL_SPAN,
    MIN_SEGMENT,
    channel_chart,
    funnel_chart,
    scaled_widths,
    share_of_previous,
)

HOSTILE = "<script>alert(1)</script>"


def widths(row):
    return {bar.fill: bar.width for bar in row.bars}


@pytest.mark.parametrize(
    ("values", "scale", "span", "expected"),
    [
        ([10, 20, 10], 40, 400, (100.0, 200.0, 100.0)),
        ([40], 40, 360, (360.0,)),
        ([1, 0, 0], 3, 300, (100.0, 0.0, 0.0)),
        ([1, 999], 1000, 360, (MIN_SEGMENT, 359.6)),
        ([0, 0, 0], 10, 360, (0.0, 0.0, 0.0)),
        ([0, 0], 0, 360, (0.0, 0.0)),
        ([3], 0, 360, (0.0,)),
        ([1], 3, 100, (33.3,)),
    ],
)
def test_widths_are_proportional_with_a_minimum_for_small_non_zero_values(
    values, scale, span, expected
):
    assert scaled_widths(values, scale, span) == expected


@pytest.mark.parametrize(
    ("count", "previous", "words"),
    [
        (120, 1000, "12% of previous"),
        (90, 120, "75% of previous"),
        (80, 80, "100% of previous"),
        (150, 120, "125% of previous"),
        (5, 1, "500% of previous"),
        (0, 50, "0% of previous"),
        (1, 1000, "<1% of previous"),
        (5, 1000, "<1% of previous"),
        (15, 1000, "2% of previous"),
        (25, 1000, "3% of previous"),
        (999, 1000, ">99% of previous"),
        (1000, 1000, "100% of previous"),
        (1001, 1000, "100% of previous"),
        (0, 0, "previous step was 0"),
        (7, 0, "previous step was 0"),
    ],
)
def test_share_of_previous_is_rounded_honestly_uncapped_and_never_divides_by_zero(
    count, previous, words
):
    assert share_of_previous(count, previous) == words


def test_channel_segments_are_in_order_and_proportional_to_the_largest_total():
    chart = channel_chart([("Paid", 10, 20, 10), ("Organic", 5, 5, 10)])
    paid, organic = chart.rows
    assert [bar.fill for bar in paid.bars] == ["opportunity", "nurture", "disqualified"]
    assert widths(paid) == {"opportunity": 90.0, "nurture": 180.0, "disqualified": 90.0}
    assert widths(organic) == {"opportunity": 45.0, "nurture": 45.0, "disqualified": 90.0}
    assert [bar.x for bar in paid.bars] == [BAR_X, BAR_X + 90, BAR_X + 270]


@pytest.mark.parametrize(
    ("rows", "longest"),
    [
        ([("Paid", 1, 1, 1), ("Direct", 300, 0, 0)], "Direct"),
        ([("Paid", 7, 0, 0)], "Paid"),
        ([("Paid", 0, 0, 50), ("Email", 0, 50, 0), ("Referral", 25, 0, 0)], "Paid"),
    ],
)
def test_the_largest_channel_total_spans_the_full_bar_length(rows, longest):
    chart = channel_chart(rows)
    lengths = {row.label.text: sum(bar.width for bar in row.bars) for row in chart.rows}
    assert lengths[longest] == CHANNEL_SPAN
    assert all(length <= CHANNEL_SPAN for length in lengths.values())


def test_one_lead_among_thousands_is_still_a_visible_segment():
    chart = channel_chart([("Paid", 1, 0, 0), ("Direct", 0, 5000, 0)])
    assert widths(chart.rows[0]) == {"opportunity": MIN_SEGMENT}


def test_a_channel_without_leads_keeps_its_row_without_bars():
    chart = channel_chart([("Paid", 4, 0, 0), ("Email", 0, 0, 0)])
    email = chart.rows[1]
    assert email.bars == ()
    assert (email.label.text, email.value.text) == ("Email", "0 leads")


def test_channel_totals_and_summary_use_thousands_separators():
    chart = channel_chart([("Paid", 1000, 234, 0), ("Email", 1, 0, 0)])
    assert [row.value.text for row in chart.rows] == ["1,234 leads", "1 lead"]
    assert chart.summary == (
        "Paid: 1,234 leads, 1,000 opportunity, 234 nurture, 0 disqualified; "
        "Email: 1 lead, 1 opportunity, 0 nurture, 0 disqualified"
    )


def test_the_chart_grows_with_its_rows_and_keeps_its_width():
    one, three = channel_chart([("A", 1, 0, 0)]), channel_chart([("A", 1, 0, 0)] * 3)
    assert one.width == three.width
    assert three.height > one.height


@pytest.mark.parametrize(
    ("chart", "message"),
    [
        (channel_chart([]), "No leads in this period"),
        (channel_chart([("Paid", 0, 0, 0), ("Email", 0, 0, 0)]), "No leads in this period"),
        (funnel_chart([]), "Nothing counted in this period"),
        (
            funnel_chart([("Form shown", 0), ("Contact step sent", 0)]),
            "Nothing counted in this period",
        ),
    ],
)
def test_an_empty_period_shows_a_message_instead_of_bars(chart, message):
    assert chart.rows == ()
    assert chart.message.text == message
    assert chart.summary == message
    assert chart.height > 0


def test_funnel_bars_scale_to_the_largest_count_and_give_shares_of_the_previous_step():
    chart = funnel_chart(
        [
            ("Form shown", 1000),
            ("Contact step sent", 120),
            ("Qualifying step sent", 90),
            ("E-book downloaded", 80),
        ]
    )
    assert [row.bars[0].width for row in chart.rows] == [FUNNEL_SPAN, 33.6, 25.2, 22.4]
    assert [row.value.text for row in chart.rows] == [
        "1,000",
        "120 · 12% of previous",
        "90 · 75% of previous",
        "80 · 89% of previous",
    ]
    assert chart.summary.startswith("Form shown: 1,000; Contact step sent: 120, 12% of previous;")


def test_a_funnel_step_larger_than_the_previous_is_shown_uncapped():
    chart = funnel_chart([("Form shown", 100), ("Contact step sent", 400)])
    shown, sent = chart.rows
    assert sent.bars[0].width == FUNNEL_SPAN
    assert shown.bars[0].width == FUNNEL_SPAN / 4
    assert sent.value.text == "400 · 400% of previous"


def test_a_funnel_step_after_a_zero_step_says_so_instead_of_dividing():
    chart = funnel_chart([("Form shown", 0), ("Contact step sent", 12), ("E-book downloaded", 0)])
    shown, sent, downloaded = chart.rows
    assert shown.bars == () and downloaded.bars == ()
    assert sent.value.text == "12 · previous step was 0"
    assert downloaded.value.text == "0 · 0% of previous"


def test_a_long_label_is_shortened_on_the_chart_but_whole_in_the_summary():
    label = "Partner newsletter of the regional chamber"
    chart = channel_chart([(label, 1, 0, 0)])
    assert chart.rows[0].label.text.endswith("…")
    assert len(chart.rows[0].label.text) < len(label)
    assert chart.summary.startswith(label + ":")


# Rendering through the app's Jinja environment.


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("charts")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{path}/charts.db",
            "INSTANCE_PATH": str(path / "instance"),
        }
    )


@pytest.fixture
def render(app):
    """Render a template string that can call the chart macros."""

    def render(source: str, **context) -> str:
        with app.test_request_context():
            return flask.render_template_string(
                '{% from "insights/_charts.html" import channel_svg, funnel_svg %}' + source,
                **context,
            )

    return render


CHANNELS = channel_chart([("Paid", 10, 20, 10), (HOSTILE, 1, 0, 0)])
FUNNEL = funnel_chart([("Form shown", 1000), (HOSTILE, 120)])
EMPTY_CHANNELS = channel_chart([])
EMPTY_FUNNEL = funnel_chart([])
BOTH_MACROS = [
    ('{{ channel_svg(chart, "c", "T", "D") }}', CHANNELS),
    ('{{ funnel_svg(chart, "c", "T", "D") }}', FUNNEL),
    ('{{ channel_svg(chart, "c", "T", "D") }}', EMPTY_CHANNELS),
    ('{{ funnel_svg(chart, "c", "T", "D") }}', EMPTY_FUNNEL),
]


@pytest.mark.parametrize(("source", "chart"), BOTH_MACROS)
def test_the_svg_is_labelled_by_its_title_and_desc(render, source, chart):
    svg = BeautifulSoup(render(source, chart=chart), "html.parser").svg
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == "c-title c-desc"
    assert svg["viewbox"] == f"0 0 {chart.width} {chart.height}"
    assert svg["width"] == "100%"
    first, second = svg.find_all(recursive=False)[:2]
    assert (first.name, first["id"], first.text) == ("title", "c-title", "T")
    assert (second.name, second["id"], second.text) == ("desc", "c-desc", "D")


@pytest.mark.parametrize(("source", "chart"), BOTH_MACROS)
def test_the_svg_has_no_style_and_no_script(render, source, chart):
    html = render(source, chart=chart)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert soup.find("style") is None
    assert soup.find(attrs={"style": True}) is None
    assert "<script" not in html
    assert "style=" not in html


@pytest.mark.parametrize(("source", "chart"), BOTH_MACROS[:2])
def test_a_hostile_label_is_escaped(render, source, chart):
    html = render(source, chart=chart)
    assert "&lt;script&gt;alert(1)" in html
    assert "<script>" not in html


def test_a_hostile_label_in_the_summary_is_escaped_in_desc(render):
    html = render('{{ channel_svg(chart, "c", "T", chart.summary) }}', chart=CHANNELS)
    desc = BeautifulSoup(html, "html.parser").find("desc")
    assert desc.text == CHANNELS.summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_desc_defaults_to_the_chart_summary(render):
    html = render('{{ channel_svg(chart, "c", "T") }}', chart=CHANNELS)
    assert BeautifulSoup(html, "html.parser").find("desc").text == CHANNELS.summary


def test_two_charts_on_one_page_have_unique_ids_and_fill_from_their_own_patterns(render):
    html = render(
        '{{ channel_svg(one, "paid", "T", "D") }}{{ channel_svg(two, "all", "T", "D") }}'
        '{{ funnel_svg(three, "funnel", "T", "D") }}',
        one=CHANNELS,
        two=CHANNELS,
        three=FUNNEL,
    )
    soup = BeautifulSoup(html, "html.parser")
    ids = [element["id"] for element in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for svg in soup.find_all("svg"):
        own_patterns = {f"url(#{pattern['id']})" for pattern in svg.find_all("pattern")}
        fills = {rect["fill"] for rect in svg.find_all("rect") if rect.parent.name != "pattern"}
        assert fills and fills <= own_patterns


def test_channel_segments_differ_by_pattern_and_the_legend_names_each(render):
    soup = BeautifulSoup(
        render('{{ channel_svg(chart, "c", "T") }}', chart=CHANNELS), "html.parser"
    )
    patterns = soup.find_all("pattern")
    assert [pattern["id"] for pattern in patterns] == [
        "c-opportunity",
        "c-nurture",
        "c-disqualified",
    ]
    shapes = [tuple(child.name for child in pattern.find_all(True)) for pattern in patterns]
    assert len(set(shapes)) == 3  # solid, hatched, dotted: distinguishable without colour
    words = [text.text for text in soup.find_all("text")]
    assert words[:3] == ["Opportunity", "Nurture", "Disqualified"]
    assert {"Paid", "40 leads", "1 lead"} <= set(words)


@pytest.mark.parametrize(
    ("source", "chart", "message"),
    [
        ('{{ channel_svg(chart, "c", "T") }}', EMPTY_CHANNELS, "No leads in this period"),
        ('{{ funnel_svg(chart, "c", "T") }}', EMPTY_FUNNEL, "Nothing counted in this period"),
    ],
)
def test_an_empty_chart_renders_its_message(render, source, chart, message):
    soup = BeautifulSoup(render(source, chart=chart), "html.parser")
    assert [text.text for text in soup.find_all("text")] == [message]
    assert soup.find_all("rect", recursive=True) == soup.select("pattern rect")


def test_the_funnel_writes_counts_and_shares_beside_its_bars(render):
    chart = funnel_chart([("Form shown", 1234), ("Contact step sent", 150)])
    soup = BeautifulSoup(render('{{ funnel_svg(chart, "f", "T") }}', chart=chart), "html.parser")
    words = [text.text for text in soup.find_all("text")]
    assert words == ["Form shown", "1,234", "Contact step sent", "150 · 12% of previous"]
