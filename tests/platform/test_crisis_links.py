"""Every crisis number is a link to call: 999, 111, 116 123, the helpline and the BMA line as
`tel:`, Shout as an `sms:` link with SHOUT written; from the one list in practitioner_health/crisis.py."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client

from practitioner_health.crisis import CRISIS_CONTACTS, SHOUT_SMS_URI, link_numbers, tel_uri
from selfhelp.questionnaires import URGENT_GUIDANCE

EXPECTED = {
    "999": "tel:999",
    "111": "tel:111",
    "116 123": "tel:116123",
    "0330 123 1245": "tel:03301231245",
    "85258": "sms:85258?&amp;body=SHOUT",
}


def links_in(html: str) -> dict[str, str]:
    return {number: href for href, number in re.findall(r'<a class="ph-call-link" href="([^"]+)">([^<]+)</a>', html)}


def test_the_one_list_has_every_number_with_its_link() -> None:
    assert {c.number: c.href for c in CRISIS_CONTACTS} == {
        **{k: v for k, v in EXPECTED.items() if k != "85258"},
        "85258": SHOUT_SMS_URI,
    }
    # RFC 5724 `?body=`, with the empty first field iOS needs: one link for both kinds of phone.
    assert SHOUT_SMS_URI == "sms:85258?&body=SHOUT"
    assert tel_uri("+44 (0)7700 900777") == "tel:+447700900777"


@pytest.mark.django_db
def test_every_public_page_footer_links_each_crisis_number(client: Client) -> None:
    html = client.get("/").content.decode()
    footer = html[html.index('id="crisis-heading"') :]
    assert {k: v for k, v in links_in(footer).items() if k in EXPECTED} == EXPECTED


@pytest.mark.django_db
def test_the_helpline_number_is_a_link_to_call(client: Client) -> None:
    html = client.get("/refer/").content.decode()
    assert links_in(html)[settings.HELPLINE_NUMBER] == tel_uri(settings.HELPLINE_NUMBER)
    assert f"{settings.HELPLINE_NUMBER}</a></strong>. We can take" in html, "no stray space before the full stop"


def test_numbers_in_guidance_text_become_links_once() -> None:
    html = Template("{{ text|call_links }}").render(Context({"text": URGENT_GUIDANCE.next_steps}))
    assert links_in(html) == EXPECTED
    assert html.count("<a ") == 5, "0330 123 1245 is one link, not a 123 inside it"
    escaped = Template("{{ text|call_links }}").render(Context({"text": "<b>call 999</b>"}))
    assert escaped == '&lt;b&gt;call <a class="ph-call-link" href="tel:999">999</a>&lt;/b&gt;'


def test_the_error_pages_link_the_numbers() -> None:
    for name in ("500.html", "503.html"):
        html = render_to_string(name)
        assert {"999", "111", "116 123"} <= set(links_in(html)), name


def test_link_numbers_leaves_other_digits_alone() -> None:
    assert link_numbers("Reference PH-1119990, 2 pm") == "Reference PH-1119990, 2 pm"
