"""Out of hours, never promise "today": the urgent confirmation, its email and text, and the
urgent-help panel say when the helpline will call, and put the open crisis numbers first."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from practitioner_health.hours import UK
from practitioner_health.notifications.messages import indiscreet_words, render_message
from practitioner_health.notifications.models import Notification
from tests.referrals.conftest import answers

URGENT = answers(safety={"self_harm": "yes"})

# Friday 23:00, Saturday afternoon, Easter Monday 2027 (a bank holiday), a weekday at 10am.
WORKED = [
    pytest.param(
        datetime(2026, 12, 4, 23, 0, tzinfo=UK), "when the helpline opens at 8am on Saturday 5 December", id="friday-23"
    ),
    pytest.param(
        datetime(2026, 12, 5, 15, 0, tzinfo=UK), "when the helpline opens at 8am on Monday 7 December", id="saturday"
    ),
    pytest.param(
        datetime(2027, 3, 29, 10, 0, tzinfo=UK),
        "when the helpline opens at 8am on Tuesday 30 March",
        id="bank-holiday-monday",
    ),
    pytest.param(
        datetime(2026, 12, 8, 10, 0, tzinfo=UK),
        "today (Tuesday 8 December), before the helpline closes at 8pm",
        id="weekday-10",
    ),
]


@pytest.mark.parametrize(("moment", "when"), WORKED)
def test_the_urgent_confirmation_says_when_we_will_call(submit_referral, moment: datetime, when: str) -> None:
    with time_machine.travel(moment, tick=False):
        _, page = submit_referral(URGENT)
    html = page.content.decode()
    assert f"we will try to call you {when}" in html.replace("back ", "")
    out_of_hours = not when.startswith("today")
    if out_of_hours:
        assert "today" not in html.lower()
        # The numbers open now come before anything about our call.
        assert html.index('id="urgent-help"') < html.index("When we will call you")
        assert "Our helpline is closed now" in html
    else:
        assert "We will try to call you today" in html
        assert "Our helpline is open now" in html


@pytest.mark.parametrize(("moment", "when"), WORKED)
def test_the_urgent_email_and_text_say_when_we_will_call(submit_referral, moment: datetime, when: str) -> None:
    with time_machine.travel(moment, tick=False):
        submit_referral(URGENT)
    email = Notification.objects.get(template="referral_received", channel="email")
    text = Notification.objects.get(template="referral_received", channel="sms")
    body = render_message("email", email.template, email.context).body
    sms = render_message("sms", text.template, text.context).body
    assert f"We will try to call you {when}." in body
    assert "116 123" in body and "999" in body and "soon" not in body
    assert "tel:" not in body, "a plain-text email gives the numbers alone"
    assert "We will try to call you " in sms and "116 123" in sms
    if not when.startswith("today"):
        assert "today" not in body and "today" not in sms
    for message in (body, sms):
        assert indiscreet_words(message) == [] and "harm" not in message


def test_a_referral_without_urgency_keeps_its_usual_message(submit_referral) -> None:
    with time_machine.travel(datetime(2026, 12, 4, 23, 0, tzinfo=UK), tick=False):
        submit_referral()
    email = Notification.objects.get(template="referral_received", channel="email")
    body = render_message("email", email.template, email.context).body
    assert "contact you soon" in body and "116 123" not in body


def test_the_self_harm_answer_page_never_promises_today_when_shut(db: None, web_client) -> None:
    with time_machine.travel(datetime(2026, 12, 4, 23, 0, tzinfo=UK), tick=False):
        for slug in ("self", "profession", "registration", "work-location", "role", "workplace", "seen-where", "needs"):
            web_client.post(f"/refer/{slug}/", URGENT[slug])
        web_client.post("/refer/safety/", URGENT["safety"])
        page = web_client.get("/refer/name/")
    html = page.content.decode()
    assert 'id="urgent-help"' in html
    assert "We will try to call you back when the helpline opens at 8am on Saturday 5 December" in html
    assert "today" not in html.lower()
