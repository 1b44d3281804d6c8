"""Bulk writes of conversations with their messages and participants, for demo data and tests.

`inmail.services` writes one message at a time, with every rule and lock. This inserts whole
conversations that are already known to be allowed, a few queries per batch of conversations
and none per row, with what the services keep beside the messages: the conversation's start
and last message, an InMail's response (from the recipient's first message) and when it came,
and each participant's other member, last message time, unread mark and read time.

Credits are premium's: an InMail marked `credit_spent` should have its spend (and, once
answered, its credit back) in the sender's ledger, written through premium.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import batched

from django.db import transaction
from django.db.models import OuterRef, Subquery

from accounts.bulk import require_returned_ids
from core.bulk import insert_rows
from inmail.models import Conversation, Message, Participant

BATCH_SIZE = 2000

# The recipient's first message decides an InMail's response.
_RESPONSES = {
    Message.Kind.TEXT: Conversation.Response.REPLIED,
    Message.Kind.INTERESTED: Conversation.Response.INTERESTED,
    Message.Kind.NOT_INTERESTED: Conversation.Response.NOT_INTERESTED,
}


@dataclass(frozen=True)
class NewMessage:
    author_id: int
    body: str
    created_at: datetime
    kind: str = Message.Kind.TEXT


@dataclass(frozen=True)
class NewConversation:
    """A conversation and its messages, oldest first, the first one the starter's.

    With a subject it is an InMail: pending until the recipient's first message (a reply or a
    one-click answer). Each side keeps it in its folder (the inbox unless given).
    """

    starter_id: int
    recipient_id: int
    messages: Sequence[NewMessage]
    subject: str = ""
    credit_spent: bool = False
    starter_folder: str = Participant.Folder.INBOX
    recipient_folder: str = Participant.Folder.INBOX

    @property
    def is_inmail(self) -> bool:
        return bool(self.subject)


def _check(new: NewConversation) -> None:
    messages = new.messages
    if not messages or messages[0].author_id != new.starter_id:
        raise ValueError(f"A conversation starts with a message by its starter: {new}.")
    if any(m.author_id not in (new.starter_id, new.recipient_id) for m in messages):
        raise ValueError(f"Only the two members write in their conversation: {new}.")
    times = [message.created_at for message in messages]
    if times != sorted(times):
        raise ValueError(f"The messages must be given oldest first: {new}.")


def _conversation(new: NewConversation) -> Conversation:
    conversation = Conversation(
        kind=Conversation.Kind.MESSAGE,
        starter_id=new.starter_id,
        recipient_id=new.recipient_id,
        created_at=new.messages[0].created_at,
    )
    if new.is_inmail:
        answer = next((m for m in new.messages if m.author_id == new.recipient_id), None)
        conversation.kind = Conversation.Kind.INMAIL
        conversation.subject = new.subject
        conversation.credit_spent = new.credit_spent
        conversation.response = Conversation.Response.PENDING
        if answer is not None:
            conversation.response = _RESPONSES[answer.kind]
            conversation.responded_at = answer.created_at
    return conversation


def _participants(new: NewConversation, conversation: Conversation) -> list[Participant]:
    last = new.messages[-1]
    # Each side read the conversation when they last wrote in it, as message_send records.
    wrote = {m.author_id: m.created_at for m in new.messages}
    sides = (
        (new.starter_id, new.recipient_id, new.starter_folder),
        (new.recipient_id, new.starter_id, new.recipient_folder),
    )
    return [
        Participant(
            conversation=conversation,
            member_id=member,
            other_id=other,
            folder=folder,
            # Unread for whoever did not write last, except in Spam, which stays quiet.
            unread=last.author_id != member and folder != Participant.Folder.SPAM,
            last_message_at=last.created_at,
            read_at=wrote.get(member),
        )
        for member, other, folder in sides
    ]


@transaction.atomic
def conversations_bulk_create(
    conversations: Iterable[NewConversation], *, batch_size: int = BATCH_SIZE
) -> int:
    """Insert the conversations (see the module); return how many. Any iterable will do, so a
    large one can be generated batch by batch."""
    require_returned_ids()
    count = 0
    for chunk in batched(conversations, batch_size):
        for new in chunk:
            _check(new)
        rows = [_conversation(new) for new in chunk]
        Conversation.objects.bulk_create(rows, batch_size=batch_size)
        Participant.objects.bulk_create(
            [
                participant
                for new, row in zip(chunk, rows, strict=True)
                for participant in _participants(new, row)
            ],
            batch_size=batch_size,
        )
        # Plain rows: conversations have many messages each (see core.bulk).
        insert_rows(
            Message,
            ["conversation", "author", "kind", "body", "created_at"],
            [
                (row.pk, message.author_id, message.kind, message.body, message.created_at)
                for new, row in zip(chunk, rows, strict=True)
                for message in new.messages
            ],
        )
        # The newest message, as the thread orders them: one UPDATE for the whole batch.
        last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
        Conversation.objects.filter(pk__in=[row.pk for row in rows]).update(
            last_message=Subquery(last.values("pk")[:1])
        )
        count += len(rows)
    return count
