"""inmail.bulk writes what the services would have written, message by message."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import Conflict
from inmail import selectors, services
from inmail.bulk import NewConversation, NewMessage, conversations_bulk_create
from inmail.models import Conversation, Message, Participant
from tests.factories import MemberFactory, connect, subscribe

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
SUBJECT = "A role on our compiler team"
Folder = Participant.Folder
Response = Conversation.Response


def state(conversation):
    """Everything the services keep about a conversation, by who wrote and when."""
    conversation.refresh_from_db()
    members = {conversation.starter_id: "starter", conversation.recipient_id: "recipient"}
    last = conversation.last_message
    return {
        "conversation": (
            conversation.kind,
            conversation.subject,
            conversation.response,
            conversation.responded_at,
            conversation.credit_spent,
            conversation.created_at,
        ),
        "last_message": (members[last.author_id], last.kind, last.body, last.created_at),
        "messages": [
            (members[author], kind, body, created_at)
            for author, kind, body, created_at in conversation.messages.order_by("id").values_list(
                "author", "kind", "body", "created_at"
            )
        ],
        "participants": sorted(
            (members[member], members[other], folder, unread, last_message_at, read_at)
            for member, other, folder, unread, last_message_at, read_at in (
                conversation.participants.values_list(
                    "member", "other", "folder", "unread", "last_message_at", "read_at"
                )
            )
        ),
    }


def written_by_services(clock, script, *, subject=""):
    """Play `script` ((by "starter" or "recipient", what)) through the services, an hour apart.
    What is a body, or "interested" / "not interested" for the recipient's one-click answer."""
    starter, recipient = MemberFactory(), MemberFactory()
    if subject:
        subscribe(starter)
    else:
        connect(starter, recipient)
    members = {"starter": starter, "recipient": recipient}
    conversation = None
    for number, (who, what) in enumerate(script):
        clock.move_to(START + number * HOUR)
        author, other = members[who], members["recipient" if who == "starter" else "starter"]
        if what in ("interested", "not interested"):
            message = services.inmail_answer(
                member=author,
                conversation_id=conversation.pk,
                interested=what == "interested",
            )
        else:
            message = services.message_send(
                sender=author,
                recipient=other,
                body=what,
                subject=subject if conversation is None else "",
                token=uuid.uuid4(),
                notify=False,
            )
        conversation = message.conversation
    return conversation


KINDS = {
    "interested": (Message.Kind.INTERESTED, services.INTERESTED_BODY),
    "not interested": (Message.Kind.NOT_INTERESTED, services.NOT_INTERESTED_BODY),
}


def written_in_bulk(script, *, subject="", credit_spent=False):
    starter, recipient = MemberFactory(), MemberFactory()
    members = {"starter": starter.pk, "recipient": recipient.pk}
    messages = []
    for number, (who, what) in enumerate(script):
        kind, body = KINDS.get(what, (Message.Kind.TEXT, what))
        messages.append(NewMessage(members[who], body, START + number * HOUR, kind))
    conversations_bulk_create(
        [
            NewConversation(
                starter_id=starter.pk,
                recipient_id=recipient.pk,
                messages=messages,
                subject=subject,
                credit_spent=credit_spent,
            )
        ]
    )
    return Conversation.objects.get(starter=starter)


SCRIPTS = {
    "one message": [("starter", "Hello")],
    "back and forth": [("starter", "Hello"), ("recipient", "Hi!"), ("starter", "Coffee?")],
    "the starter twice": [("starter", "Hello"), ("starter", "Are you there?")],
}
INMAILS = {
    "pending": [("starter", "Would you talk?")],
    "replied": [("starter", "Would you talk?"), ("recipient", "Sure"), ("starter", "Great")],
    "interested": [("starter", "Would you talk?"), ("recipient", "interested")],
    "not interested": [("starter", "Would you talk?"), ("recipient", "not interested")],
}


@pytest.mark.parametrize("script", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_a_conversation_between_connections_is_written_as_the_services_write_it(clock, script):
    assert state(written_in_bulk(script)) == state(written_by_services(clock, script))


@pytest.mark.parametrize("script", INMAILS.values(), ids=INMAILS.keys())
def test_an_inmail_and_its_answer_are_written_as_the_services_write_them(clock, script):
    bulk = written_in_bulk(script, subject=SUBJECT, credit_spent=True)

    assert state(bulk) == state(written_by_services(clock, script, subject=SUBJECT))


def test_the_fields_the_inbox_reads_are_kept():
    conversation = written_in_bulk(INMAILS["replied"], subject=SUBJECT)

    last = conversation.messages.order_by("-id").first()
    assert conversation.last_message == last
    assert conversation.created_at == START
    assert (conversation.response, conversation.responded_at) == (Response.REPLIED, START + HOUR)
    starter = Participant.objects.get(conversation=conversation, member=conversation.starter)
    recipient = Participant.objects.get(conversation=conversation, member=conversation.recipient)
    assert (starter.other, starter.unread, starter.last_message_at) == (
        conversation.recipient,
        False,
        last.created_at,
    )
    assert (recipient.other, recipient.unread, recipient.last_message_at) == (
        conversation.starter,
        True,
        last.created_at,
    )
    assert selectors.unread_count(member=conversation.recipient) == 1
    page = selectors.inbox_page(member=conversation.recipient, filter_name="inmail")
    assert [row.conversation_id for row in page.rows] == [conversation.pk]


def test_each_side_keeps_its_folder_and_spam_stays_read():
    starter, recipient = MemberFactory(), MemberFactory()

    conversations_bulk_create(
        [
            NewConversation(
                starter_id=starter.pk,
                recipient_id=recipient.pk,
                messages=[NewMessage(starter.pk, "Buy now", START)],
                subject="Offer",
                starter_folder=Folder.ARCHIVED,
                recipient_folder=Folder.SPAM,
            )
        ]
    )

    rows = dict(Participant.objects.values_list("member", "folder"))
    assert rows == {starter.pk: Folder.ARCHIVED, recipient.pk: Folder.SPAM}
    assert not Participant.objects.filter(unread=True).exists()


def test_the_services_carry_on_a_bulk_written_inmail(clock):
    conversation = written_in_bulk(INMAILS["pending"], subject=SUBJECT)
    starter, recipient = conversation.starter, conversation.recipient

    with pytest.raises(Conflict, match="You can write again once they respond"):
        services.message_send(sender=starter, recipient=recipient, body="Again?")
    clock.move_to(START + 2 * HOUR)
    reply = services.message_send(sender=recipient, recipient=starter, body="Happy to talk")

    assert reply.conversation_id == conversation.pk
    conversation.refresh_from_db()
    assert (conversation.response, conversation.last_message) == (Response.REPLIED, reply)
    assert Participant.objects.get(conversation=conversation, member=starter).unread


def test_the_queries_do_not_grow_with_the_rows():
    members = [MemberFactory() for _ in range(12)]

    def queries(pairs, length):
        new = [
            NewConversation(
                starter_id=a.pk,
                recipient_id=b.pk,
                messages=[
                    NewMessage(a.pk if turn % 2 == 0 else b.pk, f"Message {turn}", START)
                    for turn in range(length)
                ],
            )
            for a, b in pairs
        ]
        with CaptureQueriesContext(connection) as context:
            assert conversations_bulk_create(new) == len(pairs)
        return len(context)

    assert queries([(members[0], members[1])], 1) == queries(
        [(members[i], members[j]) for i in range(2, 12) for j in range(i + 1, 12)][:20], 4
    )
    assert Message.objects.count() == 1 + 20 * 4


def test_batches_link_each_conversation_to_its_own_last_message():
    members = [MemberFactory() for _ in range(6)]
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]

    conversations_bulk_create(
        [
            NewConversation(
                starter_id=a.pk,
                recipient_id=b.pk,
                messages=[
                    NewMessage(a.pk, f"{a.pk} to {b.pk}", START),
                    NewMessage(b.pk, f"{b.pk} back to {a.pk}", START + HOUR),
                ],
            )
            for a, b in pairs
        ],
        batch_size=4,
    )

    assert Conversation.objects.count() == len(pairs)
    for conversation in Conversation.objects.select_related("last_message"):
        assert conversation.last_message.body == (
            f"{conversation.recipient_id} back to {conversation.starter_id}"
        )


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        (lambda a, b, c: [], "starts with a message by its starter"),
        (lambda a, b, c: [NewMessage(b, "Hi", START)], "starts with a message by its starter"),
        (
            lambda a, b, c: [NewMessage(a, "Hi", START), NewMessage(c, "Me too", START)],
            "Only the two members",
        ),
        (
            lambda a, b, c: [NewMessage(a, "Hi", START + HOUR), NewMessage(b, "Hello", START)],
            "oldest first",
        ),
    ],
)
def test_impossible_conversations_are_refused_and_nothing_is_written(messages, message):
    a, b, c = (MemberFactory().pk for _ in range(3))
    good = NewConversation(starter_id=a, recipient_id=c, messages=[NewMessage(a, "Hi", START)])

    with pytest.raises(ValueError, match=message):
        conversations_bulk_create(
            [good, NewConversation(starter_id=a, recipient_id=b, messages=messages(a, b, c))]
        )

    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
