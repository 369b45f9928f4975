"""Storing what a visitor sent: one lead per person, one submission per post.

Each function commits before it returns, so whatever the visitor is shown as
received is in the database.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..db.rows import Record, insert_record, insert_rows, update_record
from ..db.transactions import begin_write, commit_keeping_loaded
from ..domain.answers import merge_answers, same_answer
from ..domain.identity import email_key
from ..domain.rules import QualificationRules
from ..domain.vocabulary import CLICK_ID_PARAMS, UTM_PARAMS, size_class
from ..extensions import db
from ..models import Form, Lead, ListChange, Submission, utcnow
from ..notifications.outbox import announce_routing
from .attribution import channel_for, source_for
from .clocks import ClockStart, clock_after_move, recompute_clock, start_clock, store_clock
from .consent import Wording, version_of
from .funnel_counts import count_form_event
from .owners import OwnerMove, drop_owner, hand_to_owner, owner_after_answers
from .qualification import Move, current_rules, intake_rules, rescore, touch

# Logged when a lead's own qualifying step disqualifies it.
DISQUALIFIED_BY_ITS_ANSWERS = "disqualified by its own answers"

LEAD_ANSWERS = (
    "name",
    "company",
    "phone",
    "sector",
    "headcount",
    "role",
    "budget",
    "timeline",
    "need",
)


class Draft:
    """A lead's columns as plain values (None for any not given yet): the
    answers and routing are worked out on it, then one statement stores it."""

    def __init__(self, values: dict) -> None:
        object.__setattr__(self, "values", dict(values))

    def __getattr__(self, name: str):
        return self.values.get(name)

    def __setattr__(self, name: str, value) -> None:
        self.values[name] = value

    def changes_from(self, lead: Record) -> dict:
        return {k: v for k, v in self.values.items() if getattr(lead, k) != v}


def _update_answers(lead: Draft, answers: dict) -> None:
    """Apply `answers` as given (a first submission, a hand entry); a changed
    answer set aside earlier for a field given here is settled by it."""
    given = [name for name in LEAD_ANSWERS if answers.get(name) not in (None, "")]
    for name in given:
        setattr(lead, name, answers[name])
    pending = {k: v for k, v in (lead.changed_answers or {}).items() if k not in given}
    if pending != (lead.changed_answers or {}):
        lead.changed_answers = pending or None
        if not pending:
            lead.answers_changed_at = None


def _weigh_answers(lead: Draft, answers: dict, when) -> None:
    """A returning lead's new answers: those that fill a blank are taken, those
    that differ from a stored answer are kept aside for a person to check."""
    merge = merge_answers(
        {name: getattr(lead, name) for name in LEAD_ANSWERS},
        {name: answers.get(name) for name in LEAD_ANSWERS},
    )
    for name, value in merge.taken.items():
        setattr(lead, name, value)
    known = lead.changed_answers or {}
    # The same differing answers sent again ask for no new check.
    news = {
        name: value
        for name, value in merge.differing.items()
        if name not in known or not same_answer(known[name], value)
    }
    if news:
        lead.changed_answers, lead.answers_changed_at = {**known, **news}, when


class NonceTaken(Exception):
    """The form's nonce was already used by a different person."""


def locked_lead(condition) -> Lead | None:
    # populate_existing: a lead already in the session is refreshed from the
    # locked row, not reused with values from before the lock.
    return db.session.scalars(
        db.select(Lead).where(condition).with_for_update().execution_options(populate_existing=True)
    ).one_or_none()


# The intake reads and writes rows with Core statements (capture/db/rows.py).
_LEADS, _SUBMISSIONS = Lead.__table__, Submission.__table__

_LEAD_BY_KEY = db.select(_LEADS).where(_LEADS.c.email_key == db.bindparam("key")).with_for_update()


def _locked_lead_by_key(key: str) -> Record | None:
    """The person's lead, its row locked until commit; None for someone new."""
    found = db.session.connection().execute(_LEAD_BY_KEY, {"key": key}).one_or_none()
    return Record.of(found) if found is not None else None


_INTENTS = db.select(_SUBMISSIONS.c.intent).where(_SUBMISSIONS.c.lead_id == db.bindparam("lead_id"))


def stored_intents(lead_id: int) -> list[str]:
    """The intents of the lead's stored submissions."""
    return list(db.session.connection().scalars(_INTENTS, {"lead_id": lead_id}))


_BY_NONCE = (
    db.select(_SUBMISSIONS, _LEADS.c.email_key.label("lead_email_key"))
    .join(_LEADS, _LEADS.c.id == _SUBMISSIONS.c.lead_id)
    .where(_SUBMISSIONS.c.nonce == db.bindparam("nonce"))
)


@dataclass(frozen=True)
class Consent:
    """What a visitor agreed to: the wording shown, and whether they asked
    for marketing (counted once confirmed by e-mail)."""

    wording: Wording
    marketing: bool


@dataclass(frozen=True)
class Entry:
    """A submission to record: its answers, and where and how it came in.

    `form_id` for a visitor's post, `entered_by_id` for a hand entry by
    sales; `one_step` is complete at once; `consent` the consent the visitor
    gave, when they gave one; `fields` the form's hidden fields.
    """

    answers: dict
    intent: str
    channel: str
    nonce: str
    attribution: dict = field(default_factory=dict)
    source: str = ""
    form_id: int | None = None
    entered_by_id: int | None = None
    one_step: bool = False
    consent: Consent | None = None
    # The form's hidden fields as the host page passed them (name -> value).
    fields: dict = field(default_factory=dict)

    def touch_data(self) -> dict:
        """The columns that say where this touch came from (lead and submission)."""
        attribution = self.attribution
        return {
            "channel": self.channel,
            "referrer": attribution.get("referrer"),
            "landing_page": attribution.get("landing_page"),
            **{name: attribution.get(name) for name in UTM_PARAMS},
        }


def _replay_of(entry: Entry, key: str) -> Record | None:
    """The submission stored before for `entry`'s nonce, if any (a double
    click, a retry); NonceTaken if it came from elsewhere or someone else."""
    found = db.session.connection().execute(_BY_NONCE, {"nonce": entry.nonce}).one_or_none()
    if found is None:
        return None
    replay = Record.of(found)
    same_place = (replay.form_id, replay.entered_by_id) == (entry.form_id, entry.entered_by_id)
    if not same_place or replay.lead_email_key != key:
        raise NonceTaken(entry.nonce)
    return replay


def _log_move(lead_id: int, move: Move | None) -> None:
    if move is not None:
        insert_rows(ListChange, [{**move.columns(), "lead_id": lead_id}])


def _store_new_lead(entry: Entry, key: str, rules: QualificationRules, now) -> Record:
    """Route a new person's lead by `rules` and store it with its first list change."""
    draft = Draft(
        {
            "email_key": key,
            "email": entry.answers["email"],
            "name": entry.answers["name"],
            "first_interest_at": now,
            "last_interest_at": now,
            "source": entry.source or None,
            "first_form_id": entry.form_id,
            "fields": dict(entry.fields),
            **entry.touch_data(),
        }
    )
    _update_answers(draft, entry.answers)
    move = rescore(draft, rules, first_routing=True, intents=[entry.intent])
    clock = start_clock(draft, now)
    handed = _hand_over(draft, entry, was_opportunity=False)
    # The unique e-mail key makes a simultaneous first post by the same
    # person fail here; the transaction is tried again and finds this lead.
    lead = insert_record(Lead, draft.values)
    _log_move(lead.id, move)
    _log_owner(lead, handed)
    store_clock(lead, clock)
    return lead


def _hand_over(draft: Draft, entry: Entry, was_opportunity: bool) -> OwnerMove | None:
    # A hand entry goes to whoever enters it, and is logged as theirs.
    who = entry.entered_by_id
    # A visitor's first step whose qualifying step may follow.
    more_to_come = who is None and not entry.one_step
    return hand_to_owner(
        draft, was_opportunity, entry.form_id, entered_by_id=who, by=who, more_to_come=more_to_come
    )


def _log_owner(lead: Record, move: OwnerMove | None) -> None:
    """Log `move` on `lead`, as stored after the change."""
    if move is not None:
        move.log(lead)


def _update_returning_lead(lead: Record, entry: Entry, rules: QualificationRules, now) -> Record:
    """A known person's new submission: their answers weighed (a hand entry by
    sales applied as entered) and the lead routed again; the lead as stored now."""
    draft = Draft(vars(lead))
    # A later submission is evidence, not authority.
    returning = entry.entered_by_id is None
    if returning:
        _weigh_answers(draft, entry.answers, now)
    else:
        _update_answers(draft, entry.answers)
    touch(draft, now)
    if entry.fields:
        # The latest value per name wins.
        draft.fields = {**(lead.fields or {}), **entry.fields}
    intents = [*stored_intents(lead.id), entry.intent]
    move = rescore(draft, rules, intents=intents, up_only=returning)
    clock = clock_after_move(draft, lead.list, now)
    was_opportunity = lead.list == "opportunity"
    handed = _hand_over(draft, entry, was_opportunity)
    _log_move(lead.id, move)
    updated = update_record(Lead, lead, draft.changes_from(lead))
    _log_owner(updated, handed)
    store_clock(updated, clock)
    return updated


def _store_submission(entry: Entry, lead_id: int, now) -> Record:
    consent = entry.consent
    values = {
        "lead_id": lead_id,
        "nonce": entry.nonce,
        "intent": entry.intent,
        "answers": {k: v for k, v in entry.answers.items() if v not in (None, "")},
        "click_ids": {k: v for k, v in entry.attribution.items() if k in CLICK_ID_PARAMS},
        "page_url": entry.attribution.get("page_url"),
        "fields": dict(entry.fields),
        "created_at": now,
        "completed_at": now if entry.one_step else None,
        "form_id": entry.form_id,
        "entered_by_id": entry.entered_by_id,
        **entry.touch_data(),
    }
    if consent is not None:
        values |= {
            "consented_at": now,
            "marketing_consent": consent.marketing,
            # Recorded once per wording and form, in this transaction if new.
            "consent_version_id": version_of(entry.form_id, consent.wording),
        }
    return insert_record(Submission, values)


def _add_submission(
    entry: Entry,
    rules: QualificationRules,
    first_try: bool,
    then: Callable[[Record, Record], None] | None = None,
) -> Record:
    """Find or create the lead for `entry`, add its submission and route the lead by `rules`.

    The lead is matched on the case-folded e-mail; a new one takes this
    submission's attribution as its first touch. A nonce seen before returns
    its submission, if it came from the same place for the same person;
    else NonceTaken. `then(submission, lead)` runs for a new submission.
    """
    key = email_key(entry.answers["email"])
    # A first try does not look for the nonce: a post seen before is rare, and
    # the unique nonce then refuses the insert, so the next try finds it.
    replay = None if first_try else _replay_of(entry, key)
    if replay is not None:
        return replay
    now = utcnow()
    lead = _locked_lead_by_key(key)
    if lead is None:
        was_opportunity, new_lead = False, True
        lead = _store_new_lead(entry, key, rules, now)
    else:
        was_opportunity, new_lead = lead.list == "opportunity", False
        lead = _update_returning_lead(lead, entry, rules, now)
    submission = _store_submission(entry, lead.id, now)
    announce_routing(lead, was_opportunity, new_lead)
    if then is not None:
        then(submission, lead)
    if entry.form_id is not None:
        # Last: the counter's row stays locked until commit (PostgreSQL).
        count_form_event(entry.form_id, "contact", now)
    return submission


def _committed_with_retries(record: Callable[[bool], Record], attempts: int = 3) -> Record:
    """Run `record(first_try)` in a write transaction and commit it.

    A unique key can refuse an insert: the nonce, when the same rendering
    was posted before (a double click, a retry), or the e-mail key, when the
    same person posts twice at the same moment. The transaction is rolled
    back and run again, and then finds the stored submission or the other
    one's lead. NonceTaken is not retried.
    """
    for attempt in range(attempts):
        begin_write(keep_loaded=True)
        try:
            submission = record(attempt == 0)
            commit_keeping_loaded()
            return submission
        except NonceTaken:
            db.session.rollback()
            raise
        except IntegrityError:
            db.session.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def record_contact_step(
    form: Form,
    contact: dict,
    attribution: dict,
    nonce: str,
    host: str,
    consent: Wording,
    then: Callable[[Record, Record], None] | None = None,
    fields: dict | None = None,
) -> Record:
    """Store the contact step: find or create the lead, add a submission, route.

    `nonce` comes from the form token: posting the same rendering twice
    returns the first submission instead of adding a second. Raises NonceTaken
    when the rendering was already sent for another e-mail address, and
    IntegrityError only if the database keeps refusing after retries.
    `then(submission, lead)` runs for a new submission before it is committed.
    `consent` is the wording the visitor accepted: its version is recorded
    with the submission, and a ticked marketing consent (or a newsletter
    sign-up) is recorded with the submission; it counts for the lead only
    once confirmed by e-mail (see intake/confirm.py). `fields` are the form's
    hidden fields, stored on the submission and merged onto the lead (the
    latest value per name wins). Returns the submission as stored (a Record).
    """

    def record(first_try: bool) -> Record:
        entry = Entry(
            answers=contact,
            intent=form.intent,
            channel=channel_for(attribution, host),
            nonce=nonce,
            attribution=attribution,
            source=source_for(attribution, host),
            form_id=form.id,
            consent=Consent(
                consent, marketing=form.kind == "newsletter" or bool(contact.get("marketing"))
            ),
            fields=fields or {},
        )
        return _add_submission(entry, intake_rules(), first_try, then)

    return _committed_with_retries(record)


_SUBMISSION_AND_LEAD = (
    db.select(_SUBMISSIONS, *[column.label(f"lead__{column.name}") for column in _LEADS.c])
    .join(_LEADS, _LEADS.c.id == _SUBMISSIONS.c.lead_id)
    .where(_SUBMISSIONS.c.id == db.bindparam("submission_id"))
    .where(_SUBMISSIONS.c.form_id == db.bindparam("form_id"))
    .with_for_update()
)


def _clock_after_step(draft: Draft, lead: Record, returning: bool, now) -> ClockStart | None:
    """The qualifying step routed `draft` (`lead` as it was): a move stops
    the running clock and may start another (to store); a new lead's own
    answers changing its size class recompute the running one from its start."""
    if draft.list != lead.list:
        return clock_after_move(draft, lead.list, now)
    if not returning and size_class(draft.headcount) != size_class(lead.headcount):
        recompute_clock(draft)
    return None


def _locked_submission_and_lead(submission_id: int, form_id: int) -> tuple[Record, Record] | None:
    # Both rows locked before anything of them is read (sales may be
    # changing the lead), in one query.
    found = db.session.connection().execute(
        _SUBMISSION_AND_LEAD, {"submission_id": submission_id, "form_id": form_id}
    )
    row = found.one_or_none()
    if row is None:
        return None
    values = row._mapping
    submission = Record(**{column.name: values[column.name] for column in _SUBMISSIONS.c})
    lead = Record(**{column.name: values[f"lead__{column.name}"] for column in _LEADS.c})
    return submission, lead


def complete_submission(
    submission_id: int,
    form_id: int,
    answers: dict,
    then: Callable[[Record, Record], None] | None = None,
) -> Record | None:
    """Store the qualifying step on its submission and route the lead again.

    Completing a submission twice changes nothing the second time. Returns
    the submission as stored (a Record), or None when no such submission of
    that form exists (erased since). `then(submission, lead)` runs on the
    first completion, before the commit.
    """
    begin_write(keep_loaded=True)
    found = _locked_submission_and_lead(submission_id, form_id)
    if found is None or found[0].completed_at is not None:
        commit_keeping_loaded()
        return found[0] if found else None
    submission, lead = found
    given = {k: v for k, v in answers.items() if v not in (None, "")}
    now = utcnow()
    submission = update_record(
        Submission, submission, {"answers": {**submission.answers, **given}, "completed_at": now}
    )
    was_opportunity = lead.list == "opportunity"
    intents = stored_intents(lead.id)
    # Only a new person's first submission routes freely, both its steps: once
    # anything else came in (another form, a hand entry by sales), this step
    # is a returning lead's.
    returning = len(intents) > 1
    draft = Draft(vars(lead))
    if returning:
        _weigh_answers(draft, given, now)
    else:
        _update_answers(draft, given)
    move = rescore(draft, intake_rules(), intents=intents, up_only=returning)
    clock = _clock_after_step(draft, lead, returning, now)
    if move is not None and move.to_list == "disqualified" and not returning:
        # Disqualified by its own qualifying step (not by a person's pin).
        handed = drop_owner(draft, DISQUALIFIED_BY_ITS_ANSWERS)
    else:
        handed = hand_to_owner(draft, was_opportunity, form_id=form_id)
        if handed is None and not returning:
            # Its answers may match a rule its first step could not.
            handed = owner_after_answers(draft, form_id)
    _log_move(lead.id, move)
    lead = update_record(Lead, lead, draft.changes_from(lead))
    _log_owner(lead, handed)
    store_clock(lead, clock)
    announce_routing(lead, was_opportunity, new_lead=False)
    if then is not None:
        then(submission, lead)
    count_form_event(form_id, "qualify", now)
    commit_keeping_loaded()
    return submission


def record_manual_lead(
    answers: dict, intent: str, channel: str, user_id: int, nonce: str
) -> Submission:
    """Store a lead entered by sales (a phone call, a business card): one step.

    Like the web path: the lead is found by its case-folded e-mail or created,
    gets a submission (no form, `entered_by_id` the user) and is routed by the
    rules; an existing lead keeps its first touch. `nonce` comes from the
    rendered page, so a double-clicked post returns the first submission.
    Raises NonceTaken when that page was already sent for someone else, and
    IntegrityError only if the database keeps refusing after retries.
    Returns the stored submission, loaded through the ORM for the sales page.
    """
    entry = Entry(
        answers=answers,
        intent=intent,
        channel=channel,
        nonce=nonce,
        entered_by_id=user_id,
        one_step=True,
    )
    stored = _committed_with_retries(
        lambda first_try: _add_submission(entry, current_rules(), first_try)
    )
    return db.session.get(Submission, stored.id)
