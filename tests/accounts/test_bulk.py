from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.bulk import (
    NewConnection,
    NewInvitation,
    NewMember,
    connections_bulk_create,
    invitations_bulk_create,
    members_bulk_create,
)
from accounts.models import Connection, Invitation, Member
from accounts.selectors import FIRST, SECOND, with_relationship
from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.django_db

JOINED = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
CONNECTED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def new_member(number, first="Ada", last="Lovelace", **fields):
    return NewMember(
        email=f"member{number}@example.net",
        first_name=first,
        last_name=last,
        password=make_password(PASSWORD),
        date_joined=JOINED,
        **fields,
    )


def test_members_get_their_ids_in_order_and_slugs_nobody_has():
    MemberFactory(first_name="Ada", last_name="Lovelace", slug="ada-lovelace")

    pks = members_bulk_create(
        [new_member(1), new_member(2, "Grace", "Hopper"), new_member(3), new_member(4)],
        batch_size=2,
    )

    members = Member.objects.in_bulk(pks)
    assert [members[pk].email for pk in pks] == [f"member{n}@example.net" for n in (1, 2, 3, 4)]
    assert [members[pk].slug for pk in pks] == [
        "ada-lovelace-2",
        "grace-hopper",
        "ada-lovelace-3",
        "ada-lovelace-4",
    ]
    assert all(members[pk].date_joined == JOINED for pk in pks)
    assert all(members[pk].check_password("inmail-demo-2026") for pk in pks)


def test_staff_and_profile_fields_are_kept():
    [pk] = members_bulk_create(
        [
            new_member(
                1,
                headline="Engineer",
                location="Dublin, Ireland",
                about="Hello",
                is_staff=True,
                is_superuser=True,
                open_profile=True,
            )
        ]
    )

    member = Member.objects.get(pk=pk)
    assert (member.headline, member.location, member.about) == (
        "Engineer",
        "Dublin, Ireland",
        "Hello",
    )
    assert (member.is_staff, member.is_superuser, member.open_profile) == (True, True, True)


def test_each_connection_is_written_both_ways():
    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()

    count = connections_bulk_create(
        [NewConnection(a.pk, b.pk, CONNECTED), NewConnection(b.pk, c.pk, CONNECTED)], batch_size=2
    )

    assert count == 2
    assert set(Connection.objects.values_list("member", "other", "created_at")) == {
        (a.pk, b.pk, CONNECTED),
        (b.pk, a.pk, CONNECTED),
        (b.pk, c.pk, CONNECTED),
        (c.pk, b.pk, CONNECTED),
    }
    degrees = dict(
        with_relationship(Member.objects.exclude(pk=a.pk), a).values_list("pk", "degree")
    )
    assert degrees == {b.pk: FIRST, c.pk: SECOND}


def test_invitations_are_pending():
    a, b = MemberFactory(), MemberFactory()

    assert invitations_bulk_create([NewInvitation(a.pk, b.pk, "Hi", CONNECTED)]) == 1

    invitation = Invitation.objects.get()
    assert (invitation.sender, invitation.recipient, invitation.note) == (a, b, "Hi")
    assert (invitation.status, invitation.created_at) == (Invitation.Status.PENDING, CONNECTED)


def test_the_queries_do_not_grow_with_the_rows():
    def queries(count, start):
        with CaptureQueriesContext(connection) as context:
            pks = members_bulk_create(new_member(start + n) for n in range(count))
            connections_bulk_create(
                NewConnection(a, b, CONNECTED) for a, b in zip(pks, pks[1:], strict=False)
            )
            invitations_bulk_create(NewInvitation(pks[0], b, "", CONNECTED) for b in pks[2:])
        return len(context)

    assert queries(3, 0) == queries(30, 100)
    assert Member.objects.count() == 33
