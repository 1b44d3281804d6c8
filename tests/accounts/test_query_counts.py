"""A page's query count does not grow with the data: each page is measured on a small and a
ten-times larger graph, and must cost the same."""

import random

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from accounts.models import Connection, Invitation, Member
from tests.assertions import queries_for
from tests.factories import PASSWORD, InvitationFactory, MemberFactory


def grow_graph(viewer, size):
    """`size` members named Gardener around the viewer: some 1st, most 2nd, a few invitations."""
    rng = random.Random(size)
    members = MemberFactory.create_batch(size, headline="Gardener")
    pairs = {(viewer.pk, m.pk) for m in members[: size // 3]}
    pairs.add((members[0].pk, members[-1].pk))  # the profile measured: always 2nd degree
    for m in members:
        for friend in rng.sample(members, 3):
            if friend.pk != m.pk:
                pairs.add((m.pk, friend.pk))
    rows = {(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}
    Connection.objects.bulk_create(
        [Connection(member_id=a, other_id=b) for a, b in rows], ignore_conflicts=True
    )
    strangers = [m for m in members[size // 3 :]]
    for m in strangers[:3]:
        InvitationFactory(sender=m, recipient=viewer)
    for m in strangers[3:6]:
        InvitationFactory(sender=viewer, recipient=m)
    return members


# A search reads the 3rd+ degree only when the viewer's network has fewer than a page of
# matches, in a query of its own: the smaller graphs (selectors.member_search_first_page).
# More data never costs a page more queries.
SHORT_NETWORK = {"search": 1} if connection.vendor == "postgresql" else {}

PAGES = {
    "profile": lambda members: members[-1].get_absolute_url(),
    "1st-degree profile": lambda members: members[0].get_absolute_url(),
    "search": lambda members: reverse("accounts:search") + "?q=gardener",
    "search, 2nd degree": lambda members: reverse("accounts:search") + "?q=gardener&degree=2",
    "my network": lambda members: reverse("accounts:my_network"),
    "home": lambda members: reverse("home"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_the_graph(client, member, page):
    client.force_login(member)
    small = queries_for(client, PAGES[page](grow_graph(member, 12)))
    # Both measured with nothing cached: home's suggestions, ranked once an hour (one query
    # more), would otherwise be read for the larger graph from the smaller one's ranking.
    cache.clear()
    large = queries_for(client, PAGES[page](grow_graph(member, 120)))

    assert small == large + SHORT_NETWORK.get(page, 0)
    # The profile also asks InMail whether and how the viewer may write (the Message button
    # and the credit badge): blocks, a conversation, the viewer's plan and credits.
    assert large <= 8


@pytest.mark.django_db
def test_admin_member_list_query_count_does_not_grow(client, member):
    admin = MemberFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:accounts_member_changelist")

    grow_graph(member, 12)
    small = queries_for(client, url)
    grow_graph(member, 120)
    large = queries_for(client, url)

    assert small == large


def crowd(viewer, *, invitations, connections):
    """Members with a pending invitation to the viewer, and connections of the viewer; the
    first of each returned."""
    password = make_password(PASSWORD)
    members = Member.objects.bulk_create(
        Member(
            email=f"crowd-{viewer.pk}-{i}@example.com",
            slug=f"crowd-{viewer.pk}-{i}",
            first_name="Crowd",
            last_name=f"Member {i}",
            password=password,
        )
        for i in range(invitations + connections)
    )
    Invitation.objects.bulk_create(
        Invitation(sender=m, recipient=viewer) for m in members[:invitations]
    )
    Connection.objects.bulk_create(
        Connection(member=a, other=b)
        for m in members[invitations:]
        for a, b in ((viewer, m), (m, viewer))
    )
    return {"inviter": members[0], "connection": members[invitations]}


# Every page a member sees, for a member with a crowd around them.
CROWD_PAGES = {
    "my network": lambda crowd: reverse("accounts:my_network"),
    "all invitations": lambda crowd: reverse("accounts:my_network") + "?show=received",
    "home": lambda crowd: reverse("home"),
    "search": lambda crowd: reverse("accounts:search") + "?q=crowd",
    "an inviter's profile": lambda crowd: crowd["inviter"].get_absolute_url(),
    "a connection's profile": lambda crowd: crowd["connection"].get_absolute_url(),
    "compose": lambda crowd: reverse("inmail:compose", kwargs={"slug": crowd["connection"].slug}),
    "inbox": lambda crowd: reverse("inmail:inbox"),
    "my premium": lambda crowd: reverse("premium:my_premium"),
    "checkout": lambda crowd: reverse("premium:checkout", kwargs={"slug": "premium-pro"}),
    "settings": lambda crowd: reverse("accounts:settings"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", CROWD_PAGES)
def test_a_member_with_500_invitations_and_300_connections_costs_the_same_queries(
    client, member, page
):
    small, large = MemberFactory(), MemberFactory()
    urls = {
        viewer: CROWD_PAGES[page](crowd(viewer, invitations=n, connections=c))
        for viewer, n, c in [(small, 5, 3), (large, 500, 300)]
    }

    # Each measured with nothing in the shared cache (My Premium's plans, read once for every
    # member, and home's suggestions), as the first page after a deploy or a plan's change.
    client.force_login(small)
    cache.clear()
    queries_small = queries_for(client, urls[small])
    client.force_login(large)
    cache.clear()
    queries_large = queries_for(client, urls[large])

    assert queries_small == queries_large + SHORT_NETWORK.get(page, 0)
    assert queries_large <= queries_small <= 8


@pytest.mark.django_db
def test_my_network_with_500_invitations_lists_three(client, member):
    crowd(member, invitations=500, connections=300)
    client.force_login(member)

    response = client.get(reverse("accounts:my_network"))

    assert len(response.context["inviters"]) == 3
    assert len(response.context["page"].object_list) == 25
