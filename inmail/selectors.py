"""Reads of conversations, always the member's own: another member's id finds nothing; and
whether and how one member may write to another (`compose_options`)."""

import base64
import binascii
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Star
from django.db.models.functions import Greatest, Least

from accounts.models import Block, Connection, Invitation, Member
from accounts.selectors import (
    FIRST,
    NOT_LISTED,
    blockers_between,
    blocks,
    member_badges,
    members_for_viewer,
    visible_members,
)
from core import sessions
from core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from core.queries import Compiled, first_row
from inmail.models import SEARCH_CONFIG, Conversation, Message, Participant, search_document
from premium import selectors as premium_selectors
from premium import services as premium_services

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


BADGE = "badge_"  # the other member's badges, read with the row, then moved onto the member


def _participants(member: Member) -> QuerySet[Participant]:
    """The member's conversations with the last message and the other member, with the other
    member's badges (degree, Premium) in the same query."""
    badges = member_badges(member, ref="other")
    return (
        Participant.objects.filter(member=member)
        .select_related("conversation__last_message", "other")
        # Of the other member, what a row, a thread and whether one may write show.
        .defer(*(f"other__{name}" for name in NOT_LISTED))
        .annotate(**{BADGE + name: expression for name, expression in badges.items()})
    )


def _search(rows: QuerySet[Participant], query: str) -> QuerySet[Participant]:
    """The rows whose other member's name has every word of `query`, or whose subject or one
    of whose messages matches it: full-text search on PostgreSQL (the messages' GIN index),
    `icontains` elsewhere (SQLite, for `make run`). The one place that knows the database."""
    name = Q()
    for word in query.split():
        name &= Q(other__first_name__icontains=word) | Q(other__last_name__icontains=word)
    if connection.vendor == "postgresql":
        words = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        messages = Message.objects.alias(document=search_document("body")).filter(document=words)
        rows = rows.alias(subject_document=search_document("conversation__subject"))
        text = Q(subject_document=words)
    else:
        messages = Message.objects.filter(body__icontains=query)
        text = Q(conversation__subject__icontains=query)
    # Correlated to each of the member's rows: a site-wide `IN (matching messages)` costs
    # every message in the database that has a common word (seconds at a million).
    in_messages = Exists(messages.filter(conversation=OuterRef("conversation")))
    return rows.filter(name | text | in_messages)


def _with_badges(rows: list[Participant]) -> list[Participant]:
    """Each row's other member carries its badges (`degree`, `is_premium`), as members
    listed by accounts.selectors do."""
    for row in rows:
        for name, value in list(vars(row).items()):
            if name.startswith(BADGE):
                setattr(row.other, name.removeprefix(BADGE), value)
    return rows


def _inbox_rows(member: Member, filter_name: str) -> QuerySet[Participant]:
    return _participants(member).filter(FILTERS[filter_name][1]).order_by("-last_message_at", "-pk")


# The first page of each filter, what opening Messaging shows: built and compiled by the ORM
# once per process (core.queries.Compiled), which cost more than the database's work.
_first_pages = {
    name: Compiled(
        lambda *, member_id, now, name=name: _inbox_rows(Member(pk=member_id), name)[
            : INBOX_PAGE_SIZE + 1
        ],
        member_id=int,
        now=datetime,
    )
    for name in FILTERS
}


def inbox_page(
    *, member: Member, filter_name: str, cursor: str | None = None, query: str = ""
) -> InboxPage:
    """A page of the member's conversations, most recent first, after `cursor`; with `query`,
    only those that match it (`_search`).

    Keyset pagination on (last_message_at, id): a page costs the same wherever it is, and a
    conversation that moves to the top while the member reads doesn't shift the pages below.
    Raises BadCursor for a cursor this code did not make.
    """
    if not query.strip() and not cursor:
        rows = _with_badges(_first_pages[filter_name].instances(member_id=member.pk))
    else:
        rows = _inbox_rows(member, filter_name)
        if query.strip():
            rows = _search(rows, query.strip())
        if cursor:
            at, pk = decode_cursor(cursor)
            rows = rows.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, pk__lt=pk))
        rows = _with_badges(list(rows[: INBOX_PAGE_SIZE + 1]))
    more = len(rows) > INBOX_PAGE_SIZE
    rows = rows[:INBOX_PAGE_SIZE]
    return InboxPage(rows=rows, next_cursor=encode_cursor(rows[-1]) if more else None)


def own_conversation(*, member: Member, conversation_id: int) -> Participant | None:
    """The member's side of the conversation, or None when it is not theirs; in the same
    query, `other_read_at`, when the other member last read it (for `read_receipt`), and
    `blockers`, which of the two blocked the other (for `compose_options`)."""
    rows = _own_conversation.instances(member_id=member.pk, conversation_id=conversation_id)
    participant = next(iter(_with_badges(rows)), None)
    if participant is not None:
        by_whom = [
            (member.pk, participant.blocked_by_member),
            (participant.other_id, participant.blocked_by_other),
        ]
        participant.blockers = {pk for pk, blocked in by_whom if blocked}
    return participant


def _own_conversation_query(*, member_id: int, conversation_id: int, now: datetime):
    others_side = Participant.objects.filter(
        conversation=OuterRef("conversation"), member=OuterRef("other")
    )
    blocked_by_member, blocked_by_other = blocks(member_id, "other")
    return (
        _participants(Member(pk=member_id))
        .filter(conversation_id=conversation_id)
        .annotate(
            other_read_at=Subquery(others_side.values("read_at")[:1]),
            blocked_by_member=blocked_by_member,
            blocked_by_other=blocked_by_other,
        )[:1]
    )


# Every thread opened runs it: built and compiled by the ORM once per process.
_own_conversation = Compiled(
    _own_conversation_query, member_id=int, conversation_id=int, now=datetime
)


def thread_messages(
    *,
    member: Member,
    participant: Participant,
    after: datetime | None = None,
    message_id: int | None = None,
) -> list[Message]:
    """The member's conversation's most recent messages, oldest first: those written after
    `after`, or the one `message_id`, when given. Each message's author is one of the two
    members, so it is set from `member` and the participant's `other`, not read again."""
    conversation = participant.conversation
    if after is None and message_id is None:
        latest = _latest_messages.instances(conversation_id=conversation.pk)
    else:
        latest = Message.objects.filter(conversation=conversation)
        if after is not None:
            latest = latest.filter(created_at__gt=after)
        if message_id is not None:
            latest = latest.filter(pk=message_id)
        latest = latest.order_by("-created_at", "-id")[:THREAD_MESSAGES]
    authors = {member.pk: member, participant.other_id: participant.other}
    thread = list(reversed(latest))
    for message in thread:
        if (author := authors.get(message.author_id)) is not None:  # else read when shown
            message.author = author
    return thread


# Every thread opened reads them: built and compiled by the ORM once per process.
_latest_messages = Compiled(
    lambda *, conversation_id: Message.objects.filter(conversation_id=conversation_id).order_by(
        "-created_at", "-id"
    )[:THREAD_MESSAGES],
    conversation_id=int,
)


@dataclass(frozen=True)
class ReadReceipt:
    """ "Seen" under `message`: the other member read the conversation `at`."""

    message: Message
    at: datetime


def read_receipt(
    *, member: Member, participant: Participant, thread: list[Message]
) -> ReadReceipt | None:
    """The "Seen" the member is shown: under the last of their messages in `thread` that the
    other member has read, with when they read the conversation.

    LinkedIn's rule: only while both members have read receipts on, and never for an InMail
    its recipient has not answered (opening one is not an answer to its sender). `participant`
    is the member's side from `own_conversation` (with the other member's `other_read_at`) and
    `thread` its `thread_messages`: no query of its own.
    """
    read_at = participant.other_read_at
    if (
        read_at is None
        or participant.conversation.is_pending
        or not (member.read_receipts and participant.other.read_receipts)
    ):
        return None
    seen = [m for m in thread if m.author_id == member.pk and m.created_at <= read_at]
    return ReadReceipt(message=seen[-1], at=read_at) if seen else None


def changed_since(*, member: Member, since: datetime, limit: int) -> list[Participant]:
    """The member's conversations with a message or an answer after `since`, at most `limit`
    of the most recent, oldest first (what a page that was away must catch up on)."""
    rows = (
        _participants(member)
        .filter(Q(last_message_at__gt=since) | Q(conversation__responded_at__gt=since))
        .order_by("-last_message_at", "-pk")[:limit]
    )
    return _with_badges(list(reversed(rows)))


def _unread(member) -> QuerySet[Participant]:
    return Participant.objects.filter(member=member, unread=True, folder=Participant.Folder.INBOX)


def unread_count(*, member: Member) -> int:
    """The unread badge's count (polled by every open page): read with the session, or a
    query compiled once."""
    read = sessions.read_with_session(member, "unread_messages")
    if read:
        return read["unread_messages"]
    row = _unread_counted.first(member_id=member.pk)
    return row["unread_messages"] if row else 0


@dataclass(frozen=True)
class TopbarCounts:
    pending_invitations: int
    unread_messages: int
    is_premium: bool


TOPBAR_COUNTS = tuple(field.name for field in fields(TopbarCounts))


def _count(queryset: QuerySet) -> Subquery:
    # COUNT(*), not of a column: PostgreSQL may then count in the index alone.
    counted = (
        queryset.order_by()
        .annotate(n=Func(Star(), function="COUNT", output_field=IntegerField()))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def topbar_annotations(ref: str = "pk") -> dict[str, object]:
    """What the top bar shows of the member that `OuterRef(ref)` names, for a query that
    annotates them: a page's session reads them with its member (core.sessions.read_ahead)."""
    return {
        "pending_invitations": _count(
            Invitation.objects.filter(recipient=OuterRef(ref), status=Invitation.Status.PENDING)
        ),
        "unread_messages": _count(_unread(OuterRef(ref))),
        "is_premium": premium_selectors.is_premium(ref),
    }


def _topbar_query(*, member_id: int, now: datetime) -> QuerySet:
    return Member.objects.filter(pk=member_id).values(**topbar_annotations())


# Every page's top bar runs it: built and compiled by the ORM once per process.
_topbar = Compiled(_topbar_query, member_id=int, now=datetime)
_unread_counted = Compiled(
    lambda *, member_id: Member.objects.filter(pk=member_id).values(
        unread_messages=_count(_unread(OuterRef("pk")))
    ),
    member_id=int,
)


def topbar_counts(*, member: Member) -> TopbarCounts:
    """The top bar's badges and the member's Premium state: read with the session, or in one
    query."""
    row = sessions.read_with_session(member, *TOPBAR_COUNTS) or _topbar.first(member_id=member.pk)
    if row is None:
        raise Member.DoesNotExist
    return TopbarCounts(
        pending_invitations=row["pending_invitations"],
        unread_messages=row["unread_messages"],
        is_premium=bool(row["is_premium"]),
    )


# Who may write to whom


@dataclass(frozen=True)
class Compose:
    """What writing to `recipient` would be for `sender`, decided before the form is shown.

    `mode` is MESSAGE (a connection, or a conversation already open to both), INMAIL (a new
    InMail) or None when `refusal` says why the sender cannot write. `costs_credit` is true for
    an InMail that is not to an Open Profile; `status` is the sender's Premium status, read
    for new InMails only. `reason` names the refusal for the window's "what to do" link.
    """

    MESSAGE = "message"
    INMAIL = "inmail"

    recipient: Member
    conversation: Conversation | None
    mode: str | None
    costs_credit: bool = False
    open_profile: bool = False
    status: premium_services.PremiumStatus | None = None
    refusal: DomainError | None = None
    reason: str = ""

    @property
    def is_inmail(self) -> bool:
        return self.mode == self.INMAIL


def conversation_between(a: Member, b: Member) -> Conversation | None:
    low, high = sorted([a.pk, b.pk])
    return _between.instance(low=low, high=high)


def _between_query(*, low: int, high: int) -> QuerySet[Conversation]:
    # Spelled as the unique index is, so the database can use it.
    return first_row(
        Conversation.objects.alias(
            low=Least("starter", "recipient"), high=Greatest("starter", "recipient")
        ).filter(low=low, high=high)
    )


# Every profile and compose window reads it: built and compiled by the ORM once per process.
_between = Compiled(_between_query, low=int, high=int)


def block_refusal(
    sender: Member, recipient: Member, blockers: set[int] | None = None
) -> tuple[str, DomainError] | None:
    """Why `sender` may not write to `recipient` for a block either way, or None; `blockers`
    are the ids of those of the two who blocked the other, when the caller read them."""
    if blockers is None:
        blockers = blockers_between(sender, recipient)
    if sender.pk in blockers:
        return "blocked_by_you", NotAllowed(
            f"You've blocked {recipient.full_name}. Unblock them in Settings to message them."
        )
    if blockers:
        return "blocked", NotAllowed(f"You can't message {recipient.full_name}.")
    return None


def _conversation_refusal(
    sender: Member, recipient: Member, conversation: Conversation
) -> tuple[str, DomainError] | None:
    """Whether the InMail's starter must wait: until the recipient responds, and after a
    decline for good. Everyone else may write in a conversation that exists."""
    if not conversation.is_inmail or conversation.starter_id != sender.pk:
        return None
    if conversation.response == Conversation.Response.PENDING:
        return "pending", Conflict(
            f"You've sent {recipient.first_name} an InMail. You can write again once they respond."
        )
    if conversation.response == Conversation.Response.NOT_INTERESTED:
        return "declined", NotAllowed(
            f"{recipient.first_name} isn't interested, so this conversation is closed."
        )
    return None


def _is_connection(sender: Member, recipient: Member) -> bool:
    if hasattr(recipient, "degree"):
        return recipient.degree == FIRST
    return Connection.objects.filter(member=sender, other=recipient).exists()


def _is_premium(member: Member) -> bool:
    if hasattr(member, "is_premium"):
        return member.is_premium
    return premium_selectors.member_is_premium(member=member)


def compose_options(
    *,
    sender: Member,
    recipient: Member,
    conversation: Conversation | None = None,
    blockers: set[int] | None = None,
    visible: bool = False,
) -> Compose:
    """Whether and how `sender` may write to `recipient` now (see `Compose`).

    What the caller knows already saves a query each: `conversation`, the one between them,
    and `blockers`, which of them blocked the other (a thread: `own_conversation`); `visible`,
    the recipient was read through accounts.selectors.visible_members, so neither has blocked
    the other (a profile). A recipient with its badges
    (accounts.selectors.member_badges: `degree`, `is_premium`) says whether they are
    connected and Premium.
    """

    def allowed(mode: str | None, conversation=None, **fields) -> Compose:
        return Compose(recipient=recipient, conversation=conversation, mode=mode, **fields)

    def refused(reason: str, error: DomainError, conversation=None, **fields) -> Compose:
        return allowed(None, conversation, refusal=error, reason=reason, **fields)

    if sender.pk == recipient.pk:
        return refused("self", Invalid("You can't message yourself."))
    if not recipient.is_active:
        return refused("inactive", NotFound("This member is no longer on InMail."))
    if not visible and (blocked := block_refusal(sender, recipient, blockers)) is not None:
        return refused(*blocked)
    if conversation is None:
        conversation = conversation_between(sender, recipient)
    if _is_connection(sender, recipient):
        # A message to a connection is never limited, whatever the conversation began as.
        return allowed(Compose.MESSAGE, conversation)
    if conversation is not None:
        if (closed := _conversation_refusal(sender, recipient, conversation)) is not None:
            return refused(*closed, conversation)
        return allowed(Compose.MESSAGE, conversation)

    status = premium_services.premium_status(member=sender)
    if not recipient.accept_inmail:
        return refused(
            "no_inmail",
            NotAllowed(
                f"{recipient.full_name} doesn't accept InMail. Connect with them to message them."
            ),
            status=status,
        )
    # Open Profile counts only while its owner is Premium: the flag alone is not enough.
    if recipient.open_profile and _is_premium(recipient):
        return allowed(Compose.INMAIL, open_profile=True, status=status)
    if (error := premium_services.spend_refusal(status=status)) is not None:
        return refused("no_credits" if status.subscription else "no_plan", error, status=status)
    return allowed(Compose.INMAIL, costs_credit=True, status=status)


def messageable_members(*, viewer: Member) -> QuerySet[Member]:
    """Members the viewer may open a compose window to: active, and not blocking the viewer.

    Those the viewer blocked are included, so the window can say why it can't send.
    """
    return members_for_viewer(
        viewer=viewer,
        queryset=Member.objects.filter(is_active=True).exclude(
            Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer))
        ),
    )


# The New message picker


PICKER_SIZE = 10  # the most members the picker lists: typing more narrows it


def message_candidates(*, viewer: Member, query: str) -> list[Member]:
    """Members whose name matches every word of `query` and whom the viewer may write to now
    (the rules of `compose_options`, for a whole list in one query): connections first, then
    2nd and 3rd+ degree, each by name; at most PICKER_SIZE + 1, so the caller knows when there
    are more.

    The others are members with a conversation the viewer may still write in, and those a
    new InMail may go to: accepting InMail, and either an Open Profile (while Premium) or the
    viewer has a plan and a credit. Blocks either way hide a member.
    """
    if not query.split():
        return []
    members = visible_members(viewer).exclude(pk=viewer.pk)
    for word in query.split():
        members = members.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    connected = Exists(Connection.objects.filter(member=viewer, other=OuterRef("pk")))
    conversations = Conversation.objects.filter(
        Q(starter=viewer, recipient=OuterRef("pk")) | Q(starter=OuterRef("pk"), recipient=viewer)
    )
    # The InMail's starter waits for a response, and after Not interested may not write again.
    closed = conversations.filter(
        kind=Conversation.Kind.INMAIL,
        starter=viewer,
        response__in=[Conversation.Response.PENDING, Conversation.Response.NOT_INTERESTED],
    )
    new_inmail = Q(accept_inmail=True) & ~Q(Exists(conversations))
    status = premium_services.premium_status(member=viewer)
    if premium_services.spend_refusal(status=status) is not None:
        new_inmail &= Q(open_profile=True) & Q(premium_selectors.is_premium())
    members = members.filter(
        Q(connected) | (Q(Exists(conversations)) & ~Q(Exists(closed))) | new_inmail
    )
    ranked = members_for_viewer(viewer=viewer, queryset=members).order_by(
        "degree", "last_name", "first_name", "id"
    )
    return list(ranked[: PICKER_SIZE + 1])
