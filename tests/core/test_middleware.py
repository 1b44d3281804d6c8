from unittest import mock

import pytest
from django.core.cache.backends.base import BaseCache
from django.db import OperationalError, connection
from django.test import Client, override_settings

from tests.factories import MemberFactory


def database_down():
    return mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    )


class DownCache(BaseCache):
    """A cache whose server does not answer, as Redis's client behaves when Redis is down."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


# --- /healthz ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with database_down():
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable: database\n"
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {"BACKEND": "tests.core.test_middleware.DownCache"},
    }
)
def test_healthz_answers_503_when_a_configured_cache_server_does_not(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable: cache 'shared'\n"


@pytest.mark.django_db
def test_healthz_needs_no_allowed_host_no_https_and_sets_no_cookie():
    # The load balancer asks by the machine's address, over plain HTTP.
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.django_db
def test_healthz_only_answers_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# --- Cache-Control on private pages --------------------------------------------------------


def test_every_page_a_signed_in_member_sees_is_private_and_never_stored(
    member_client, private_pages
):
    for url in private_pages:
        response = member_client.get(url)

        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_a_signed_in_members_htmx_fragments_and_redirects_are_private_too(
    member_client, private_pages
):
    fragment = member_client.get("/messaging/", headers={"HX-Request": "true"})
    redirect = member_client.post("/premium/open-profile/", {"open_profile": "on"})

    for response in (fragment, redirect):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_admin_is_private_and_never_stored(client):
    client.force_login(MemberFactory(is_staff=True, is_superuser=True))

    for url in ("/admin/", "/admin/premium/subscription/", "/admin/accounts/member/"):
        response = client.get(url)

        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


@pytest.mark.django_db
def test_public_pages_signed_out_are_not_marked_private(client):
    profile = MemberFactory()

    for url in ("/", f"/in/{profile.slug}/", "/signup/"):
        response = client.get(url)

        assert response.status_code in (200, 302), url
        assert "private" not in response.get("Cache-Control", ""), url
