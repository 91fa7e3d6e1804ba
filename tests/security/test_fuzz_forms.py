"""Property-based fuzzing of every form in the project, public and staff.

Every URL (the access matrix's list) is opened as every role; each POST form found on a page
is sent made-up values for each of its fields, drawn by Hypothesis: any text, numbers, dates
that do not exist, markup, SQL, control characters, very long input. No input may produce a
500 (the test client re-raises any server error), and a form that refuses the input says
which field is wrong (the NHS error summary links to the field).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.platform.test_access_matrix as matrix
from tests.access import ROLES
from tests.conftest import verified_client

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e308",
    "99999999999999999999",
    "2024-02-30",
    "31/02/2024",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "\u202e\u200b",
    "a" * 5000,
    "on",
    "yes",
    "true",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=200),
    st.integers().map(str),
    st.lists(st.text(max_size=20), max_size=3),
)


class FormFinder(HTMLParser):
    """The POST forms on a page: their action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = (attributes.get("action") or "", set())
        elif tag in ("input", "select", "textarea") and self._current is not None:
            name = attributes.get("name")
            if name and name != "csrfmiddlewaretoken":
                self._current[1].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def forms_on(html: str) -> list[tuple[str, set[str]]]:
    finder = FormFinder()
    finder.feed(html)
    return finder.forms


# The forms each role sees on a URL, found once per test (not once per Hypothesis example).
_found: dict[tuple[str, int], tuple[str, list[tuple[str, str, list[str]]]]] = {}


def forms_for_roles(url_name: str, personas: dict) -> tuple[str, list[tuple[str, str, list[str]]]]:
    """The URL (its objects made once) and each role's (role, form action, field names)."""
    key = (url_name, id(personas))
    if key not in _found:
        kwargs = matrix.KWARGS[url_name](personas) if url_name in matrix.KWARGS else {}
        url = reverse(url_name, kwargs=kwargs)
        found = []
        for role in ROLES:
            user = personas[role]
            client = verified_client(user) if user is not None else Client()
            page = client.get(url)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            for action, fields in forms_on(page.content.decode()):
                found.append((role, action if action.startswith("/") else url, sorted(fields)))
        _found[key] = (url, found)
    return _found[key]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", matrix.project_url_names())
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_input_to_any_form_causes_a_server_error(url_name: str, personas: dict, data: st.DataObject) -> None:
    cache.clear()  # rate limits and sign-in lockouts count in the cache
    url, forms = forms_for_roles(url_name, personas)
    for role, target, fields in forms:
        user = personas[role]
        client = verified_client(user) if user is not None else Client()
        client.get(url)  # as a person would: the page first (it may set up the session)
        # The honeypot ("website") is hidden from people; filling it is the bot path, refused on
        # purpose with a form-level message (tests/referrals cover it), so it is left empty here.
        posted = {name: data.draw(values, label=f"{role} {target} {name}") for name in fields if name != "website"}
        response = client.post(target, posted)
        assert response.status_code < 500, (role, target, response.status_code)
        body = response.content.decode(errors="replace")
        if response.status_code == 200 and "nhsuk-error-summary" in body:
            summary = body.split("nhsuk-error-summary", 1)[1].split("</div>", 2)[0:2]
            assert 'href="#' in "".join(summary), (role, target, "error summary without a field link")
