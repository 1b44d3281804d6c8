"""The benchmark's seeder writes through the apps' bulk writers, and its check holds them to
every denormalised field: run here on a shape small enough for the suite."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Connection, Invitation, Member
from bench import check, seed
from inmail.models import Conversation, Message, Participant
from premium import selectors
from premium.models import CreditGrant, LedgerEntry, Subscription

pytestmark = pytest.mark.django_db

SMALL = seed.Shape(
    "small",
    members=120,
    background_messages=400,
    inbox_conversations=15,
    premium_due=True,
    inbox_connections=10,
    network_connections=12,
    network_invitations=20,
)


@pytest.fixture
def seeded():
    seed.seed(SMALL, log=lambda line: None)


def test_the_shape_is_written_as_described(seeded):
    inbox = Member.objects.get(email=seed.INBOX_VIEWER)
    network = Member.objects.get(email=seed.NETWORK_VIEWER)
    assert Member.objects.count() == 120
    assert Connection.objects.filter(member=inbox).count() == 10
    assert Connection.objects.filter(member=network).count() == 12
    assert Invitation.objects.filter(recipient=network, status="pending").count() == 20
    assert Participant.objects.filter(member=inbox).count() == 15
    # The inbox viewer's conversations beyond its 10 connections are InMails to its Open
    # Profile, answered by its reply: read by it, free for their senders.
    inmails = Conversation.objects.filter(recipient=inbox, kind=Conversation.Kind.INMAIL)
    assert inmails.count() == 5
    assert set(inmails.values_list("response", "credit_spent")) == {("replied", False)}
    assert inbox.open_profile
    assert Message.objects.count() == 20 * (15 + 400 // 20)
    # A quarter of the members Premium, all due: a month and more since they started.
    assert Subscription.objects.count() == 1 + len(range(4, 119, 4))
    assert not Subscription.objects.filter(period_end__gt=timezone.now()).exclude(member=inbox)
    assert len(selectors.member_ids_due()) == Subscription.objects.count() - 1


def test_the_seeded_data_passes_the_consistency_check(seeded):
    assert check.problems() == []


def test_the_check_finds_a_copy_that_disagrees(seeded):
    participant = Participant.objects.order_by("pk").first()
    Participant.objects.filter(pk=participant.pk).update(
        last_message_at=participant.last_message_at + timedelta(minutes=1),
        unread=not participant.unread,
    )
    lot = CreditGrant.objects.order_by("pk").first()
    CreditGrant.objects.filter(pk=lot.pk).update(remaining=lot.remaining - 1)

    assert check.problems() == [
        "1 participants whose last message time is not the last message's",
        "1 participants unread by the last author, or read by the other",
        "1 balances the ledger does not explain",
    ]
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == (
        CreditGrant.objects.aggregate(total=Sum("remaining"))["total"] + 1
    )
