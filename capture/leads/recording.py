"""Storing what a visitor sent: one lead per person, one submission per post.

Each function commits before it returns, so whatever the visitor is shown as
received is in the database.
"""

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from ..db.transactions import begin_write, commit_keeping_loaded
from ..domain.answers import merge_answers, same_answer
from ..domain.rules import QualificationRules
from ..domain.vocabulary import CLICK_ID_PARAMS, UTM_PARAMS
from ..extensions import db
from ..models import Form, Lead, Submission, utcnow
from ..notifications.outbox import announce_routing
from ..plain_writes import insert_now, update_now, write_now
from .attribution import channel_for, source_for
from .consent import Wording, version_of
from .funnel_counts import count_form_event
from .qualification import current_rules, intake_rules, requalify, touch

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


def email_key(email: str) -> str:
    """The identity of a person: the e-mail address, case-folded."""
    return email.strip().casefold()


def _update_answers(lead: Lead, answers: dict) -> None:
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


def _weigh_answers(lead: Lead, answers: dict, when) -> None:
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


_LEAD_BY_KEY = (
    db.select(Lead.__table__.c.id)
    .where(Lead.__table__.c.email_key == db.bindparam("key"))
    .with_for_update()
)


def _locked_lead_by_key(key: str) -> Lead | None:
    # Most posts come from someone new: finding nobody takes one plain query.
    found = db.session.connection().scalar(_LEAD_BY_KEY, {"key": key})
    return locked_lead(Lead.id == found) if found is not None else None


_INTENTS = db.select(Submission.__table__.c.intent).where(
    Submission.__table__.c.lead_id == db.bindparam("lead_id")
)


def stored_intents(lead_id: int) -> list[str]:
    """The intents of the lead's stored submissions (pending changes not flushed)."""
    return list(db.session.connection().scalars(_INTENTS, {"lead_id": lead_id}))


_BY_NONCE = db.select(Submission.__table__.c.id).where(
    Submission.__table__.c.nonce == db.bindparam("nonce")
)


def _submission_by_nonce(nonce: str) -> Submission | None:
    # Almost always none: asked with plain SQL, loaded through the ORM if found.
    found = db.session.connection().scalar(_BY_NONCE, {"nonce": nonce})
    return db.session.get(Submission, found) if found is not None else None


def _add_submission(
    answers: dict,
    rules: QualificationRules,
    nonce: str,
    first_try: bool,
    intent: str,
    channel: str,
    attribution: dict,
    one_step: bool = False,
    source: str = "",
    then: Callable[[Submission, Lead], None] | None = None,
    **origin,
) -> Submission:
    """Find or create the lead for `answers`, add a submission and route the lead by `rules`.

    The lead is matched on the case-folded e-mail; a new one takes this
    submission's attribution as its first touch. `origin` holds the columns
    that say where the submission came from: `form_id`, or `entered_by_id`
    for a hand entry. A `one_step` entry is complete at once. A nonce seen
    before returns its submission, if it came from the same place for the
    same person; else NonceTaken.
    """
    key = email_key(answers["email"])
    # A first try does not look for the nonce: a post seen before is rare, and
    # the unique nonce then refuses the insert, so the next try finds it.
    replay = None if first_try else _submission_by_nonce(nonce)
    if replay:
        same_place = (replay.form_id, replay.entered_by_id) == (
            origin.get("form_id"),
            origin.get("entered_by_id"),
        )
        if not same_place or replay.lead.email_key != key:
            raise NonceTaken(nonce)
        return replay
    now = utcnow()
    touch_data = {
        "channel": channel,
        "referrer": attribution.get("referrer"),
        "landing_page": attribution.get("landing_page"),
        **{name: attribution.get(name) for name in UTM_PARAMS},
    }
    lead = _locked_lead_by_key(key)
    new_lead = lead is None
    if new_lead:
        # The list is set by requalify below; the unique e-mail key makes a
        # simultaneous first post by the same person fail at the flush and retry.
        lead = Lead(
            email_key=key,
            email=answers["email"],
            name=answers["name"],
            list="nurture",
            reason="",
            first_interest_at=now,
            last_interest_at=now,
            source=source or None,
            first_form_id=origin.get("form_id"),
            **touch_data,
        )
        db.session.add(lead)
    was_opportunity = not new_lead and lead.list == "opportunity"
    # A later submission is evidence, not authority; a hand entry by sales is
    # applied as entered.
    returning = not new_lead and origin.get("entered_by_id") is None
    if returning:
        _weigh_answers(lead, answers, now)
    else:
        _update_answers(lead, answers)
    touch(lead, now)
    submission = Submission(
        lead=lead,
        nonce=nonce,
        intent=intent,
        answers={k: v for k, v in answers.items() if v not in (None, "")},
        click_ids={k: v for k, v in attribution.items() if k in CLICK_ID_PARAMS},
        page_url=attribution.get("page_url"),
        created_at=now,
        completed_at=now if one_step else None,
        **touch_data,
        **origin,
    )
    db.session.add(submission)
    # Nothing is flushed yet: a new lead is stored by one INSERT, routed.
    intents = [intent] if new_lead else [*stored_intents(lead.id), intent]
    requalify(lead, rules, first_routing=new_lead, intents=intents, up_only=returning)
    announce_routing(lead, was_opportunity, new_lead)
    if then is not None:
        then(submission, lead)
    if new_lead:
        # All three rows are new: stored by plain INSERTs, not the unit of work.
        insert_now(lead, submission, *lead.list_changes)
    if submission.form_id is not None:
        # Last: the counter's row stays locked until commit (PostgreSQL).
        count_form_event(submission.form_id, "contact", now)
    return submission


def _committed_with_retries(record: Callable[[bool], Submission], attempts: int = 3) -> Submission:
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
    then: Callable[[Submission, Lead], None] | None = None,
) -> Submission:
    """Store the contact step: find or create the lead, add a submission, route.

    `nonce` comes from the form token: posting the same rendering twice
    returns the first submission instead of adding a second. Raises NonceTaken
    when the rendering was already sent for another e-mail address, and
    IntegrityError only if the database keeps refusing after retries.
    `then(submission, lead)` runs for a new submission before it is committed.
    `consent` is the wording the visitor accepted: its version is recorded
    with the submission, and a ticked marketing consent (or a newsletter
    sign-up) is recorded with the submission; it counts for the lead only
    once confirmed by e-mail (see confirm.py).
    """
    channel, source = channel_for(attribution, host), source_for(attribution, host)
    newsletter = form.kind == "newsletter"

    def with_consent(submission: Submission, lead: Lead) -> None:
        submission.consented_at = submission.created_at
        submission.marketing_consent = newsletter or bool(contact.get("marketing"))
        submission.consent_version_id = version_of(form.id, consent)
        if then is not None:
            then(submission, lead)

    return _committed_with_retries(
        lambda first_try: _add_submission(
            contact,
            intake_rules(),
            nonce,
            first_try,
            form.intent,
            channel,
            attribution,
            source=source,
            then=with_consent,
            form_id=form.id,
        )
    )


_SUBMISSION_AND_LEAD = (
    db.select(Submission, Lead)
    .join(Lead, Submission.lead_id == Lead.id)
    .where(Submission.id == db.bindparam("submission_id"))
    .where(Submission.form_id == db.bindparam("form_id"))
    .with_for_update()
)


def complete_submission(
    submission_id: int,
    form_id: int,
    answers: dict,
    then: Callable[[Submission, Lead], None] | None = None,
) -> Submission | None:
    """Store the qualifying step on its submission and route the lead again.

    Completing a submission twice changes nothing the second time. Returns
    None when no such submission of that form exists (erased since).
    `then(submission, lead)` runs on the first completion, before the commit.
    """
    begin_write(keep_loaded=True)
    # The submission and its lead, both rows locked before anything of them
    # is read (sales may be changing the lead), in one query.
    found = db.session.execute(
        _SUBMISSION_AND_LEAD,
        {"submission_id": submission_id, "form_id": form_id},
        execution_options={"populate_existing": True},
    ).one_or_none()
    if found is None or found.Submission.completed_at is not None:
        commit_keeping_loaded()
        return found.Submission if found else None
    submission, lead = found
    set_committed_value(submission, "lead", lead)  # for the page that follows
    given = {k: v for k, v in answers.items() if v not in (None, "")}
    update_now(submission, answers={**submission.answers, **given}, completed_at=utcnow())
    was_opportunity = lead.list == "opportunity"
    intents = stored_intents(lead.id)
    # Only a new person's first submission routes freely, both its steps: once
    # anything else came in (another form, a hand entry by sales), this step
    # is a returning lead's.
    returning = len(intents) > 1
    if returning:
        _weigh_answers(lead, given, submission.completed_at)
    else:
        _update_answers(lead, given)
    requalify(lead, intake_rules(), intents=intents, up_only=returning)
    announce_routing(lead, was_opportunity, new_lead=False)
    if then is not None:
        then(submission, lead)
    write_now(lead)
    count_form_event(form_id, "qualify", submission.completed_at)
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
    """
    return _committed_with_retries(
        lambda first_try: _add_submission(
            answers,
            current_rules(),
            nonce,
            first_try,
            intent,
            channel,
            {},
            one_step=True,
            entered_by_id=user_id,
        )
    )
