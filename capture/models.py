"""The database model: forms, e-books, leads, their submissions and list changes."""

import builtins
import secrets
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db.types import UTCDateTime
from .domain.vocabulary import CHANNELS
from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_token() -> str:
    return secrets.token_hex(16)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Ebook(db.Model):
    """A downloadable file behind a gate, stored under `instance/` by content hash."""

    __tablename__ = "ebooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Form(db.Model):
    """A contact form, e-book gate or newsletter sign-up, addressed by slug."""

    __tablename__ = "forms"
    __table_args__ = (
        CheckConstraint(_in("kind", ("gate", "contact", "newsletter")), name="kind"),
        CheckConstraint(_in("intent", ("low", "medium", "high")), name="intent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The form's name for staff (lists, the sales page, insights): its title
    # in its main language. What visitors read is in `texts`.
    title: Mapped[str] = mapped_column(String(200))
    # The form's own texts per language, {"en": {...}, "nl": {...}}, each
    # with the keys of FORM_TEXTS ("" when not written). A language is
    # written when its title is; see capture/intake/texts.py for which one a
    # visitor sees.
    texts: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    language: Mapped[str | None] = mapped_column(String(5))
    # Which of the optional questions (phone, role, budget, timeline, need) it asks.
    questions: Mapped[list] = mapped_column(JSON, default=list)
    intent: Mapped[str] = mapped_column(String(10))
    booking_url: Mapped[str | None] = mapped_column(String(500))
    # False: any site may embed the form. True: only `allowed_origins`, e.g.
    # ["https://www.example.nl"] (the list is kept while embedding is open,
    # so switching back restores it).
    restrict_embedding: Mapped[bool] = mapped_column(default=False, server_default=false())
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
    # Values the host page may pass with a submission: [{"name", "label"}].
    hidden_fields: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    ebook_id: Mapped[int | None] = mapped_column(ForeignKey("ebooks.id"))
    # A gate: also send the download link to the visitor by e-mail.
    email_download: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whether the form also offers the separate, optional marketing consent
    # (its wording, like the required consent's, is in `texts`).
    offers_marketing: Mapped[bool] = mapped_column(default=True, server_default=true())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ebook: Mapped[Ebook | None] = relationship()

    def asks(self, question: str) -> bool:
        return question in (self.questions or [])


class Attribution:
    """Where interest came from: the derived channel and the raw values."""

    channel: Mapped[str] = mapped_column(String(20))
    utm_source: Mapped[str | None] = mapped_column(String(200))
    utm_medium: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    utm_term: Mapped[str | None] = mapped_column(String(200))
    utm_content: Mapped[str | None] = mapped_column(String(200))
    referrer: Mapped[str | None] = mapped_column(String(2000))
    landing_page: Mapped[str | None] = mapped_column(String(2000))


class Lead(Attribution, db.Model):
    """One person who showed interest, matched on the case-folded e-mail."""

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(_in("list", ("opportunity", "nurture", "disqualified")), name="list"),
        CheckConstraint("outcome IS NULL OR outcome IN ('won', 'lost')", name="outcome"),
        # The sales page: one list, warmest (newest interest) and best first.
        Index("ix_leads_list_last_interest", "list", "last_interest_at"),
        Index("ix_leads_list_score", "list", "score", "last_interest_at"),
        Index("ix_leads_channel", "channel"),
        # The list filtered by channel, and by warmth (a range of last interest).
        Index("ix_leads_list_channel_last", "list", "channel", "last_interest_at"),
        # Insights: the leads first seen in a period, counted per channel from
        # the index alone; the open pipeline's warmth; one form's leads.
        Index(
            "ix_leads_cohort",
            "first_interest_at",
            "channel",
            "list",
            "outcome",
            "first_response_at",
        ),
        Index("ix_leads_list_outcome_last", "list", "outcome", "last_interest_at"),
        Index("ix_leads_channel_first_interest", "channel", "first_interest_at"),
        Index("ix_leads_first_form_first_interest", "first_form_id", "first_interest_at"),
        # The disqualified leads of a period by reason and channel, from the index alone.
        Index(
            "ix_leads_list_first_interest_reason", "list", "first_interest_at", "reason", "channel"
        ),
        # My leads: one person's (or nobody's) leads of a list, best first.
        Index("ix_leads_list_owner_score", "list", "owner_id", "score", "last_interest_at"),
        # A list's leads by when they need an answer (the running clocks' deadlines).
        Index("ix_leads_list_respond_by", "list", "respond_by"),
        # One person's (or nobody's) leads with a running clock, soonest due
        # first: only those leads are in it.
        Index(
            "ix_leads_list_owner_respond_by",
            "list",
            "owner_id",
            "respond_by",
            sqlite_where=text("respond_by IS NOT NULL"),
            postgresql_where=text("respond_by IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    sector: Mapped[str | None] = mapped_column(String(40))
    headcount: Mapped[str | None] = mapped_column(String(10))
    role: Mapped[str | None] = mapped_column(String(20))
    budget: Mapped[str | None] = mapped_column(String(10))
    timeline: Mapped[str | None] = mapped_column(String(10))
    need: Mapped[str | None] = mapped_column(Text)

    list: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    pinned: Mapped[bool] = mapped_column(default=False)
    fit_score: Mapped[int] = mapped_column(default=0)
    engagement_score: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0)
    score_reasons: Mapped[builtins.list] = mapped_column(JSON, default=builtins.list)

    # First-touch attribution (the Attribution columns): copied from the lead's
    # first submission, never moved; so are `source` and `first_form_id`.
    # Where within the channel: the campaign source, else the referring site.
    source: Mapped[str | None] = mapped_column(String(200))
    # The form that brought the lead in (None: entered by hand).
    first_form_id: Mapped[int | None] = mapped_column(ForeignKey("forms.id"))
    # Who follows the lead up (see capture/leads/owners.py); None: nobody yet.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When the person last opened the booking link offered on the thank-you.
    booking_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    first_interest_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_interest_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Speed to lead: when sales first reached out (None: still waiting).
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The running response clock's deadline (see ResponseClock), kept here for
    # the list's order and the CSV; None when no clock runs.
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How an opportunity ended: None (open), "won" or "lost".
    outcome: Mapped[str | None] = mapped_column(String(10))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person confirmed a newsletter sign-up through the e-mailed link.
    newsletter_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person confirmed, through the e-mailed link, the marketing
    # consent they gave on a form (None: never confirmed).
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A returning submission's answers that differ from the stored ones
    # (name -> new answer), kept aside until a person accepts or drops them;
    # `answers_changed_at` says when, and is what the sales filter looks for.
    changed_answers: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    answers_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The hidden fields of the lead's submissions, the latest value per name.
    fields: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # `list` is a column of this class, hence builtins.list here.
    submissions: Mapped[builtins.list["Submission"]] = relationship(
        back_populates="lead", order_by="Submission.created_at"
    )
    list_changes: Mapped[builtins.list["ListChange"]] = relationship(
        back_populates="lead", order_by="ListChange.created_at"
    )
    downloads: Mapped[builtins.list["Download"]] = relationship(order_by="Download.created_at")
    notes: Mapped[builtins.list["Note"]] = relationship(order_by="Note.created_at")
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])
    owner_changes: Mapped[builtins.list["OwnerChange"]] = relationship(
        order_by="[OwnerChange.created_at, OwnerChange.id]", back_populates="lead"
    )
    response_clocks: Mapped[builtins.list["ResponseClock"]] = relationship(
        order_by="[ResponseClock.started_at, ResponseClock.id]", back_populates="lead"
    )


class Submission(Attribution, db.Model):
    """One form post with its answers and its own attribution.

    Written when the contact step is posted and completed by the qualifying
    step of the same form post; not changed after that.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_lead_created", "lead_id", "created_at"),
        Index("ix_submissions_form_created", "form_id", "created_at"),
        # The list's form filter: the leads that used a form.
        Index("ix_submissions_form_lead", "form_id", "lead_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    # None for a lead entered by hand; then `entered_by_id` says who.
    form_id: Mapped[int | None] = mapped_column(ForeignKey("forms.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The form token's nonce: a replayed or double-clicked post finds this row.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    intent: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    click_ids: Mapped[dict] = mapped_column(JSON, default=dict)
    page_url: Mapped[str | None] = mapped_column(String(2000))
    # The form's hidden fields as the host page gave them (name -> value).
    fields: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Proof of consent: the wording accepted (and the privacy statement it
    # linked to), and when. None for a lead entered by hand.
    consent_version_id: Mapped[int | None] = mapped_column(ForeignKey("consent_versions.id"))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The optional marketing consent, ticked or not, under the same version.
    marketing_consent: Mapped[bool] = mapped_column(default=False, server_default=false())

    lead: Mapped[Lead] = relationship(back_populates="submissions")
    consent_version: Mapped["ConsentVersion | None"] = relationship()
    form: Mapped[Form | None] = relationship()
    entered_by: Mapped["User | None"] = relationship()


class ConsentVersion(db.Model):
    """A consent wording exactly as a form showed it: kept for good, never changed.

    A new version is recorded the first time a submission accepts a wording
    (its text, the marketing checkbox's text, the language and the privacy
    statement's address) that the form had not shown before.
    """

    __tablename__ = "consent_versions"
    __table_args__ = (
        UniqueConstraint("form_id", "digest", name="uq_consent_versions_form_digest"),
        UniqueConstraint("form_id", "version", name="uq_consent_versions_form_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    # 1, 2, 3 … per form, in the order the wordings were first accepted.
    version: Mapped[int]
    language: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    marketing_text: Mapped[str | None] = mapped_column(Text)
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    # SHA-256 of all of the above: finds the version of a wording.
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ErasedLead(db.Model):
    """What the insights still count of an erased person, and nothing else.

    No name, address, answers or free text: the channel, source and campaign
    that brought them, the form, when (to the quarter hour), the list, the
    reason's group, the outcome and how long they waited for sales. The
    insights add these to the leads, so their totals do not change when a
    person is erased.
    """

    __tablename__ = "erased_leads"
    __table_args__ = (Index("ix_erased_leads_first_interest", "first_interest_at", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The start of the 15-minute slot the person was first seen in.
    first_interest_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    first_form_id: Mapped[int | None] = mapped_column(ForeignKey("forms.id"))
    list: Mapped[str] = mapped_column(String(20))
    # The reason's group ("Too small", "Other"), never words typed by sales.
    reason: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str | None] = mapped_column(String(10))
    # first_interest_at plus the wait for a first response (None: none came).
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Erasure(db.Model):
    """The log of erasures: when, why and by whom, and how much went. No personal data."""

    __tablename__ = "erasures"
    __table_args__ = (CheckConstraint(_in("reason", ("request", "retention")), name="reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "request": the person asked (lead page or CLI); "retention": past the kept time.
    reason: Mapped[str] = mapped_column(String(10))
    # Who erased it: a user, or None for the command line and the worker's purge.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submissions: Mapped[int] = mapped_column(default=0)
    notes: Mapped[int] = mapped_column(default=0)
    downloads: Mapped[int] = mapped_column(default=0)
    notifications: Mapped[int] = mapped_column(default=0)


class Download(db.Model):
    """One download of a gate's e-book through a visitor's signed link."""

    __tablename__ = "downloads"
    __table_args__ = (Index("ix_downloads_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    ebook_id: Mapped[int] = mapped_column(ForeignKey("ebooks.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ebook: Mapped[Ebook] = relationship()


class ListChange(db.Model):
    """A lead moving between lists: from, to, why and who (a user, or the rules)."""

    __tablename__ = "list_changes"
    __table_args__ = (Index("ix_list_changes_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    from_list: Mapped[str | None] = mapped_column(String(20))
    to_list: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    # None means the routing rules made the change.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="list_changes")
    user: Mapped["User | None"] = relationship()

    @property
    def actor(self) -> str:
        return self.user.email if self.user else "rules"


class OwnerChange(db.Model):
    """A lead's owner changing: from, to (None: nobody), why, and who (a user,
    or None when it was chosen automatically)."""

    __tablename__ = "owner_changes"
    __table_args__ = (Index("ix_owner_changes_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="owner_changes")
    from_user: Mapped["User | None"] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped["User | None"] = relationship(foreign_keys=[to_user_id])
    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])


CLOCK_STOPS = ("contacted", "moved", "won", "lost")


class ResponseClock(db.Model):
    """The time a lead has for its answer, from the moment it came onto a list
    with a response target (see capture/leads/clocks.py): one per entry, so
    a lead that leaves the opportunities and comes back has a second one.

    It runs until someone marks the lead contacted, moves it to another list,
    or it is won or lost (`stopped_because`); at most one runs per lead, and
    its `respond_by` is the lead's. `owner_id` is who had the lead when the
    clock stopped; while it runs, the lead's owner is the one it runs for.
    """

    __tablename__ = "response_clocks"
    __table_args__ = (
        CheckConstraint(_in("list", ("opportunity", "nurture")), name="list"),
        CheckConstraint(
            f"stopped_because IS NULL OR {_in('stopped_because', CLOCK_STOPS)}",
            name="stopped_because",
        ),
        CheckConstraint(
            "(stopped_at IS NULL) = (stopped_because IS NULL)", name="stopped_with_a_reason"
        ),
        Index("ix_response_clocks_lead_started", "lead_id", "started_at"),
        # One running clock per lead, whatever runs at the same moment.
        Index(
            "uq_response_clocks_running",
            "lead_id",
            unique=True,
            sqlite_where=text("stopped_at IS NULL"),
            postgresql_where=text("stopped_at IS NULL"),
        ),
        # The worker's question: which running clocks are due by now.
        Index("ix_response_clocks_stopped_respond_by", "stopped_at", "respond_by"),
        # Insights: the clocks that started in a period.
        Index("ix_response_clocks_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    # The list it came onto, and when: the count starts here (in business time).
    list: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The size class its target was chosen by (None: size unknown).
    size_class: Mapped[str | None] = mapped_column(String(10))
    target_minutes: Mapped[int]
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    # Twice the target after the start, in business time: the admins are told.
    escalate_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_because: Mapped[str | None] = mapped_column(String(10))
    # The business time from the start until a person answered (marked the
    # lead contacted, won or lost it), in whole minutes; None: not answered
    # (running, or moved away first). Kept so insights need no arithmetic.
    response_minutes: Mapped[int | None]
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="response_clocks")
    owner: Mapped["User | None"] = relationship()


FORM_EVENTS = ("view", "contact", "qualify", "download")


class FormCount(db.Model):
    """Anonymous tallies of a form's funnel, per 15-minute slot.

    How often the form was shown, its contact and qualifying steps sent, and
    its e-book first downloaded: no person, no address, only a number. They
    stay when a lead is erased, so the funnel still adds up.
    """

    __tablename__ = "form_counts"
    __table_args__ = (
        CheckConstraint(_in("event", FORM_EVENTS), name="event"),
        # SQLite keeps the rows in key order: a period's tallies of every form
        # are one range of the key, read without a second lookup.
        {"sqlite_with_rowid": False},
    )

    # The start of the slot in UTC: periods in any time zone start on a slot edge.
    slot: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), primary_key=True)
    event: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class EmbedCount(db.Model):
    """Anonymous tallies of where a form was embedded, per day.

    How often a site (its origin only: scheme, host and port) showed the
    form in its pages, and whether Leadgate let it (`allowed`) or the
    browser was told to refuse it. No page address, no visitor. Bounded per
    form and day (see capture/leads/embed_counts.py) against junk origins.
    """

    __tablename__ = "embed_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    allowed: Mapped[bool] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ChannelCost(db.Model):
    """What marketing spent on one channel in one calendar month, in cents."""

    __tablename__ = "channel_costs"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint("amount_cents >= 0", name="amount_cents"),
    )

    # The first day of the month.
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    amount_cents: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


OUTBOX_STATUSES = ("pending", "sending", "delivered", "failed")


class Outbox(db.Model):
    """A notification to deliver (an e-mail to sales, a webhook call), written
    in the same transaction as the change it announces; the worker sends it.

    `pending` waits for `next_attempt_at`; `sending` is leased to a worker
    until `lease_until` (a worker that died mid-send is taken over after
    that); `delivered`; `failed` after the last attempt (admin can retry).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        CheckConstraint(_in("channel", ("email", "webhook")), name="channel"),
        # The worker's question: what is due now, oldest first.
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    # Where to: the e-mail addresses or the webhook URL, as set when written.
    target: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict] = mapped_column(JSON)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(db.Model):
    """A setting the admin edits in the browser, stored as JSON under a key."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Note(db.Model):
    """A sales person's note on a lead."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()


NAME_LENGTH = 120


class User(UserMixin, db.Model):
    """A sales person or admin who logs in."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", ("admin", "sales")), name="role"),
        CheckConstraint("weight BETWEEN 1 AND 10", name="weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # How the person is named to colleagues ("Anna de Vries"); None: their e-mail.
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every login session's id: a new value ends all of them at once.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # The language of the sales and admin pages: "en" or "nl"; None follows the browser.
    language: Mapped[str | None] = mapped_column(String(5))
    # Taking leads (capture/domain/assignment.py): every active sales user
    # does; an admin when this is on, or by default (None) while no active
    # sales user exists. Ignored for sales users.
    takes_leads: Mapped[bool | None] = mapped_column()
    # The share of round-robin turns: a part-timer 1, others 2 (1 to 10).
    weight: Mapped[int] = mapped_column(default=2, server_default="2")
    # Their own calendar page, offered to the leads they own ("Book a call with Anna").
    booking_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    absences: Mapped[list["Absence"]] = relationship(
        back_populates="user", order_by="Absence.starts", foreign_keys="Absence.user_id"
    )

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Log this user out everywhere (logout, a new password)."""
        self.session_token = new_session_token()


class Absence(db.Model):
    """A person away from `starts` to `ends` (both days included, the
    business's local dates): they get no new leads, and when it starts their
    opportunities still waiting for a first response go to someone else."""

    __tablename__ = "absences"
    __table_args__ = (
        CheckConstraint("ends >= starts", name="ends_after_starts"),
        Index("ix_absences_user_ends", "user_id", "ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts: Mapped[date]
    ends: Mapped[date]
    # Who set it (the person themself or an admin).
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the person's waiting opportunities were handed over at its start
    # (None: not yet; the worker does it on the first day).
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="absences", foreign_keys=[user_id])


class LoginFailure(db.Model):
    """Failed logins for one e-mail address, known or not, in the current window
    (see capture/access/lockout.py). A row goes once its window and lock are over."""

    __tablename__ = "login_failures"

    # The address as typed at the login, case-folded.
    email_key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int]
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
