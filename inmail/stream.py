"""Live messaging: each signed-in page's stream of updates (Server-Sent Events), and the two
small signals a page sends back (typing, read).

A page opens one stream (`stream`, `<div id="live">` in base.html, htmx's SSE extension).
The stream subscribes to its member's events (core.live), which carry ids only; for each it
reads what this member may see, through the selectors, and sends htmx fragments that swap
themselves in out of band wherever the page has the element they name:

- the new message at the bottom of the open thread (`#messages-<id>`); after an answer, the
  whole thread (its reply box and answer buttons change) and the credit counts;
- the conversation's row at the top of the list of every filter it belongs to (the page has
  one list, `#conversations[data-filter=...]`), or changed in place (read, unread);
- the unread badge; "Name is typing…" (`#typing-<id>`), cleared when the message arrives;
- for a conversation open on the page, a request to mark it read (`#live-read-<id>`), so the
  member reading it does not count it unread, and their other pages follow;
- "Seen" under the member's last message the other member has read, moved there when they
  read it (`#read-receipt-<id>`, when both have read receipts on).

The stream is bound to the session that opened it: before sending anything it checks that
the session is still signed in as the same member (and at every heartbeat), so it ends with
sign-out. Each event's SSE id is its publication time; a page that reconnects (the browser's
`Last-Event-ID`, or `?since=`, which the page's script keeps) first gets what changed since
then, read from the database. Without the stream (no JavaScript, WSGI, a proxy that drops it)
every page works as before, and the badge polls every 30 seconds.
"""

import asyncio
import random
import re
import weakref
from datetime import UTC, datetime, timedelta
from importlib import import_module
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import aget_user
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from core import live
from core.errors import DomainError
from core.http import status_for
from core.limits import limit
from inmail import selectors, services, views
from inmail.models import Conversation, Participant
from premium import services as premium_services

# A page that reconnects catches up on what changed this long before its last event too: the
# clocks of the server processes, and a transaction's time between its writes and its commit.
CATCH_UP_MARGIN = timedelta(seconds=5)
CATCH_UP_CONVERSATIONS = 20
SSE_LINE_END = re.compile(r"\r\n|\r|\n")
# How long the browser waits before reconnecting after the stream ends.
RETRY_MS = 2000


def live_available(request) -> bool:
    """Whether this request's server can hold streams: an ASGI server (uvicorn). Under WSGI
    (Django's test live server), pages don't open one and work as they do without JavaScript."""
    return isinstance(request, ASGIRequest)


# Which lists (inbox filters) show a row: selectors.FILTERS, in Python.
def filters_for(participant: Participant) -> list[str]:
    folder = participant.folder
    if folder != Participant.Folder.INBOX:
        return [folder]  # "archived", "spam"
    names = ["all"]
    if participant.unread:
        names.append("unread")
    if participant.conversation.kind == Conversation.Kind.INMAIL:
        names.append("inmail")
    return names


def _rows(participant: Participant) -> list[tuple[str, str, str]]:
    """For each list that shows the row: its filter, the filter's query (the row's links keep
    it) and the selector of the row in that list (to change it in place)."""
    return [
        (
            name,
            views._filter_query(name),
            f"outerHTML:#conversations[data-filter={name}] > #conversation-"
            f"{participant.conversation_id}",
        )
        for name in filters_for(participant)
    ]


def _thread(request, participant: Participant) -> str:
    context = views._thread_context(request, participant)
    context.update(oob=False, filter_query="", live=True)
    return render_to_string("inmail/inbox.html#thread", context, request=request)


def _update(request, participant: Participant, kind: str, *, message_id=None, since=None) -> dict:
    """What one event changes on the member's pages in one of their conversations: its row
    (moved to the top, or in place for "row"), and in its thread, when open, the new messages
    ("message") or the whole thread ("answer")."""
    member = request.user
    conversation = participant.conversation
    update = {"p": participant, "rows": _rows(participant), "move": kind != "row"}
    if kind == "row":
        return update
    if kind == "answer":
        update["thread"] = _thread(request, participant)
        if conversation.starter_id == member.pk and conversation.credit_spent:
            update["balance"] = premium_services.credits_balance(member=member)
    else:
        update["messages"] = selectors.thread_messages(
            member=member, participant=participant, after=since, message_id=message_id
        )
    last = conversation.last_message
    if last is not None and last.author_id != member.pk:
        update["typing_done"] = True
        update["read"] = participant.unread
    return update


# A typing signal sent just before a message can arrive just after it: it says nothing then.
TYPING_OVERTAKEN = timedelta(seconds=2)


def _sent_since_typing(participant: Participant, event: dict) -> bool:
    last = participant.conversation.last_message
    return (
        last is not None
        and last.author_id == event["member"]
        and last.created_at > _parse_since(event["id"]) - TYPING_OVERTAKEN
    )


def render_event(request, event: dict) -> str:
    """The fragments `event` sends to the stream's member (request.user), or "" for none."""
    member = request.user
    kind = event["kind"]
    context = {"updates": [], "live": True, "oob": True}
    if kind == "catch_up":
        since = event["since"]
        for participant in selectors.changed_since(
            member=member, since=since, limit=CATCH_UP_CONVERSATIONS
        ):
            responded = participant.conversation.responded_at
            answered = responded is not None and responded > since
            if answered:
                # Its whole thread is sent: read as the thread page reads it (the other
                # member's read time for the "Seen", any block for the reply box).
                participant = selectors.own_conversation(
                    member=member, conversation_id=participant.conversation_id
                )
            context["updates"].append(
                _update(request, participant, "answer" if answered else "message", since=since)
            )
    else:
        participant = selectors.own_conversation(
            member=member, conversation_id=event["conversation"]
        )
        if participant is None:  # not the member's conversation: nothing to show
            return ""
        if kind == "typing":
            if participant.other_id != event["member"] or _sent_since_typing(participant, event):
                return ""
            context["typing"] = participant
        elif kind == "seen":
            receipt = selectors.read_receipt(
                member=member,
                participant=participant,
                thread=selectors.thread_messages(member=member, participant=participant),
            )
            if receipt is None:
                return ""
            context.update(seen=receipt, conversation=participant.conversation)
        else:
            context["updates"].append(
                _update(request, participant, kind, message_id=event.get("message"))
            )
    if kind not in ("typing", "seen"):
        context.update(badge=True, unread_messages=selectors.unread_count(member=member))
    html = render_to_string("inmail/live.html", context, request=request)
    return sse(html, event_id=event["id"])


def sse(data: str, *, event_id=None, event: str = "live") -> str:
    """One Server-Sent Event: `data` split on the line ends SSE knows (CR, LF, CRLF) only."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines += [f"data: {line}" for line in SSE_LINE_END.split(data.strip())]
    return "\n".join(lines) + "\n\n"


def _release_connection() -> None:
    # A stream lives for hours: it must not keep a database connection between events.
    # (Inside a transaction, as in the tests, the connection is the transaction's.)
    if not connection.in_atomic_block:
        connection.close()


def _render(request, event: dict) -> str:
    try:
        return render_event(request, event)
    finally:
        _release_connection()


async def _signed_in(member, session_key: str | None) -> bool:
    """Whether the session that opened the stream is still signed in as `member`."""
    if session_key is None:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = await aget_user(SimpleNamespace(session=store))
    return user.is_authenticated and user.pk == member.pk


def _parse_since(value: str) -> datetime:
    micros = int(value)
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


# Streams of one process reading the database at the same time, at most: each stream has a
# thread of its own (Django runs a request's synchronous code in one), and this bounds the
# database connections they open when an event reaches many streams at once.
DATABASE_SLOTS = 8
_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


def _database_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(DATABASE_SLOTS)
    return _slots[loop]


async def _next_payload(request, member, session_key, event) -> str | None:
    """What to send for `event` (None: the session has ended)."""
    async with _database_slots():
        signed_in = await _signed_in(member, session_key)
        if not signed_in:
            await sync_to_async(_release_connection)()
            return None
        if event is None:
            await sync_to_async(_release_connection)()
            return ": heartbeat\n\n"
        return await sync_to_async(_render)(request, event)


async def _events(request, member, session_key, since: datetime | None):
    heartbeat = settings.LIVE_HEARTBEAT
    async with live.subscribe(member.pk) as subscription:
        # Let go of the connection the middleware used before the first wait.
        await sync_to_async(_release_connection)()
        yield f"retry: {RETRY_MS}\n\n"
        if since is not None:
            catch_up = {"kind": "catch_up", "since": since - CATCH_UP_MARGIN, "id": live.now_id()}
            async with _database_slots():
                payload = await sync_to_async(_render)(request, catch_up)
            yield payload
        # The first heartbeat comes after a random part of the interval: streams opened at
        # the same moment (pages reconnecting after a deploy) would otherwise check their
        # sessions in lockstep, a burst of queries every interval.
        wait = heartbeat * random.random()
        while True:
            event = await subscription.next(timeout=wait)
            wait = heartbeat
            if event is live.CLOSED:
                return
            payload = await _next_payload(request, member, session_key, event)
            if payload is None:
                return
            if payload:
                yield payload


@require_GET
async def stream(request):
    """The member's live updates, as `text/event-stream`."""
    if not live_available(request):
        # 204 tells the browser not to reconnect.
        return HttpResponse(status=204)
    member = await request.auser()
    if not member.is_authenticated:
        return HttpResponse(status=204)
    since_value = request.headers.get("Last-Event-ID") or request.GET.get("since")
    since = None
    if since_value:
        try:
            since = _parse_since(since_value)
        except (ValueError, OverflowError, OSError):
            return HttpResponseBadRequest(
                "The stream's since must be an event id (microseconds since 1970).",
                content_type="text/plain",
            )
    request.user = member
    response = StreamingHttpResponse(
        _events(request, member, request.session.session_key, since),
        content_type="text/event-stream",
    )
    # Proxies (nginx) must pass each event on as it comes.
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
@require_POST
def typing(request, conversation_id):
    """The member is typing in the conversation: the other member's pages say so."""
    participant = views._own_or_404(request, conversation_id)
    limit(request, "typing", key=str(request.user.pk))
    options = selectors.compose_options(sender=request.user, recipient=participant.other)
    if options.refusal is not None:
        return _refused(options.refusal)
    live.publish(
        [participant.other_id],
        {"kind": "typing", "conversation": conversation_id, "member": request.user.pk},
    )
    return HttpResponse(status=204)


@login_required
@require_POST
def read(request, conversation_id):
    """The member has the conversation open as a message arrives: it is read."""
    views._own_or_404(request, conversation_id)
    services.conversation_read(member=request.user, conversation_id=conversation_id)
    if not request.htmx:
        return redirect("inmail:thread", conversation_id=conversation_id)
    return HttpResponse(status=204)


def _refused(error: DomainError) -> HttpResponse:
    return HttpResponse(error.message, status=status_for(error), content_type="text/plain")
