"""core.sessions: Django's database sessions, read through a query compiled once."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.sessions import SessionStore


@pytest.mark.django_db
def test_a_saved_session_is_read_back():
    store = SessionStore()
    store["seen"] = 3
    store.create()

    again = SessionStore(store.session_key)

    assert again["seen"] == 3
    assert again.session_key == store.session_key


@pytest.mark.django_db
def test_an_expired_or_unknown_session_reads_empty_and_loses_its_key():
    store = SessionStore()
    store["seen"] = 3
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    expired = SessionStore(store.session_key)
    unknown = SessionStore("x" * 32)

    assert (expired.get("seen"), expired.session_key) == (None, None)
    assert (unknown.get("seen"), unknown.session_key) == (None, None)
