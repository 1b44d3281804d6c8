"""accounts.backends.MemberBackend: ModelBackend with a compiled query for the signed-in
member, whose refusals are final; sessions signed in through ModelBackend stay valid."""

from unittest.mock import patch

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse

from accounts.backends import MemberBackend
from accounts.models import Member
from tests.factories import PASSWORD

SIGN_IN = reverse("login")


@pytest.mark.django_db
def test_get_user_is_the_active_member_or_none(member, other):
    other.is_active = False
    other.save()

    assert MemberBackend().get_user(member.pk) == member
    assert MemberBackend().get_user(other.pk) is None
    assert MemberBackend().get_user(10**9) is None


@pytest.mark.django_db
def test_signing_in_keeps_member_backend_in_the_session(client, member):
    client.post(SIGN_IN, {"username": "ada@example.com", "password": PASSWORD})

    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.MemberBackend"
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_is_checked_once_and_counted_once(client, member):
    failures = []

    def failed(sender, credentials, **kwargs):
        failures.append(credentials["username"])

    user_login_failed.connect(failed, weak=False, dispatch_uid="test-failures")
    try:
        with patch.object(Member, "check_password", autospec=True, return_value=False) as check:
            response = client.post(SIGN_IN, {"username": "ada@example.com", "password": "nope"})
    finally:
        user_login_failed.disconnect(dispatch_uid="test-failures")

    assert response.status_code == 400
    assert check.call_count == 1  # not again by ModelBackend, listed after
    assert failures == ["ada@example.com"]


@pytest.mark.django_db
def test_a_session_signed_in_through_model_backend_stays_signed_in(client, member):
    session = client.session
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Ada Lovelace" in response.content.decode()
