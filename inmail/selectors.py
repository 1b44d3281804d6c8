"""Reads of conversations, always the member's own: another member's id finds nothing."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Member
from accounts.selectors import members_for_viewer
from inmail.models import Conversation, Message, Participant

INBOX_PAGE_SIZE = 20
THREAD_MESSAGES = 200  # the most recent messages a thread shows

FILTERS = {
    "all": ("All", Q(folder=Participant.Folder.INBOX)),
    "unread": ("Unread", Q(folder=Participant.Folder.INBOX, unread=True)),
    "inmail": (
        "InMail",
        Q(folder=Participant.Folder.INBOX, conversation__kind=Conversation.Kind.INMAIL),
    ),
    "archived": ("Archived", Q(folder=Participant.Folder.ARCHIVED)),
    "spam": ("Spam", Q(folder=Participant.Folder.SPAM)),
}


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class InboxPage:
    rows: list[Participant]
    next_cursor: str | None


def encode_cursor(row: Participant) -> str:
    raw = f"{row.last_message_at.isoformat()}|{row.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError
        # In UTC, as every cursor we make is: PostgreSQL refuses offsets beyond ±15:59.
        return at.astimezone(UTC), int(pk)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None


def _participants(member: Member) -> QuerySet[Participant]:
    """The member's conversations with the other member (degree, Premium) and the last message."""
    others = members_for_viewer(viewer=member, queryset=Member.objects.all())
    return (
        Participant.objects.filter(member=member)
        .select_related("conversation__last_message")
        .prefetch_related(Prefetch("other", queryset=others))
    )


def inbox_page(*, member: Member, filter_name: str, cursor: str | None = None) -> InboxPage:
    """A page of the member's conversations, most recent first, after `cursor`.

    Keyset pagination on (last_message_at, id): a page costs the same wherever it is, and a
    conversation that moves to the top while the member reads doesn't shift the pages below.
    Raises BadCursor for a cursor this code did not make.
    """
    rows = _participants(member).filter(FILTERS[filter_name][1])
    if cursor:
        at, pk = decode_cursor(cursor)
        rows = rows.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, pk__lt=pk))
    rows = list(rows.order_by("-last_message_at", "-pk")[: INBOX_PAGE_SIZE + 1])
    more = len(rows) > INBOX_PAGE_SIZE
    rows = rows[:INBOX_PAGE_SIZE]
    return InboxPage(rows=rows, next_cursor=encode_cursor(rows[-1]) if more else None)


def own_conversation(*, member: Member, conversation_id: int) -> Participant | None:
    """The member's side of the conversation, or None when it is not theirs."""
    return _participants(member).filter(conversation_id=conversation_id).first()


def thread_messages(*, conversation: Conversation) -> list[Message]:
    """The conversation's most recent messages, oldest first."""
    latest = (
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .order_by("-created_at", "-id")[:THREAD_MESSAGES]
    )
    return list(reversed(latest))


def unread_count(*, member: Member) -> int:
    return Participant.objects.filter(
        member=member, unread=True, folder=Participant.Folder.INBOX
    ).count()
