"""A page's query count does not grow with the data: each page is measured on a small and a
ten-times larger graph, and must cost the same."""

import random

import pytest
from django.urls import reverse

from accounts.models import Connection
from tests.assertions import queries_for
from tests.factories import InvitationFactory, MemberFactory


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


PAGES = {
    "profile": lambda members: members[-1].get_absolute_url(),
    "search": lambda members: reverse("accounts:search") + "?q=gardener",
    "my network": lambda members: reverse("accounts:my_network"),
    "home": lambda members: reverse("home"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_the_graph(client, member, page):
    client.force_login(member)
    small = queries_for(client, PAGES[page](grow_graph(member, 12)))
    large = queries_for(client, PAGES[page](grow_graph(member, 120)))

    assert small == large
    assert large <= 10


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
