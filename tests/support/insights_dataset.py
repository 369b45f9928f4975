"""A small, hand-counted data set for the insights: October 2026 in Amsterdam.

Every figure the tests expect is worked out by hand in the comments below,
not computed by the code under test.

    lead channel first seen (UTC) list         outcome response source     campaign
    P1   paid    2026-10-05 10:00 opportunity  won     30 min   google     autumn
    P2   paid    2026-10-06 10:00 opportunity  lost    90 min   google     autumn
    P3   paid    2026-10-07 10:00 opportunity  -       60 min   linkedin   brand
    P4   paid    2026-10-08 10:00 nurture      -       -        google     autumn
    P5   paid    2026-10-09 10:00 disqualified -       10 min   google     -
         ("Too small: 2-9 employees, the minimum is 10-49")
    P6   paid    2026-10-10 10:00 disqualified -       -        linkedin   brand
         ("Too small: 1 employees, the minimum is 10-49")
    D1   direct  2026-10-11 10:00 nurture      -       120 min  -          -
    D2   direct  2026-10-12 10:00 disqualified ("Wrong territory: Belgium", a sales pick)
    D3   direct  2026-10-13 10:00 disqualified ("Met him at the fair, a reseller": own words)
    E1   email   2026-10-14 10:00 opportunity  won     45 min   newsletter oct
    V1   event   2026-09-30 22:30 nurture      (00:30 on 1 October in Amsterdam, summer time: in)
    V2   event   2026-10-31 22:59 disqualified ("Sector retail is excluded")
         (23:59 on 31 October, winter time since the 25th: in)
    out1 event   2026-09-30 21:59 (23:59 on 30 September: out)
    out2 event   2026-10-31 23:00 (00:00 on 1 November: out)

October per channel:
    paid    6 leads: 3 opportunity, 1 nurture, 2 disqualified; 1 won, 1 lost;
            responses 10, 30, 60, 90 min: median (30 + 60) / 2 = 45 min
    direct  3 leads: 0 / 1 / 2; response 120 min: median 120 min
    email   1 lead: 1 / 0 / 0; 1 won; median 45 min
    event   2 leads: 0 / 1 / 1; no responses
    total   12 leads: 4 / 3 / 5; 2 won, 1 lost;
            responses 10, 30, 45, 60, 90, 120: median (45 + 60) / 2 = 52.5 min
Reasons: Too small 2 (paid 2), Wrong territory 1 (direct), Other 1 (direct),
Wrong sector 1 (event).
Paid by source: google 4 (P1, P2, P4, P5), linkedin 2 (P3, P6).
Paid, google by campaign: autumn 3, none 1.
"""

from datetime import UTC, datetime, timedelta

from capture.extensions import db
from capture.models import Form, Lead, Submission

OCTOBER = {"period": "custom", "since": "2026-10-01", "until": "2026-10-31"}

LEADS = [
    # key, channel, first seen, list, outcome, response minutes, source, campaign, reason
    ("P1", "paid", "2026-10-05T10:00", "opportunity", "won", 30, "google", "autumn", None),
    ("P2", "paid", "2026-10-06T10:00", "opportunity", "lost", 90, "google", "autumn", None),
    ("P3", "paid", "2026-10-07T10:00", "opportunity", None, 60, "linkedin", "brand", None),
    ("P4", "paid", "2026-10-08T10:00", "nurture", None, None, "google", "autumn", None),
    (
        "P5",
        "paid",
        "2026-10-09T10:00",
        "disqualified",
        None,
        10,
        "google",
        None,
        "Too small: 2-9 employees, the minimum is 10-49",
    ),
    (
        "P6",
        "paid",
        "2026-10-10T10:00",
        "disqualified",
        None,
        None,
        "linkedin",
        "brand",
        "Too small: 1 employees, the minimum is 10-49",
    ),
    ("D1", "direct", "2026-10-11T10:00", "nurture", None, 120, None, None, None),
    (
        "D2",
        "direct",
        "2026-10-12T10:00",
        "disqualified",
        None,
        None,
        None,
        None,
        "Wrong territory: Belgium",
    ),
    (
        "D3",
        "direct",
        "2026-10-13T10:00",
        "disqualified",
        None,
        None,
        None,
        None,
        "Met him at the fair, a reseller",
    ),
    ("E1", "email", "2026-10-14T10:00", "opportunity", "won", 45, "newsletter", "oct", None),
    ("V1", "event", "2026-09-30T22:30", "nurture", None, None, None, None, None),
    (
        "V2",
        "event",
        "2026-10-31T22:59",
        "disqualified",
        None,
        None,
        None,
        None,
        "Sector retail is excluded",
    ),
    ("out1", "event", "2026-09-30T21:59", "nurture", None, None, None, None, None),
    ("out2", "event", "2026-10-31T23:00", "nurture", None, None, None, None, None),
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_lead(key, channel, first_seen, on_list, outcome=None, response=None, **values) -> Lead:
    """One lead first seen at `first_seen` (a UTC datetime), with one submission."""
    form_id = values.pop("first_form_id", None)
    lead = Lead(
        email_key=f"{key.lower()}@example.nl",
        email=f"{key.lower()}@example.nl",
        name=key,
        list=on_list,
        reason=values.pop("reason", None) or f"{on_list} in the data set",
        channel=channel,
        first_interest_at=first_seen,
        last_interest_at=first_seen,
        first_response_at=first_seen + timedelta(minutes=response) if response else None,
        outcome=outcome,
        outcome_at=first_seen + timedelta(days=3) if outcome else None,
        first_form_id=form_id,
        **values,
    )
    db.session.add(lead)
    db.session.flush()
    db.session.add(
        Submission(
            lead_id=lead.id,
            form_id=form_id,
            nonce=f"dataset-{key}",
            intent="high",
            channel=channel,
            created_at=first_seen,
        )
    )
    return lead


def add_october(form: Form | None = None) -> dict[str, Lead]:
    """The table above; paid and email leads came through `form` if given."""
    leads = {}
    for key, channel, seen, on_list, outcome, response, source, campaign, reason in LEADS:
        leads[key] = add_lead(
            key,
            channel,
            utc(seen),
            on_list,
            outcome,
            response,
            source=source,
            utm_campaign=campaign,
            reason=reason,
            first_form_id=form.id if form and channel in ("paid", "email") else None,
        )
    db.session.commit()
    return leads
