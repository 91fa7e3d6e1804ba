"""The session store: one statement to save an existing session, and Django's behaviour otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from practitioner_health.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_new_session_is_created_and_read_back() -> None:
    store = SessionStore()
    store["answer"] = "yes"
    store.save()
    assert SessionStore(store.session_key)["answer"] == "yes"


def test_saving_an_existing_session_is_one_statement(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    store = SessionStore()
    store["answer"] = "yes"
    store.create()
    store["answer"] = "no"
    store.set_expiry(timedelta(minutes=5))
    with django_assert_num_queries(1):
        store.save()
    again = SessionStore(store.session_key)
    assert again["answer"] == "no"
    row = Session.objects.get(session_key=store.session_key)
    assert timezone.now() + timedelta(minutes=4) < row.expire_date <= timezone.now() + timedelta(minutes=5)


def test_reading_a_session_is_one_statement(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    store = SessionStore()
    store["answer"] = "yes"
    store.create()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key)["answer"] == "yes"


def test_an_expired_session_reads_as_empty_and_is_never_written_back() -> None:
    store = SessionStore()
    store["answer"] = "yes"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert "answer" not in expired and expired.session_key is None
    expired["answer"] = "no"
    expired.save()  # a new session, not the expired row
    assert expired.session_key != store.session_key
    assert Session.objects.count() == 2


@pytest.mark.parametrize("key", ["short", "x" * 41, "' OR '1'='1' --"])
def test_a_malformed_session_key_reads_as_empty(key: str) -> None:
    store = SessionStore()
    store["answer"] = "yes"
    store.create()
    assert "answer" not in SessionStore(key)


def test_saving_a_session_deleted_meanwhile_is_refused() -> None:
    store = SessionStore()
    store["answer"] = "yes"
    store.create()
    Session.objects.filter(session_key=store.session_key).delete()  # signed out in another tab
    store["answer"] = "no"
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_answers_saved_page_by_page_are_there_when_the_doctor_goes_back(client: Client) -> None:
    client.post("/refer/self/", {"is_self": "yes"})  # creates the session
    response = client.post("/refer/profession/", {"profession": "dentist"})
    assert response.status_code == 302 and response["Location"] == "/refer/registration/"
    html = client.get("/refer/profession/").content.decode()
    assert 'value="dentist" checked' in html and 'value="doctor" checked' not in html
