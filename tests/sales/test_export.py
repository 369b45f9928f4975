"""The CSV export: the list page's leads and filters, safe to open in Excel."""

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from capture.extensions import db
from capture.models import Form, Submission
from capture.sales import export

from ..support.factories import make_lead

HEADER = [
    "email",
    "name",
    "company",
    "sector",
    "headcount",
    "list",
    "reason",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
    "warmth",
    "score",
    "submissions",
    "first_interest_at",
    "last_interest_at",
    "fit_score",
    "engagement_score",
    "first_response_at",
    "outcome",
    "owner",
    "respond_by",
    # The demo contact form's hidden field (one column per declared name).
    "field_plan",
]


def add(app, *specs) -> list[int]:
    with app.app_context():
        leads = [make_lead(**spec) for spec in specs]
        db.session.commit()
        return [lead.id for lead in leads]


def exported(client, query: str = "") -> list[dict]:
    """The export's rows as dicts keyed by the header."""
    response = client.get("/sales/export.csv" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def names_in(client, query: str = "") -> list[str]:
    return sorted(row["name"] for row in exported(client, query))


def test_the_export_has_the_promised_columns_in_order_and_a_bom_for_excel(app, client, auth):
    add(app, {"name": "Anna"})
    auth.login()

    response = client.get("/sales/export.csv")

    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header == HEADER


def test_one_row_per_lead_with_its_values(app, client, auth):
    (lead_id,) = add(
        app,
        {
            "name": "Anna Jansen",
            "email": "Anna@Bakkerij-Jansen.nl",
            "company": "Bakkerij Jansen",
            "sector": "retail",
            "headcount": "10-49",
            "list": "nurture",
            "reason": "A fit, not ready yet",
            "channel": "social",
            "utm_source": "linkedin",
            "utm_medium": "social",
            "utm_campaign": "spring",
            "referrer": "https://www.linkedin.com/",
            "score": 60,
            "fit_score": 40,
            "engagement_score": 20,
            "days_ago": 5,
        },
    )
    auth.login()

    (row,) = exported(client)

    assert {k: row[k] for k in HEADER[:12]} == {
        "email": "Anna@Bakkerij-Jansen.nl",
        "name": "Anna Jansen",
        "company": "Bakkerij Jansen",
        "sector": "retail",
        "headcount": "10-49",
        "list": "nurture",
        "reason": "A fit, not ready yet",
        "channel": "social",
        "utm_source": "linkedin",
        "utm_medium": "social",
        "utm_campaign": "spring",
        "referrer": "https://www.linkedin.com/",
    }
    assert (row["warmth"], row["score"], row["submissions"]) == ("warm", "60", "1")
    assert (row["fit_score"], row["engagement_score"]) == ("40", "20")
    assert (row["first_response_at"], row["outcome"]) == ("", "")
    with app.app_context():
        last = db.session.scalar(
            db.select(Submission.created_at).where(Submission.lead_id == lead_id)
        )
    assert row["last_interest_at"] == last.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_times_are_iso_8601_in_utc(app, client, auth):
    moment = datetime(2026, 3, 29, 1, 30, 15, 999, tzinfo=ZoneInfo("Europe/Amsterdam"))
    add(app, {"first_interest_at": moment, "first_response_at": moment, "outcome": "won"})
    auth.login()

    (row,) = exported(client)

    assert row["first_interest_at"] == "2026-03-29T00:30:15Z"
    assert row["first_response_at"] == "2026-03-29T00:30:15Z"
    assert row["outcome"] == "won"


def test_no_list_argument_exports_every_list(app, client, auth):
    add(app, {"name": "o", "list": "opportunity"}, {"name": "n", "list": "nurture"})
    add(app, {"name": "d", "list": "disqualified"})
    auth.login()

    assert names_in(client) == ["d", "n", "o"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("list=opportunity", ["o-direct", "o-event-jansen"]),
        ("list=nurture", ["n-event"]),
        ("channel=event", ["n-event", "o-event-jansen"]),
        ("list=opportunity&channel=event", ["o-event-jansen"]),
        ("q=JANSEN", ["o-event-jansen"]),
        ("q=bakkerij", ["o-direct"]),
        ("q=visser%40example", ["n-event"]),
        ("warmth=cold", ["n-event"]),
        ("list=nonsense", ["n-event", "o-direct", "o-event-jansen"]),
    ],
)
def test_the_export_applies_the_list_pages_filters(app, client, auth, query, expected):
    add(
        app,
        {"name": "o-direct", "company": "Bakkerij Brood", "channel": "direct"},
        {"name": "o-event-jansen", "channel": "event"},
        {
            "name": "n-event",
            "list": "nurture",
            "channel": "event",
            "email": "visser@example.nl",
            "days_ago": 40,
        },
    )
    auth.login()

    assert names_in(client, query) == expected


def test_the_form_filter_exports_leads_that_used_that_form(app, client, auth):
    with app.app_context():
        ebook = db.session.scalars(db.select(Form).where(Form.slug == "demo-ebook")).one()
        form_id = ebook.id
    add(app, {"name": "from-ebook", "form_id": form_id}, {"name": "by-hand"})
    auth.login()

    assert names_in(client, "form=demo-ebook") == ["from-ebook"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_would_start_a_formula_are_neutralised(app, client, auth, start):
    add(app, {"name": f'{start}HYPERLINK("http://evil")', "company": f"{start}1+1"})
    auth.login()

    (row,) = exported(client)

    assert row["name"] == f'\'{start}HYPERLINK("http://evil")'
    assert row["company"] == f"'{start}1+1"


def test_harmless_values_are_left_as_they_are(app, client, auth):
    add(app, {"name": "Jan-Willem O'Neill", "company": "A+B = C", "headcount": "1000+"})
    auth.login()

    (row,) = exported(client)

    assert (row["name"], row["company"], row["headcount"]) == (
        "Jan-Willem O'Neill",
        "A+B = C",
        "1000+",
    )


def test_submissions_are_counted_per_lead(app, client, auth):
    three, one = add(app, {"name": "three"}, {"name": "one"})
    with app.app_context():
        for number in range(2):
            db.session.add(
                Submission(lead_id=three, nonce=f"again-{number}", intent="low", channel="email")
            )
        db.session.commit()
    auth.login()

    counts = {row["name"]: row["submissions"] for row in exported(client)}

    assert counts == {"three": "3", "one": "1"}


def test_an_export_larger_than_a_batch_has_every_lead_once(app, client, auth, monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    add(app, *({"name": f"lead-{n}"} for n in range(7)))
    auth.login()

    rows = exported(client)

    assert sorted(row["name"] for row in rows) == sorted(f"lead-{n}" for n in range(7))
    assert {row["submissions"] for row in rows} == {"1"}


def test_an_empty_export_is_just_the_header(client, auth):
    auth.login()

    response = client.get("/sales/export.csv?list=disqualified")

    assert response.data.decode("utf-8-sig").splitlines() == [",".join(HEADER)]


def test_the_export_is_a_streamed_attachment_named_after_list_and_day_and_not_cached(
    app, client, auth
):
    add(app, {"name": "Anna"})
    auth.login()

    response = client.get("/sales/export.csv?list=opportunity")

    assert response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    today = datetime.now(ZoneInfo(app.config["LEADS_TIMEZONE"])).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="leads-opportunity-{today}.csv"'
    )
    assert response.data.decode("utf-8-sig").count("\r\n") == 2  # header and Anna
    everything = client.get("/sales/export.csv")
    everything.close()
    assert f'filename="leads-all-{today}.csv"' in everything.headers["Content-Disposition"]


def test_an_anonymous_export_is_sent_to_login(app, client):
    add(app, {"name": "Anna"})

    response = client.get("/sales/export.csv")

    assert response.status_code == 302
    assert response.location.startswith("/login")
