"""Property-based: whatever anyone types into any field, the answer is the next page or an error summary.

Never a 500 (the test client re-raises any exception a view lets out).
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.cache import cache
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.flow import STEP_INDEX, STEPS, WEB, Step, walk
from referrals.forms import ContactPreferencesChangeForm, PeopleKnownChangeForm
from referrals.models import Referral
from tests.conftest import verified_client
from tests.factories import ReferralFactory, UserFactory
from tests.referrals.conftest import VALID_ANSWERS, put_answers

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# No limit while fuzzing: a 429 is a deliberate answer, not what these tests look for.
NO_LIMITS = override_settings(REFERRAL_RATE_LIMIT_ANSWERS=10**9, REFERRAL_RATE_LIMIT_SUBMISSIONS=10**9)

any_text = st.text(max_size=300)


def _value_strategy(field: forms.Field) -> st.SearchStrategy[Any]:
    """Arbitrary text, mixed with the field's real choices so the valid paths are exercised too."""
    choices = [str(value) for value, _ in getattr(field, "choices", []) if value != ""]
    if isinstance(field, forms.MultipleChoiceField):
        element = st.one_of(st.sampled_from(choices), any_text) if choices else any_text
        return st.lists(element, max_size=4)
    if choices:
        return st.one_of(st.sampled_from(choices), any_text)
    return st.one_of(any_text, st.from_regex(r"\A[0-9 ]{0,10}\Z"))


def _payloads(form: forms.Form, *, honeypot: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: _value_strategy(field) for name, field in form.fields.items() if name != "website"}
    if honeypot:
        # Mostly empty, as a person leaves it; sometimes filled, as a bot does.
        fields["website"] = st.one_of(st.just(""), any_text)
    return st.fixed_dictionaries({}, optional=fields)


def _prior_answers(step: Step) -> dict[str, Any]:
    return {s.slug: VALID_ANSWERS[s.slug] for s in STEPS[: STEP_INDEX[step.slug]]}


def _assert_next_page_or_error_summary(response: Any) -> None:
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith("/refer/")
    else:
        assert b'class="nhsuk-error-summary"' in response.content


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.slug)
@FUZZ
@given(data=st.data())
def test_any_input_to_any_question_gives_the_next_page_or_an_error_summary(step: Step, data: st.DataObject) -> None:
    prior = _prior_answers(step)
    form = step.form_class(prior=walk(prior, WEB).prior_for(step))
    payload = data.draw(_payloads(form))
    cache.clear()
    client = Client()
    put_answers(client, prior)
    with NO_LIMITS:
        _assert_next_page_or_error_summary(client.post(f"/refer/{step.slug}/", payload))


@FUZZ
@given(payload=st.fixed_dictionaries({}, optional={"token": any_text, "website": any_text}))
def test_any_input_to_send_gives_an_error_summary_and_creates_nothing(payload: dict[str, str]) -> None:
    client = Client()
    put_answers(client, VALID_ANSWERS)
    with NO_LIMITS:
        response = client.post("/refer/check-your-answers/", payload)
    assert response.status_code == 200 and b'class="nhsuk-error-summary"' in response.content
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("url", "form_class"),
    [
        ("/refer/my/contact-preferences/", ContactPreferencesChangeForm),
        ("/refer/my/people-you-know/", PeopleKnownChangeForm),
    ],
)
@FUZZ
@given(data=st.data())
def test_any_input_to_a_practitioners_own_forms_saves_or_explains(
    url: str, form_class: type, data: st.DataObject
) -> None:
    user = UserFactory(role="practitioner")
    ReferralFactory(user=user)
    payload = data.draw(_payloads(form_class(), honeypot=False))
    response = verified_client(user).post(url, payload)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == "/refer/my/"
    else:
        assert b'class="nhsuk-error-summary"' in response.content
