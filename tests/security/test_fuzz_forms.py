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


# --- The address: every GET view, every parameter it reads or links to, made-up values. ---

# Parameters any view reads from the address (request.GET), whether or not a page links to it.
KNOWN_PARAMETERS = ["week", "page", "q", "category", "appointment", "change", "next", "period", "start", "end"]
KNOWN_PARAMETERS += ["region", "profession", "career_stage", "need", "channel", "date", "day", "month", "year"]
DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "2024-13-01", "1970-01-01", "2099-12-31", "-1-01-01"]
address_values = st.one_of(st.sampled_from(DATES), st.sampled_from(NASTY[:-4]), st.text(max_size=60))


class ParameterFinder(HTMLParser):
    """The names a page sends in its address: fields of its GET forms, and links' query parameters."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and attributes.get("name"):
            self.names.add(str(attributes["name"]))
        elif tag == "a" and "?" in (attributes.get("href") or ""):
            query = str(attributes["href"]).split("?", 1)[1].split("#")[0]
            self.names.update(part.split("=")[0] for part in query.split("&") if part)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


_pages: dict[tuple[str, int], tuple[str, list[tuple[str, Client, list[str]]]]] = {}


def readable_pages(url_name: str, personas: dict) -> tuple[str, list[tuple[str, Client, list[str]]]]:
    """The URL and, for each role that can read it, a signed-in client and the parameter names to try."""
    key = (url_name, id(personas))
    if key not in _pages:
        kwargs = matrix.KWARGS[url_name](personas) if url_name in matrix.KWARGS else {}
        url = reverse(url_name, kwargs=kwargs)
        found = []
        for role in ROLES:
            user = personas[role]
            client = verified_client(user) if user is not None else Client()
            page = client.get(url)
            if page.status_code != 200:
                continue
            finder = ParameterFinder()
            if "text/html" in page.get("Content-Type", ""):
                finder.feed(page.content.decode())
            found.append((role, client, sorted(finder.names | set(KNOWN_PARAMETERS))))
        _pages[key] = (url, found)
    return _pages[key]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", matrix.project_url_names())
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_address_parameter_causes_a_server_error(url_name: str, personas: dict, data: st.DataObject) -> None:
    cache.clear()
    url, readers = readable_pages(url_name, personas)
    for role, client, names in readers:
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True), label="names")
        params = {name: data.draw(address_values, label=f"{role} {name}") for name in chosen}
        response = client.get(url, params)
        assert response.status_code < 500, (role, url, params, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "9999-12-27", "0001-01-07"])
def test_a_diary_week_no_calendar_can_show_is_a_clear_400(week: str) -> None:
    from tests.clinicians.factories import ClinicianFactory

    response = verified_client(ClinicianFactory().user).get(reverse("clinicians:diary"), {"week": week})
    assert response.status_code == 400
    assert "There was a problem with your request" in response.content.decode()


# --- The API's bodies: nested past any reason, they get the API's own JSON error. ---


def _api_url_names() -> list[str]:
    return [name for name in matrix.project_url_names() if name.startswith("api:") and name != "api:schema"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", _api_url_names())
def test_deeply_nested_json_gets_the_api_s_json_error(url_name: str, personas: dict) -> None:
    from api.tokens import token_issue

    token = token_issue(user=personas["practitioner"]).secret
    kwargs = matrix.KWARGS[url_name](personas) if url_name in matrix.KWARGS else {}
    url = reverse(url_name, kwargs=kwargs)
    for depth in (40, 5000, 100_000):
        body = '{"email": ' + nested(depth) + "}"
        for method in ("post", "put", "patch"):
            cache.clear()
            response = getattr(Client(), method)(
                url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            # An address that never reads its body (cancel, sign out) may simply succeed.
            assert response.status_code < 500, (depth, method, url, response.status_code)
            if response.status_code >= 400:
                assert response["Content-Type"].startswith("application/json"), (depth, method, url)
            if response.status_code == 400:
                assert response.json()["code"] == "malformed", (depth, method, url)


@pytest.mark.django_db
def test_deeply_nested_json_is_refused_before_anything_reads_it() -> None:
    body = '{"email": ' + nested(5000) + "}"
    sign_in = Client().post("/api/v1/auth/sign-in", body, content_type="application/json")
    assert sign_in.status_code == 400
    assert sign_in.json() == {"code": "malformed", "message": "The request body is nested too deeply."}
