"""core.sessions: Django's database sessions in core.models.Session, each read with the member
it is signed in as, in one query compiled once; django.contrib.auth still checks that member."""

import importlib
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Member
from core import middleware, sessions
from core.models import Session
from core.sessions import SessionStore
from tests.factories import PASSWORD

HOME = reverse("home")
INBOX = reverse("inmail:inbox")
POLL = reverse("inmail:unread_count")
SIGN_IN = reverse("login")
SIGN_OUT = reverse("logout")


@pytest.mark.django_db
def test_a_saved_session_is_read_back():
    store = SessionStore()
    store["seen"] = 3
    store.create()

    again = SessionStore(store.session_key)

    assert again["seen"] == 3
    assert again.session_key == store.session_key


def test_session_data_is_checked_once_and_each_read_gets_a_session_of_its_own(monkeypatch):
    store = SessionStore()
    data = store.encode({"cart": [1, 2], "seen": 3})
    checks = mock.Mock(wraps=signing.loads)
    monkeypatch.setattr(signing, "loads", checks)

    first = SessionStore().decode(data)
    first["cart"].append(99)
    second = SessionStore().decode(data)

    assert second == {"cart": [1, 2], "seen": 3}
    assert checks.call_count == 1


def test_session_data_that_fails_its_check_is_empty_every_time(monkeypatch):
    data = SessionStore().encode({"seen": 3})
    tampered = data[:-3] + ("AAA" if not data.endswith("AAA") else "BBB")
    checks = mock.Mock(wraps=signing.loads)
    monkeypatch.setattr(signing, "loads", checks)

    assert SessionStore().decode(tampered) == {}
    assert SessionStore().decode(tampered) == {}
    assert checks.call_count == 2


def test_the_checked_session_data_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(sessions, "VERIFIED_MAX", 2)
    monkeypatch.setattr(sessions, "_verified", {})

    for seen in range(5):
        assert SessionStore().decode(SessionStore().encode({"seen": seen})) == {"seen": seen}

    assert 1 <= len(sessions._verified) <= 2


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


@pytest.mark.django_db
def test_signing_in_names_the_member_and_signing_out_deletes_the_session(client, member):
    client.post(SIGN_IN, {"username": "ada@example.com", "password": PASSWORD})
    key = client.session.session_key

    assert Session.objects.get(pk=key).member_id == member.pk
    client.post(SIGN_OUT)
    assert not Session.objects.filter(pk=key).exists()


@pytest.mark.django_db
def test_a_signed_in_request_reads_its_session_and_member_in_one_query(
    member_client, django_assert_num_queries
):
    # The session with its member, and the unread count the poll asks for, read ahead.
    with django_assert_num_queries(1):
        response = member_client.get(POLL, headers={"HX-Request": "true"})

    assert response.status_code == 200


def _session_queries(client, method, url, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        getattr(client, method)(url, **kwargs)
    return [query["sql"] for query in queries if '"core_session"' in query["sql"]]


@pytest.mark.django_db
def test_a_page_reads_its_top_bars_counts_with_the_session_and_other_requests_do_not(
    member_client,
):
    page = _session_queries(member_client, "get", HOME)
    htmx = _session_queries(member_client, "get", INBOX, headers={"HX-Request": "true"})
    # A form posted: its page, shown again, reads the counts after what the post changed.
    post = _session_queries(member_client, "post", reverse("accounts:settings"), data={})

    assert len(page) == len(htmx) == len(post) == 1
    assert "pending_invitations" in page[0]
    assert "pending_invitations" not in htmx[0]
    assert "pending_invitations" not in post[0]


@pytest.mark.django_db
def test_the_poll_reads_the_unread_count_alone_with_the_session(member_client):
    (poll,) = _session_queries(member_client, "get", POLL, headers={"HX-Request": "true"})

    assert "unread_messages" in poll
    assert "pending_invitations" not in poll
    assert "is_premium" not in poll
    # Of the member, only what signing in checks: the poll shows nothing of them.
    assert '"accounts_member"."password"' in poll
    assert '"accounts_member"."headline"' not in poll


def test_a_request_that_reads_the_member_signed_in_only_still_checks_them(client, member):
    client.force_login(member)

    user = polled_user(client.session.session_key)

    assert user == member
    assert user.read_with_session == {"unread_messages": 0}
    with CaptureQueriesContext(connection) as later:
        assert user.headline == member.headline  # not read with the session: read now
    assert len(later) == 1
    # Another password (changed elsewhere): the session's hash no longer matches.
    Member.objects.filter(pk=member.pk).update(password="changed")
    assert not polled_user(client.session.session_key).is_authenticated


def polled_user(session_key):
    """The user of a poll's request, loaded as core.middleware loads it: its session read with
    the member signed in only."""
    request = RequestFactory().get(POLL)
    request.session = SessionStore(session_key)
    sessions.read_ahead(request, "unread_messages", sign_in_only=True)
    return middleware._user(request)


def test_what_was_not_read_ahead_is_not_taken_from_the_session(member):
    member.read_with_session = {"unread_messages": 2}

    assert sessions.read_with_session(member, "unread_messages") == {"unread_messages": 2}
    assert sessions.read_with_session(member, "unread_messages", "is_premium") is None
    sessions.forget_read_ahead(member)
    assert sessions.read_with_session(member, "unread_messages") is None


@pytest.mark.django_db
def test_the_member_read_with_the_session_is_checked_as_any(client, member, other):
    client.force_login(member)
    member.set_password("a new password, set elsewhere")
    member.save()
    assert client.get(INBOX).status_code == 302  # the session's hash no longer matches

    client.force_login(other)
    assert client.get(INBOX).status_code == 200
    Member.objects.filter(pk=other.pk).update(is_active=False)
    assert client.get(INBOX).status_code == 302


@pytest.mark.django_db
def test_a_session_that_names_no_member_reads_the_member_as_before(
    member_client, member, django_assert_num_queries
):
    Session.objects.update(member=None)

    with django_assert_num_queries(3):
        page = member_client.get(POLL, headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert "Ada Lovelace" in member_client.get(HOME).content.decode()


@pytest.mark.django_db
def test_the_migration_keeps_members_signed_in(client, member):
    def django_session(data, *, expired=False):
        store = DjangoSessionStore()
        store.update(data)
        store.create()
        if expired:
            store.model.objects.filter(pk=store.session_key).update(
                expire_date=timezone.now() - timedelta(seconds=1)
            )
        return store.session_key

    client.force_login(member)  # the backend and the hash, as a sign-in writes them
    signed_in = django_session(dict(client.session.items()))
    Session.objects.all().delete()
    anonymous = django_session({"seen": 3})
    gone = django_session({SESSION_KEY: "999999999"})
    expired = django_session({SESSION_KEY: str(member.pk)}, expired=True)

    importlib.import_module("core.migrations.0001_session").copy_sessions(apps, None)

    copied = dict(Session.objects.values_list("session_key", "member_id"))
    assert copied == {signed_in: member.pk, anonymous: None, gone: None}
    assert expired not in copied
    client.cookies["sessionid"] = signed_in
    assert "Ada Lovelace" in client.get(HOME).content.decode()


@pytest.mark.django_db
def test_clearsessions_removes_the_expired_ones():
    kept, expired = SessionStore(), SessionStore()
    kept.create()
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    call_command("clearsessions")

    assert list(Session.objects.values_list("pk", flat=True)) == [kept.session_key]
