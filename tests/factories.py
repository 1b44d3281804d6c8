"""Rows for tests: one factory per model, and the builders that write whole scenes in bulk.

A factory writes a row as it is stored, not as a member would make it: a SubscriptionFactory
grants no credits and a ConversationFactory has no messages. Tests of behaviour go through
the services (`connect`, `subscribe` below, or the service under test); the factories serve
the tests of the models' constraints and data no service writes.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts import services
from accounts.models import Block, Connection, Invitation, Member
from inmail.models import Conversation, Message, Participant
from premium import services as premium_services
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription, add_months

PASSWORD = "inmail-demo-2026"

# --- accounts -------------------------------------------------------------------------------


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"member{n}@example.com")
    slug = factory.Sequence(lambda n: f"member-{n}")
    headline = factory.Faker("job")
    location = factory.Faker("city")
    # Hashed with the tests' fast hasher (tests/settings.py).
    password = factory.django.Password(PASSWORD)


class ConnectionFactory(factory.django.DjangoModelFactory):
    """One direction of a connection; `connect()` makes both, as members do."""

    class Meta:
        model = Connection

    member = factory.SubFactory(MemberFactory)
    other = factory.SubFactory(MemberFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    sender = factory.SubFactory(MemberFactory)
    recipient = factory.SubFactory(MemberFactory)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(MemberFactory)
    blocked = factory.SubFactory(MemberFactory)


# --- premium --------------------------------------------------------------------------------


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan beside the five the migration seeds; its cap defaults to three months' credits."""

    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"Premium Trial {n}")
    slug = factory.Sequence(lambda n: f"premium-trial-{n}")
    monthly_price = Decimal("9.99")
    monthly_credits = 7


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A subscription row in its first billing month, without the credits `subscribe()` grants."""

    class Meta:
        model = Subscription

    class Params:
        ended = factory.Trait(
            status=Subscription.Status.ENDED, ended_at=factory.SelfAttribute("period_end")
        )

    member = factory.SubFactory(MemberFactory)
    plan = factory.SubFactory(PlanFactory)
    started_at = factory.LazyFunction(timezone.now)
    period_start = factory.SelfAttribute("started_at")
    period_end = factory.LazyAttribute(lambda row: add_months(row.period_start, 1))


class CreditGrantFactory(factory.django.DjangoModelFactory):
    """A monthly lot of its subscription's member, unspent; `credit_back=True` for a credit back."""

    class Meta:
        model = CreditGrant

    class Params:
        credit_back = factory.Trait(
            kind=CreditGrant.Kind.CREDIT_BACK, subscription=None, billing_month=None, amount=1
        )

    member = factory.SubFactory(MemberFactory)
    subscription = factory.SubFactory(SubscriptionFactory, member=factory.SelfAttribute("..member"))
    kind = CreditGrant.Kind.MONTHLY
    billing_month = 0
    amount = 5
    remaining = factory.SelfAttribute("amount")
    granted_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda row: row.granted_at + CREDIT_LIFETIME)


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    """A spend that left the balance at zero."""

    class Meta:
        model = LedgerEntry

    member = factory.SubFactory(MemberFactory)
    amount = -1
    reason = LedgerEntry.Reason.SPEND
    balance_after = 0


# --- inmail ---------------------------------------------------------------------------------


class ConversationFactory(factory.django.DjangoModelFactory):
    """A conversation between connections; `inmail=True` for a pending InMail that cost a credit."""

    class Meta:
        model = Conversation

    class Params:
        inmail = factory.Trait(
            kind=Conversation.Kind.INMAIL,
            subject="Hello",
            response=Conversation.Response.PENDING,
            credit_spent=True,
        )

    kind = Conversation.Kind.MESSAGE
    starter = factory.SubFactory(MemberFactory)
    recipient = factory.SubFactory(MemberFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    """A message by the conversation's starter."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    author = factory.SelfAttribute("conversation.starter")
    body = "Hello"


class ParticipantFactory(factory.django.DjangoModelFactory):
    """The starter's side of a conversation."""

    class Meta:
        model = Participant

    conversation = factory.SubFactory(ConversationFactory)
    member = factory.SelfAttribute("conversation.starter")
    other = factory.SelfAttribute("conversation.recipient")


# --- through the services -------------------------------------------------------------------


def connect(a: Member, b: Member) -> None:
    """Connect two members the way members do: an invitation, then its acceptance."""
    invitation = services.invitation_send(sender=a, recipient=b)
    services.invitation_accept(member=b, invitation_id=invitation.pk)


def subscribe(member: Member, plan_slug: str = "premium-essentials"):
    """Start a Premium plan for `member` the way members do; the plans come from a migration."""
    return premium_services.subscription_start(member=member, plan=Plan.objects.get(slug=plan_slug))


# --- in bulk --------------------------------------------------------------------------------
# Hundreds of rows in a handful of queries, in the shapes the services write them.


def bulk_members(count, *, prefix):
    return Member.objects.bulk_create(
        MemberFactory.build(
            email=f"{prefix}{n}@example.com",
            slug=f"{prefix}-{n}",
            first_name=f"Pat{n}",
            last_name=prefix.capitalize(),
            headline="Gardener",
        )
        for n in range(count)
    )


def bulk_conversations(viewer, count, *, newest=None, prefix="bulk", mixed=True, ties=2):
    """`count` conversations of `viewer`, each with a new member, the n-th one n // ties
    minutes before `newest` (default: now), so `ties` of them share each time and the id
    breaks the tie. Returns the other members, newest conversation first.

    Mixed, as an inbox is: every third one an InMail the viewer received (pending), every third
    one an InMail the viewer sent with a credit, the rest messages between connections; half
    of those the other member wrote last are unread; one in five archived, one in five spam
    (so that even 5 conversations fill every filter).
    Not mixed, every one is in the viewer's inbox.
    """
    newest = newest or timezone.now()
    folders = Participant.Folder
    others = bulk_members(count, prefix=prefix)
    times = [newest - timedelta(minutes=n // ties) for n in range(count)]
    conversations, authors = [], []
    for n, (other, at) in enumerate(zip(others, times, strict=True)):
        if n % 3 == 2:
            conversation = Conversation(kind="message", starter=viewer, recipient=other)
            authors.append(viewer if n % 2 else other)
        else:
            received = n % 3 == 0
            conversation = Conversation(
                kind="inmail",
                starter=other if received else viewer,
                recipient=viewer if received else other,
                subject=f"Subject {n}",
                response="pending",
                credit_spent=not received,
            )
            authors.append(other if received else viewer)
        conversation.created_at = at
        conversations.append(conversation)
    Conversation.objects.bulk_create(conversations)
    Connection.objects.bulk_create(
        [
            Connection(member=a, other=b)
            for c in conversations
            if c.kind == "message"
            for a, b in [(c.starter, c.recipient), (c.recipient, c.starter)]
        ]
    )
    Message.objects.bulk_create(
        [
            Message(
                conversation=c, author=author, body=f"Hi from {author.first_name}", created_at=at
            )
            for c, author, at in zip(conversations, authors, times, strict=True)
        ]
    )
    Conversation.objects.filter(pk__in=[c.pk for c in conversations]).update(
        last_message=Subquery(
            Message.objects.filter(conversation=OuterRef("pk"))
            .order_by("-created_at", "-pk")
            .values("pk")[:1]
        )
    )

    participants = []
    for n, (c, other, author, at) in enumerate(
        zip(conversations, others, authors, times, strict=True)
    ):
        folder = {3: folders.ARCHIVED, 4: folders.SPAM}.get(n % 5, folders.INBOX)
        folder = folder if mixed else folders.INBOX
        theirs = author.pk == other.pk
        unread = theirs and n % 2 == 0 and folder != folders.SPAM
        # Read when written or opened; a message that went to Spam is neither unread nor read.
        read = not unread and not (theirs and folder == folders.SPAM)
        participants += [
            Participant(
                conversation=c,
                member=viewer,
                other=other,
                folder=folder,
                unread=unread,
                last_message_at=at,
                read_at=at if read else None,
            ),
            Participant(
                conversation=c,
                member=other,
                other=viewer,
                unread=not theirs,
                last_message_at=at,
                read_at=at if theirs else None,
            ),
        ]
    Participant.objects.bulk_create(participants)
    return others


def bulk_messages(conversation, count):
    """`count` older messages in `conversation`, the two members taking turns, a minute apart."""
    people = [conversation.starter_id, conversation.recipient_id]
    newest = conversation.last_message.created_at
    Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                author_id=people[n % 2],
                body=f"Message {n}",
                created_at=newest - timedelta(minutes=count - n),
            )
            for n in range(count)
        ]
    )
