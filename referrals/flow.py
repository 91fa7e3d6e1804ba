"""The self-referral journey: its pages in order, and the answers held in the session.

Answers live under one session key, encrypted with the field-encryption key (the session
table is not somewhere personal data should sit in clear), until the referral is sent;
then they are cleared and only the confirmation to show is kept.

The answers are compressed before they are encrypted (ciphertext does not compress). A whole
journey is then about half the size, so its session row stays below PostgreSQL's TOAST
threshold (about 2 kB): each answer saved rewrites one row instead of the row plus three
out-of-line chunks and their index entries. The length of a server-side session row is
seen by nobody, so compressing before encrypting leaks nothing here.

The same journey runs in two flows: the public web form and the handler's phone form.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cryptography.fernet import InvalidToken
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from encrypted_model_fields import fields as encrypted_fields

from . import forms
from .models import Channel
from .services import ReferralAnswers

# Submitted tokens remembered after sending, so a repeated POST shows the same confirmation.
REMEMBERED_SUBMISSIONS = 5
# Marks a compressed journey; a journey saved before compression (plain JSON) starts with "{".
COMPRESSED = b"z"


def _seal(data: dict[str, Any]) -> str:
    plain = json.dumps(data, separators=(",", ":")).encode()
    return encrypted_fields.CRYPTER.encrypt(COMPRESSED + zlib.compress(plain)).decode()


def _unseal(sealed: str) -> Any:
    opened = encrypted_fields.CRYPTER.decrypt(sealed.encode())
    if opened.startswith(COMPRESSED):
        opened = zlib.decompress(opened[len(COMPRESSED) :])
    return json.loads(opened)


@dataclass(frozen=True)
class Step:
    slug: str
    form_class: type[forms.QuestionForm]

    @property
    def url_name(self) -> str:
        return self.slug.replace("-", "_")


STEPS: tuple[Step, ...] = (
    Step("self", forms.SelfReferralForm),
    Step("profession", forms.ProfessionForm),
    Step("registration", forms.RegistrationForm),
    Step("work-location", forms.WorkLocationForm),
    Step("role", forms.RoleForm),
    Step("workplace", forms.WorkplaceForm),
    Step("seen-where", forms.SeenWhereForm),
    Step("needs", forms.NeedsForm),
    Step("safety", forms.SafetyForm),
    Step("name", forms.NameForm),
    Step("date-of-birth", forms.DateOfBirthForm),
    Step("contact", forms.ContactForm),
    Step("contact-preferences", forms.ContactPreferencesForm),
    Step("people-known", forms.PeopleKnownForm),
    Step("heard-about", forms.HeardAboutForm),
)
STEP_INDEX = {step.slug: index for index, step in enumerate(STEPS)}
SAFETY_STEP = "safety"
# Pages that end the journey, by url name.
TERMINAL_PAGES = ("not_self", "students", "devolved", "outside_uk")


@dataclass(frozen=True)
class Flow:
    """Web (public, by the doctor) or phone (a handler, for a doctor on the phone)."""

    name: str
    session_key: str
    channel: Channel
    url_prefix: str

    @property
    def phone(self) -> bool:
        return self.channel == Channel.PHONE

    def url(self, name: str, *, change: bool = False) -> str:
        url = reverse(f"referrals:{self.url_prefix}{name}")
        return f"{url}?change=1" if change else url

    def step_url(self, step: Step, *, change: bool = False) -> str:
        return self.url(step.url_name, change=change)

    def start_url(self) -> str:
        return self.url("start")


WEB = Flow("web", "referral", Channel.WEB, "")
PHONE = Flow("phone", "phone_referral", Channel.PHONE, "phone_")


@dataclass
class Journey:
    """What one browser session holds for one flow."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    token: str | None = None
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    confirmation: dict[str, Any] | None = None
    # What each question page's answer was found to mean when it was saved: see `walk`.
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: SessionBase, flow: Flow) -> Journey:
        sealed = session.get(flow.session_key)
        if not sealed:
            return cls()
        try:
            data = _unseal(sealed)
        except (InvalidToken, ValueError, TypeError, zlib.error):
            # A key rotation or a tampered cookie store: start again rather than fail.
            return cls()
        return cls(
            answers=data.get("answers") or {},
            token=data.get("token"),
            done=data.get("done") or {},
            confirmation=data.get("confirmation"),
            checked=data.get("checked") or {},
        )

    @classmethod
    def replay(cls, answers: dict[str, dict[str, Any]], flow: Flow) -> Journey:
        """The journey the question pages would have saved for these answers, page by page."""
        journey = cls()
        for step in STEPS:
            state = walk(journey.answers, flow, upto=step, checked=journey.checked)
            data = answers.get(step.slug)
            if data is None or state.terminal is not None or state.blocks(step) is not None:
                break
            form = step.form_class(data=data, prior=state.prior_for(step), phone=flow.phone)
            if not form.is_valid():
                break
            journey.answer(step, form, state)
        return journey

    def save(self, session: SessionBase, flow: Flow) -> None:
        data = {
            "answers": self.answers,
            "token": self.token,
            "done": self.done,
            "confirmation": self.confirmation,
            "checked": self.checked,
        }
        session[flow.session_key] = _seal(data)

    def answer(self, step: Step, form: forms.QuestionForm, state: Walk) -> None:
        """Keep a valid answer to `step`, forgetting the answers it makes meaningless."""
        slug = step.slug
        stored = form.storable()
        if self.answers.get(slug) != stored:
            for dependant in form.invalidates:
                self.answers.pop(dependant, None)
                self.checked.pop(dependant, None)
        self.answers[slug] = stored
        self.checked.pop(slug, None)
        facts = form.facts()
        # Only facts that survive JSON unchanged are kept (a date of birth does not): a page
        # without a kept meaning is simply checked again by its form.
        if _plain(facts):
            self.checked[slug] = {
                "chain": _chain(state.chain, stored),
                "facts": facts,
                "branch": form.branch(),
            }

    def new_token(self) -> str:
        self.token = secrets.token_urlsafe(24)
        return self.token

    def remember(self, token: str, result: dict[str, Any]) -> None:
        """The journey is finished: forget the answers, keep what to show."""
        done = {**self.done, token: result}
        self.done = dict(list(done.items())[-REMEMBERED_SUBMISSIONS:])
        self.answers = {}
        self.checked = {}
        self.token = None
        self.confirmation = result


@dataclass
class Walk:
    """The answers so far, checked page by page in order."""

    # The forms bound in this walk: a page taken from its kept meaning has none here.
    forms: dict[str, forms.QuestionForm]
    facts: dict[str, Any]
    first_missing: Step | None
    terminal: str | None
    terminal_step: Step | None
    # Each checked page's facts, and a digest of the answers checked so far (see `walk`).
    page_facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    chain: str = ""

    def prior_for(self, step: Step) -> dict[str, Any]:
        """The facts from the pages before `step`: what its form may depend on."""
        prior: dict[str, Any] = {}
        for earlier in STEPS[: STEP_INDEX[step.slug]]:
            prior.update(self.page_facts.get(earlier.slug, {}))
        return prior

    def blocks(self, step: Step) -> Step | None:
        """The earlier page that must be answered first, if any."""
        if self.first_missing is not None and STEP_INDEX[self.first_missing.slug] < STEP_INDEX[step.slug]:
            return self.first_missing
        return None

    @property
    def complete(self) -> bool:
        return self.first_missing is None and self.terminal is None

    def rows(self, flow: Flow) -> list[dict[str, str]]:
        rows = []
        for step in STEPS:
            for question, answer in self.forms[step.slug].summary():
                rows.append({"question": question, "answer": answer, "url": flow.step_url(step, change=True)})
        return rows

    def referral_answers(self) -> ReferralAnswers:
        f = self.facts
        born: date = f["date_of_birth"]
        return ReferralAnswers(
            self_referral=f["is_self"],
            profession=f["profession"],
            registration_number=f["registration_number"],
            work_location=f["work_location"],
            career_stage=f["career_stage"],
            career_stage_other=f.get("career_stage_other", ""),
            work_region=f["work_region"],
            employer=f.get("employer", ""),
            seen_where=f["seen_where"],
            seen_region=f.get("seen_region", ""),
            needs=tuple(f["needs"]),
            needs_other=f.get("needs_other", ""),
            self_harm_thoughts=f["self_harm"],
            name=f["name"],
            preferred_name=f.get("preferred_name", ""),
            date_of_birth=born,
            email=f["email"],
            mobile=f["mobile"],
            voicemail_ok=f["voicemail_ok"],
            texts_ok=f["texts_ok"],
            best_times=f.get("best_times", ""),
            people_known=f.get("people_known", ""),
            heard_about=f.get("heard_about", ""),
        )


def _plain(facts: dict[str, Any]) -> bool:
    try:
        return bool(json.loads(json.dumps(facts)) == facts)
    except TypeError:
        return False


def _chain(previous: str, data: dict[str, Any]) -> str:
    """A digest of the answers so far, page by page: equal digests mean equal earlier answers."""
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(f"{previous}|{encoded}".encode(), digest_size=16).hexdigest()


def walk(
    answers: dict[str, dict[str, Any]],
    flow: Flow,
    *,
    upto: Step | None = None,
    checked: dict[str, dict[str, Any]] | None = None,
) -> Walk:
    """Re-check every stored answer in order, stopping at the first gap or at a page that ends the journey.

    With `upto`, only the pages before it are checked (all a question page depends on) and
    `upto` itself counts as the first page not yet answered.

    With `checked` (what `Journey.answer` kept when each answer was saved), a page whose
    answer and every earlier answer are exactly as they were then is not bound to its
    form again: its form is a pure function of those answers, so its facts and branch are
    the ones kept. Any change before it, and any page without a kept meaning, goes through
    the form as before. Only question pages pass `checked`; "Check your answers" and the
    submission always re-check every answer with its form.
    """
    bound: dict[str, forms.QuestionForm] = {}
    facts: dict[str, Any] = {}
    page_facts: dict[str, dict[str, Any]] = {}
    chain = flow.name
    kept = checked or {}

    def stop(missing: Step | None, terminal: str | None = None, at: Step | None = None) -> Walk:
        return Walk(bound, facts, missing, terminal, at, page_facts, chain)

    for step in STEPS:
        if step == upto:
            return stop(step)
        data = answers.get(step.slug)
        if data is None:
            return stop(step)
        link = _chain(chain, data)
        known = kept.get(step.slug)
        if known is not None and known.get("chain") == link:
            page = dict(known["facts"])
            terminal = known.get("branch")
        else:
            form = step.form_class(data=data, prior=dict(facts), phone=flow.phone)
            if not form.is_valid():
                return stop(step)
            bound[step.slug] = form
            page = form.facts()
            terminal = form.branch()
        chain = link
        page_facts[step.slug] = page
        facts.update(page)
        if terminal is not None:
            return stop(None, terminal, step)
    return stop(None)


def next_url(flow: Flow, step: Step, answers: dict[str, dict[str, Any]], *, change: bool) -> str:
    """Where to go after answering `step`: on to the next page, or back to Check your answers when changing."""
    if change:
        state = walk(answers, flow)
        if state.first_missing is not None:
            return flow.step_url(state.first_missing, change=True)
        return flow.url("check")
    index = STEP_INDEX[step.slug]
    if index + 1 < len(STEPS):
        return flow.step_url(STEPS[index + 1])
    return flow.url("check")


def back_url(flow: Flow, step: Step, *, change: bool) -> str:
    if change:
        return flow.url("check")
    index = STEP_INDEX[step.slug]
    return flow.step_url(STEPS[index - 1]) if index else flow.start_url()
