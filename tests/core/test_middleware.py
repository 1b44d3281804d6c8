"""core.middleware: /healthz, private pages never cached, and NUL bytes refused.

A NUL byte anywhere a request carries text is a clear 400 that changes nothing, on
PostgreSQL (which can't hold one: these were 500s) and on SQLite (which stored it) alike."""

import html

import pytest
from django.core.cache.backends.base import BaseCache
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Member
from core.middleware import NUL_REFUSED
from tests.assertions import database_down
from tests.factories import MemberFactory


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


# --- NUL bytes ------------------------------------------------------------------------------

HTMX = {"HX-Request": "true"}


@pytest.fixture
def staff(db):
    return MemberFactory(email="staff@example.com", is_staff=True, is_superuser=True)


def profile_edit(**fields):
    data = {"first_name": "Ada", "last_name": "Lovelace", "headline": "", "location": ""}
    data.update(fields)
    data.setdefault("about", "")
    return data


# (who asks, method, url, form data)
BAD_REQUESTS = {
    "search query": ("member", "get", "/search/?q=%00", None),
    "search query among others": ("member", "get", "/search/?page=1&q=ada%00", None),
    "a parameter's name": ("member", "get", "/messaging/?%00=1", None),
    "admin autocomplete term": (
        "staff",
        "get",
        "/admin/autocomplete/?term=%00&app_label=premium&model_name=subscription&field_name=member",
        None,
    ),
    "admin member list plan filter": ("staff", "get", "/admin/accounts/member/?plan=%00", None),
    "admin ledger list reason filter": (
        "staff",
        "get",
        "/admin/premium/ledgerentry/?reason=%00",
        None,
    ),
    "admin member list search": ("staff", "get", "/admin/accounts/member/?q=%00", None),
    "a profile's address": ("member", "get", "/in/ada%00/", None),
    "profile form field": ("member", "post", "/me/edit/", profile_edit(first_name="Ada\x00")),
    "sign-in form": ("anonymous", "post", "/accounts/login/", {"username": "a\x00@b.c"}),
    "sign-up form": (
        "anonymous",
        "post",
        "/accounts/signup/",
        {
            "first_name": "Eve",
            "last_name": "Nul",
            "email": "eve@example.com",
            "password": "a-long-passphrase\x00",
        },
    ),
    "password reset form": (
        "anonymous",
        "post",
        "/accounts/password_reset/",
        {"email": "ada\x00@example.com"},
    ),
}


def stored():
    return list(Member.objects.order_by("pk").values_list("email", "first_name"))


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "method", "url", "data"), BAD_REQUESTS.values(), ids=BAD_REQUESTS)
def test_a_nul_byte_is_a_clear_400_that_changes_nothing(
    client, member, staff, mailoutbox, who, method, url, data
):
    if who != "anonymous":
        client.force_login(member if who == "member" else staff)
    before = stored()

    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)

    assert response.status_code == 400
    assert NUL_REFUSED in html.unescape(response.content.decode())
    assert stored() == before
    assert mailoutbox == []


@pytest.mark.django_db
def test_with_htmx_the_refusal_is_a_fragment(member_client):
    response = member_client.get("/search/?q=%00", headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Reswap"] == "afterbegin"
    assert "<html" not in page
    assert NUL_REFUSED in html.unescape(page)


@pytest.mark.django_db
def test_a_nul_byte_in_a_cookie_is_refused(client):
    client.cookies["sessionid"] = "abc\x00def"

    assert client.get(reverse("login")).status_code == 400


@pytest.mark.django_db
def test_requests_without_a_nul_byte_pass(member_client):
    assert member_client.get("/search/?q=ada").status_code == 200
