"""Lists of members (home, My Network, search, invitations) read each member's row from the
cache (core.templatetags.members, core.fragments): rendered once, and again only when
something it shows changes; its forms carry each request's own CSRF token."""

import re
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import services
from tests.factories import MemberFactory, connect

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
SEARCH = reverse("accounts:search") + "?q=Hopper"
MY_NETWORK = reverse("accounts:my_network")

pytestmark = pytest.mark.usefixtures("clock")


def rows(page: str) -> list[str]:
    return re.findall(r'<li class="member-row">.*?</li>', page, flags=re.DOTALL)


def rendered_rows(client, url=SEARCH):
    """The page, and how many member rows it had to render (the others came from the cache)."""
    with patch.object(cache, "set_many", wraps=cache.set_many) as set_many:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), sum(len(call.args[0]) for call in set_many.call_args_list)


def csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


@pytest.fixture
def hoppers(db):
    return [MemberFactory(first_name=name, last_name="Hopper") for name in ("Grace", "Kit")]


@pytest.mark.django_db
def test_rows_are_rendered_once_then_read_from_the_cache(member_client, hoppers):
    first, rendered_first = rendered_rows(member_client)
    again, rendered_again = rendered_rows(member_client)

    assert (rendered_first, rendered_again) == (2, 0)
    assert len(rows(again)) == 2
    # The same rows but for the CSRF token, masked anew for every page.
    assert [re.sub(r'value="\w{64}"', "", row) for row in rows(again)] == [
        re.sub(r'value="\w{64}"', "", row) for row in rows(first)
    ]


@pytest.mark.django_db
def test_a_cached_rows_form_carries_this_requests_token_and_posts(member, hoppers):
    # Two browsers of the same member: the second reads the rows the first rendered.
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(member)
    rendered_rows(first)
    page, rendered = rendered_rows(second)

    assert rendered == 0
    (token,) = csrf_tokens(page)
    assert second.cookies["csrftoken"].value  # the page set the browser's secret
    connect_url = reverse("accounts:connect", args=[hoppers[0].slug])
    response = second.post(connect_url, {"csrfmiddlewaretoken": token, "next": SEARCH})

    assert response.status_code == 302
    assert member.sent_invitations.filter(recipient=hoppers[0]).exists()


@pytest.mark.django_db
def test_a_row_shows_a_change_in_the_relationship_at_once(member_client, member, hoppers):
    rendered_rows(member_client)

    services.invitation_send(sender=member, recipient=hoppers[0])
    connect(member, hoppers[1])
    page, rendered = rendered_rows(member_client)

    assert rendered == 2
    # Kit, now a 1st-degree connection, comes first.
    kit, grace = rows(page)
    assert "Kit Hopper" in kit and "Grace Hopper" in grace
    assert "Pending" in grace and "Connect" not in grace
    assert "· 1st" in kit and "Message" in kit


@pytest.mark.django_db
def test_an_invitations_age_moves_on_with_the_clock(client, member, hoppers, clock):
    services.invitation_send(sender=hoppers[0], recipient=member, note="Hello Ada")
    client.force_login(member)
    page, _ = rendered_rows(client, MY_NETWORK)
    assert "Hello Ada" in page and "0\xa0minutes ago" in page

    clock.move_to(START + timedelta(days=2))
    page, rendered = rendered_rows(client, MY_NETWORK)

    assert rendered == 1
    assert "2\xa0days ago" in page
