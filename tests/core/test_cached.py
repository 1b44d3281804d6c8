"""The top bar of every page, the rows of the lists of members (home, My Network, search,
invitations) and a profile's cards are read from the cache (core.templatetags.cached,
core.fragments): rendered once, and again only when something they show changes; their forms
carry each request's own CSRF token, and a part they leave uncached is rendered anew."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from inmail import services as inmail_services
from tests.assertions import rendered_fragments
from tests.factories import MemberFactory, connect, subscribe

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
SEARCH = reverse("accounts:search") + "?q=Hopper"
MY_NETWORK = reverse("accounts:my_network")

pytestmark = pytest.mark.usefixtures("clock")


def rows(page: str) -> list[str]:
    return re.findall(r'<li class="member-row">.*?</li>', page, flags=re.DOTALL)


def fetched(client, url=SEARCH, kind="members:row"):
    """The page, and how many fragments of the kind ("members:row", "topbar") it rendered."""
    return rendered_fragments(client, url, kind)


def csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


def without_tokens(html: str) -> str:
    """The same HTML but for the CSRF tokens, masked anew for every page."""
    return re.sub(r'value="\w{64}"', "", html)


@pytest.fixture
def hoppers(db):
    return [MemberFactory(first_name=name, last_name="Hopper") for name in ("Grace", "Kit")]


@pytest.mark.django_db
def test_rows_are_rendered_once_then_read_from_the_cache(member_client, hoppers):
    first, rendered_first = fetched(member_client)
    again, rendered_again = fetched(member_client)

    assert (rendered_first, rendered_again) == (2, 0)
    assert len(rows(again)) == 2
    assert [without_tokens(row) for row in rows(again)] == [without_tokens(r) for r in rows(first)]


@pytest.mark.django_db
def test_a_cached_rows_form_carries_this_requests_token_and_posts(member, hoppers):
    # Two browsers of the same member: the second reads the rows the first rendered.
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(member)
    fetched(first)
    page, rendered = fetched(second)

    assert rendered == 0
    (token,) = csrf_tokens(page)
    assert second.cookies["csrftoken"].value  # the page set the browser's secret
    connect_url = reverse("accounts:connect", args=[hoppers[0].slug])
    response = second.post(connect_url, {"csrfmiddlewaretoken": token, "next": SEARCH})

    assert response.status_code == 302
    assert member.sent_invitations.filter(recipient=hoppers[0]).exists()


@pytest.mark.django_db
def test_a_row_shows_a_change_in_the_relationship_at_once(member_client, member, hoppers):
    fetched(member_client)

    services.invitation_send(sender=member, recipient=hoppers[0])
    connect(member, hoppers[1])
    page, rendered = fetched(member_client)

    assert rendered == 2
    # Kit, now a 1st-degree connection, comes first.
    kit, grace = rows(page)
    assert "Kit Hopper" in kit
    assert "Grace Hopper" in grace
    assert "Pending" in grace
    assert "Connect" not in grace
    assert "· 1st" in kit
    assert "Message" in kit


@pytest.mark.django_db
def test_an_invitations_age_moves_on_with_the_clock(client, member, hoppers, clock):
    services.invitation_send(sender=hoppers[0], recipient=member, note="Hello Ada")
    client.force_login(member)
    page, _ = fetched(client, MY_NETWORK)
    assert "Hello Ada" in page
    assert "0\xa0minutes ago" in page

    clock.move_to(START + timedelta(days=2))
    page, rendered = fetched(client, MY_NETWORK)

    assert rendered == 1
    assert "2\xa0days ago" in page


def topbar(page: str) -> str:
    return re.search(r'<header class="topbar">.*?</header>', page, flags=re.DOTALL).group()


@pytest.mark.django_db
def test_the_top_bar_is_rendered_once_per_page_kind_and_marks_the_pages_icon(member_client):
    home, rendered_home = fetched(member_client, reverse("home"), "topbar")
    again, rendered_again = fetched(member_client, reverse("home"), "topbar")
    messaging, _ = fetched(member_client, reverse("inmail:inbox"), "topbar")

    assert (rendered_home, rendered_again) == (1, 0)
    assert without_tokens(topbar(again)) == without_tokens(topbar(home))
    assert re.search(r'href="/" class="topnav__item is-active"', topbar(home))
    assert re.search(r'href="/messaging/" class="topnav__item is-active"', topbar(messaging))


@pytest.mark.django_db
def test_the_top_bar_shows_new_counts_and_a_new_name_at_once(member_client, member, other):
    grace = MemberFactory(first_name="Grace")
    connect(member, grace)
    fetched(member_client, reverse("home"))

    services.invitation_send(sender=other, recipient=member)
    inmail_services.message_send(sender=grace, recipient=member, subject="", body="Hello")
    services.member_update_profile(
        member=member, first_name="Augusta", last_name="King", headline="", location="", about=""
    )
    bar = topbar(fetched(member_client, reverse("home"))[0])

    assert 'aria-label="1 pending invitations"' in bar
    assert 'aria-label="1 unread conversation"' in bar
    assert "<strong>Augusta King</strong>" in bar


@pytest.mark.django_db
def test_the_cached_top_bar_signs_out_with_this_requests_token(member):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(member)
    fetched(first, reverse("home"), "topbar")
    page, rendered = fetched(second, reverse("home"), "topbar")

    assert rendered == 0
    (token,) = csrf_tokens(topbar(page))
    response = second.post(reverse("logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert "_auth_user_id" not in second.session


PROFILE_CARDS = "accounts/profile.html#cards"


@pytest.mark.django_db
def test_a_profile_is_read_from_the_cache_with_its_credits_counted_anew(member_client, member):
    grace, kit = MemberFactory(first_name="Grace"), MemberFactory(first_name="Kit")
    subscribe(member)
    url = grace.get_absolute_url()
    first, rendered_first = fetched(member_client, url, PROFILE_CARDS)

    inmail_services.message_send(sender=member, recipient=kit, subject="Hi", body="Hello")
    again, rendered_again = fetched(member_client, url, PROFILE_CARDS)

    assert (rendered_first, rendered_again) == (1, 0)
    assert "5 InMail credits left" in first
    assert "4 InMail credits left" in again
    assert "Connect" in again


@pytest.mark.django_db
def test_a_profile_shows_a_change_at_once(member_client, member):
    grace = MemberFactory(first_name="Grace", headline="Engineer")
    fetched(member_client, grace.get_absolute_url(), PROFILE_CARDS)

    services.member_update_profile(
        member=grace, first_name="Grace", last_name="Hopper", headline="Admiral", location="",
        about="",
    )  # fmt: skip
    services.invitation_send(sender=member, recipient=grace)
    page, rendered = fetched(member_client, grace.get_absolute_url(), PROFILE_CARDS)

    assert rendered == 1
    assert "Admiral" in page
    assert "Pending" in page
