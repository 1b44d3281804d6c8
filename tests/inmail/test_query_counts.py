"""Messaging pages cost the same number of queries with 5 and with 500 conversations.

The data is written in bulk (tests/factories.py: members, connections, conversations, messages,
participants) in the shapes the services write, so that 500 conversations take a fraction of a
second.
"""

from datetime import UTC, datetime

import pytest
from django.db.models import F
from django.urls import reverse

from inmail.models import Participant
from inmail.selectors import FILTERS, encode_cursor
from premium import services as premium_services
from tests.assertions import queries_for
from tests.factories import (
    MemberFactory,
    bulk_conversations,
    bulk_messages,
    connect,
    subscribe,
)

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
INBOX = Participant.Folder.INBOX
ARCHIVED = Participant.Folder.ARCHIVED
SPAM = Participant.Folder.SPAM

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def viewers(db):
    """Two Premium members: one with 5 conversations, one with 500 (and a long thread)."""
    sizes = {}
    for size in (5, 500):
        viewer = MemberFactory()
        subscribe(viewer, "premium-essentials")
        others = bulk_conversations(viewer, size, prefix=f"size{size}-")
        thread = Participant.objects.select_related("conversation__last_message").get(
            member=viewer, other=others[0]
        )
        # The thread measured is already read: opening an unread one writes as well.
        Participant.objects.filter(pk=thread.pk).update(unread=False, read_at=F("last_message_at"))
        bulk_messages(thread.conversation, 3 if size == 5 else 400)
        sizes[size] = (viewer, thread.conversation)
    return sizes


def measure(client, viewers, url_for, *, htmx_target):
    """The queries of the same page, then of its htmx fragment, for the viewer with 5 and the
    one with 500 conversations: {"page": (small, large), "htmx": (small, large)}."""
    counts = {}
    for kind, headers in [("page", {}), ("htmx", {"HX-Request": "true", "HX-Target": htmx_target})]:
        client.defaults = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        counts[kind] = []
        for viewer, conversation in viewers.values():
            client.force_login(viewer)
            counts[kind].append(queries_for(client, url_for(viewer, conversation)))
    return counts


def inbox_url(filter_name, *, cursor_page):
    def url(viewer, _conversation):
        query = f"?filter={filter_name}"
        if cursor_page:
            # Just above the filter's newest row: a cursor page with rows at either size (a
            # real second page exists only at the larger one).
            newest = (
                Participant.objects.filter(member=viewer)
                .filter(FILTERS[filter_name][1])
                .order_by("-last_message_at", "-pk")
                .first()
            )
            cursor = Participant(pk=newest.pk + 1, last_message_at=newest.last_message_at)
            query += f"&cursor={encode_cursor(cursor)}"
        return reverse("inmail:inbox") + query

    return url


@pytest.mark.django_db
@pytest.mark.parametrize("cursor_page", [False, True], ids=["first page", "cursor page"])
@pytest.mark.parametrize("filter_name", FILTERS)
def test_inbox_query_count_does_not_grow_with_the_conversations(
    client, viewers, filter_name, cursor_page
):
    url = inbox_url(filter_name, cursor_page=cursor_page)

    counts = measure(client, viewers, url, htmx_target="conversation-list")

    page, htmx = counts["page"], counts["htmx"]
    assert page[0] == page[1]
    assert htmx[0] == htmx[1]
    # The session with its member, the rows with their members' badges (degree, Premium);
    # the full page reads the top bar's counts in the session's query.
    assert htmx[1] <= 2
    assert page[1] <= 2


def thread_url(viewer, conversation):
    return reverse("inmail:thread", kwargs={"conversation_id": conversation.pk})


@pytest.mark.django_db
def test_thread_query_count_does_not_grow_with_the_conversations_or_messages(client, viewers):
    assert viewers[5][1].messages.count() == 4
    assert viewers[500][1].messages.count() == 401

    counts = measure(client, viewers, thread_url, htmx_target="thread-pane")

    page, htmx = counts["page"], counts["htmx"]
    assert page[0] == page[1]
    assert htmx[0] == htmx[1]
    # The page: the session with its member and the top bar's counts, the conversation with
    # its other member, their badges and any block between them, its messages. The pane
    # asked for next has them all but the counts (it sends the unread badge only when
    # opening the conversation changed it) and the messages, which the page left in the
    # cache under the conversation's last message.
    assert page[1] <= 3
    assert htmx[1] <= 2


@pytest.fixture
def recipients(db):
    """A 3rd+ member, a connection and an Open Profile, none written to yet, for both viewers."""
    stranger = MemberFactory()
    friend = MemberFactory()
    open_profile = MemberFactory()
    subscribe(open_profile, "premium-pro")
    premium_services.open_profile_set(member=open_profile, enabled=True)
    return {"3rd+": stranger, "connection": friend, "open profile": open_profile}


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["3rd+", "connection", "open profile"])
def test_compose_query_count_does_not_grow_with_the_conversations(client, viewers, recipients, to):
    for viewer, _conversation in viewers.values():
        connect(viewer, recipients["connection"])
    slug = recipients[to].slug

    counts = measure(
        client,
        viewers,
        lambda _viewer, _conversation: reverse("inmail:compose", kwargs={"slug": slug}),
        htmx_target="overlay",
    )

    page, htmx = counts["page"], counts["htmx"]
    assert page[0] == page[1]
    assert htmx[0] == htmx[1]
    # The window: the session with its member, the recipient with their badges (degree,
    # Premium: whether they are a connection and an Open Profile counts), blocks,
    # conversation; for an InMail the sender's plan and credits (2, with nothing due to
    # settle). The page reads the top bar's counts in the session's query.
    window = {"3rd+": 6, "connection": 4, "open profile": 6}[to]
    assert htmx[1] <= window
    assert page[1] <= window


# "pat" matches every member of the viewer's conversations (5 for one viewer, 500 for the
# other); "hi" is in the last message of every conversation, at both sizes.
@pytest.mark.parametrize(
    ("url", "target", "fragment", "full_page"),
    [
        # The session with its member, the viewer's plan and credits (plain reads, nothing
        # due), the candidates with their degree; the page reads the top bar's counts in the
        # session's query.
        (reverse("inmail:new_message") + "?q=pat", "new-message-results", 4, 4),
        # The session with its member, the matching rows with their badges.
        (reverse("inmail:inbox") + "?q=hi", "conversation-list", 2, 2),
    ],
    ids=["new message picker", "search in messaging"],
)
@pytest.mark.django_db
def test_search_query_counts_do_not_grow_with_the_data(
    client, viewers, url, target, fragment, full_page
):
    counts = measure(client, viewers, lambda _v, _c: url, htmx_target=target)

    page, htmx = counts["page"], counts["htmx"]
    assert page[0] == page[1]
    assert htmx[0] == htmx[1]
    assert htmx[1] <= fragment
    assert page[1] <= full_page
