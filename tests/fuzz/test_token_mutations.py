"""Signed tokens, mutated: flipped, cut, extended, spliced, or swapped for a
token of another kind. Never a server error, never accepted: no submission
or lead stored, no step completed, no download counted, no sign-up confirmed.

Each example also sends the genuine token afterwards and sees it accepted,
so a refusal is the mutation's doing, not a broken set-up.
"""

import base64
import binascii
import string
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from capture.extensions import db
from capture.intake.confirm import CONFIRM_SALT
from capture.models import Form, Lead, Submission

from ..support.downloads import download_link
from ..support.fuzz import (
    ANY_CHAR,
    answered,
    contact_fields,
    counts,
    examples,
    fetch,
    form_page,
    page_of,
    second_step,
)

ALPHABET = string.ascii_letters + string.digits + "-_."


def _signature(signature: str) -> bytes | None:
    """The signature bytes as itsdangerous reads them: the text as UTF-8 bytes,
    padded, and decoded by a base64 decoder that skips bytes outside its alphabet."""
    raw = signature.encode()
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (ValueError, binascii.Error):
        return None


def same_token(original: str, other: str) -> bool:
    """Whether `other` is `original` written differently: the same signed value and a
    signature that decodes to the same bytes (base64's spare bits, stray characters)."""
    value, _, signature = original.rpartition(".")
    other_value, _, other_signature = other.rpartition(".")
    return value == other_value and _signature(signature) == _signature(other_signature)


@dataclass(frozen=True)
class Mutation:
    """A change to a token, drawn without looking at the token (whose length
    differs between examples); positions wrap around its length."""

    how: str
    at: int
    count: int
    text: str

    def applied_to(self, token: str, others: tuple[str, ...]) -> str:
        at = self.at % (len(token) + 1)
        segments = token.split(".")
        if self.how == "flip":  # one character replaced by another of the alphabet
            at = min(at, len(token) - 1)
            new = ALPHABET[(ALPHABET.index(token[at]) + 1 + self.count) % len(ALPHABET)]
            return token[:at] + new + token[at + 1 :]
        if self.how == "truncate":
            return token[: min(at, len(token) - 1)]
        if self.how == "extend":
            return token + self.text
        if self.how == "insert":
            return token[:at] + self.text + token[at:]
        if self.how == "delete":
            return token[:at] + token[at + 1 + self.count :]
        if self.how == "swap":  # two of the segments (payload, timestamp, signature) swapped
            i, j = self.at % len(segments), self.count % len(segments)
            segments[i], segments[j] = segments[j], segments[i]
            return ".".join(segments)
        if self.how == "splice":  # the first segments of this token, the rest of another's
            other = others[self.count % len(others)].split(".")
            cut = 1 + self.at % max(1, len(segments) - 1)
            return ".".join(segments[:cut] + other[cut:])
        if self.how == "case":
            return token.swapcase()
        return others[self.count % len(others)]  # "other": a token of another kind


MUTATIONS = st.builds(
    Mutation,
    how=st.sampled_from(
        ["flip", "truncate", "extend", "insert", "delete", "swap", "splice", "case", "other"]
    ),
    at=st.integers(0, 200),
    count=st.integers(0, 62),
    text=st.one_of(st.text(ALPHABET, min_size=1, max_size=6), st.text(ANY_CHAR, min_size=1)),
)


def mutated(data, token: str, others: tuple[str, ...]) -> str:
    """Draw a mutation of `token`; examples where it changes nothing are discarded."""
    mutation = data.draw(MUTATIONS, label="mutation")
    event(f"mutation: {mutation.how}")
    forged = mutation.applied_to(token, others)
    assume(not same_token(token, forged))
    return forged


def path_token(token: str) -> str:
    return quote(token, safe="")


# --- the form token (contact step) -----------------------------------------


@settings(max_examples=examples(40))
@given(slug=st.sampled_from(["demo-contact", "demo-ebook"]), data=st.data())
def test_a_mutated_form_token_is_refused_and_the_genuine_one_accepted(app, client, slug, data):
    page = form_page(client, slug)
    token = page.inputs["token"]
    other_form = form_page(client, "demo-ebook" if slug == "demo-contact" else "demo-contact")
    step = second_step(client, "demo-contact")  # a step token to swap in
    others = (other_form.inputs["token"], step.inputs["step_token"])
    forged = mutated(data, token, others)
    fields = {**page.inputs, **contact_fields()}
    before = counts(app)

    refused = client.post(page.action, data={**fields, "token": forged})

    assert answered(refused) == 422
    assert counts(app) == before
    accepted = client.post(page.action, data=fields)
    assert answered(accepted) == 200
    assert counts(app).submissions == before.submissions + 1


# --- the step token (qualifying step) --------------------------------------


def completed(app, email: str) -> bool:
    with app.app_context():
        lead = db.session.scalars(db.select(Lead).where(Lead.email_key == email)).one()
        return all(submission.completed_at for submission in lead.submissions)


@settings(max_examples=examples(40))
@given(data=st.data())
def test_a_mutated_step_token_is_refused_and_the_genuine_one_accepted(app, client, data):
    email = contact_fields()["email"]
    step = second_step(client, "demo-contact", email=email)
    token = step.inputs["step_token"]
    others = (form_page(client, "demo-contact").inputs["token"],)
    forged = mutated(data, token, others)
    answers = {**step.inputs, "sector": "ict", "headcount": "50-99"}
    before = counts(app)

    refused = client.post(step.action, data={**answers, "step_token": forged})

    assert answered(refused) == 422
    assert "token" in page_of(refused).inputs  # back to the contact step
    assert counts(app) == before
    assert not completed(app, email)
    assert answered(client.post(step.action, data=answers)) == 200
    assert completed(app, email)


# --- the download link /d/<token> ------------------------------------------


@pytest.fixture
def a_download_token(client):
    """The token of a completed e-book gate's download link."""
    step = second_step(client, "demo-ebook")
    done = client.post(step.action, data={**step.inputs, "sector": "ict", "headcount": "10-49"})
    return download_link(done).rsplit("/d/", 1)[1]


@settings(max_examples=examples(60))
@given(method=st.sampled_from(["GET", "HEAD"]), data=st.data())
def test_a_mutated_download_link_is_not_found_and_counts_no_download(
    app, client, a_download_token, method, data
):
    step = second_step(client, "demo-contact")
    others = (step.inputs["step_token"], form_page(client, "demo-ebook").inputs["token"])
    forged = mutated(data, a_download_token, others)
    before = counts(app)

    status = answered(fetch(client, method, "/d/" + path_token(forged)))

    assert status in (400, 404)  # 400: a NUL in the path
    assert counts(app).downloads == before.downloads
    assert answered(fetch(client, "GET", "/d/" + a_download_token)) == 200
    assert counts(app).downloads == before.downloads + 1


# --- the newsletter confirmation /c/<token> ---------------------------------


@pytest.fixture
def newsletter_signup(app, client):
    """A newsletter sign-up waiting for its confirmation; its link's token."""
    with app.app_context():
        db.session.add(Form(slug="news", kind="newsletter", title="News", intent="low"))
        db.session.commit()
    page = form_page(client, "news")
    email = contact_fields()["email"]
    done = client.post(page.action, data={**page.inputs, **contact_fields(email=email)})
    assert done.status_code == 200
    with app.app_context():
        submission_id = db.session.scalars(
            db.select(Submission.id).join(Lead).where(Lead.email_key == email)
        ).one()
        serializer = URLSafeTimedSerializer(app.secret_key, salt=CONFIRM_SALT)
        return email, serializer.dumps({"s": submission_id})


def confirmed(app, email: str) -> bool:
    with app.app_context():
        lead = db.session.scalars(db.select(Lead).where(Lead.email_key == email)).one()
        return lead.newsletter_confirmed_at is not None


@settings(max_examples=examples(60))
@given(method=st.sampled_from(["GET", "POST"]), data=st.data())
def test_a_mutated_confirmation_link_is_not_found_and_confirms_nothing(
    app, client, newsletter_signup, method, data
):
    email, token = newsletter_signup
    step = second_step(client, "demo-contact")
    others = (step.inputs["step_token"], form_page(client, "news").inputs["token"])
    forged = mutated(data, token, others)

    status = answered(fetch(client, method, "/c/" + path_token(forged)))

    assert status in (400, 404)
    assert not confirmed(app, email)
    # The genuine link shows the button (a GET confirms nothing either).
    assert answered(fetch(client, "GET", "/c/" + token)) == 200
    assert not confirmed(app, email)
