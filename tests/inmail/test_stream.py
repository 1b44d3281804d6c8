"""The live stream (inmail.stream): a signed-in member's events, as htmx fragments read from
the database for them; never another member's (nor after sign-out, nor across a block); what
changed while a page was away, on reconnect; and the typing and read signals."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient, Client, TestCase
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import Member
from core import live
from inmail import selectors, services, stream
from inmail.models import Participant
from tests.factories import (
    ConversationFactory,
    MemberFactory,
    ParticipantFactory,
    connect,
    subscribe,
)

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
STREAM = reverse("inmail:stream")
WAIT = 5  # seconds an expected chunk may take; a passing run never waits this long

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture(autouse=True)
def local_broker(settings):
    """The process's own broker, fresh for each test."""
    settings.REDIS_URL = ""
    live.reset_broker()
    yield
    live.reset_broker()


@pytest.fixture
def ada(db):
    return MemberFactory(first_name="Ada", last_name="Lovelace")


@pytest.fixture
def grace(db):
    return MemberFactory(first_name="Grace", last_name="Hopper")


@pytest.fixture
def alan(db):
    return MemberFactory(first_name="Alan", last_name="Turing")


@pytest.fixture
def conversation(ada, grace):
    connect(ada, grace)
    return services.message_send(sender=ada, recipient=grace, body="Hello Grace").conversation


def client_for(member) -> AsyncClient:
    client = AsyncClient()
    client.force_login(member)
    return client


def client_for_sync(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def read_stream(client, *, then=None, chunks=1, url=STREAM, headers=None, timeout=WAIT):
    """Open the stream as `client`; once it is subscribed, run `then` (sync, its on_commit
    callbacks run as if it committed); return the response and up to `chunks` chunks after
    the first (the reconnection delay), fewer if the stream ends or `timeout` passes."""

    async def run():
        response = await client.get(url, headers=headers or {})
        if not response.streaming:
            return response, []
        iterator = aiter(response.streaming_content)
        received = []
        try:
            first = await asyncio.wait_for(anext(iterator), timeout)
            assert first.startswith(b"retry: ")
            if then is not None:
                await sync_to_async(run_committed)(then)
            while len(received) < chunks:
                received.append((await asyncio.wait_for(anext(iterator), timeout)).decode())
        except (StopAsyncIteration, TimeoutError):
            pass
        finally:
            await iterator.aclose()
        return response, received

    return async_to_sync(run)()


def run_committed(action):
    with TestCase.captureOnCommitCallbacks(execute=True):
        action()


def data(chunk: str) -> str:
    return "\n".join(line[6:] for line in chunk.splitlines() if line.startswith("data: "))


def test_signed_out_the_stream_answers_204_so_the_browser_stops(db):
    response, chunks = read_stream(AsyncClient())
    assert response.status_code == 204
    assert chunks == []


def test_the_stream_is_an_event_stream_never_cached(ada):
    response, _ = read_stream(client_for(ada), chunks=0)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Accel-Buffering"] == "no"


def test_under_wsgi_there_is_no_stream(ada, client):
    client.force_login(ada)
    assert client.get(STREAM).status_code == 204


@pytest.mark.parametrize("since", ["yesterday", "1e99", "-99999999999999999999"])
def test_a_bad_since_is_refused_with_400(ada, since):
    response, chunks = read_stream(client_for(ada), url=f"{STREAM}?since={since}")
    assert response.status_code == 400
    assert b"since must be an event id" in response.content


def test_a_new_message_reaches_both_members_as_fragments(ada, grace, conversation):
    def reply():
        services.message_send(sender=grace, recipient=ada, body="Hi <b>Ada</b>")

    _, [chunk] = read_stream(client_for(ada), then=reply)

    lines = chunk.splitlines()
    assert lines[0].startswith("id: ")
    assert int(lines[0][4:]) > 0
    assert lines[1] == "event: live"
    html = data(chunk)
    c = conversation.pk
    # The message at the bottom of the open thread, as text.
    assert f'hx-swap-oob="beforeend:#messages-{c}"' in html
    assert "Hi &lt;b&gt;Ada&lt;/b&gt;" in html
    assert "<b>Ada</b>" not in html
    assert "Grace Hopper" in html
    # Grace stopped typing; an open thread asks to be marked read.
    assert f'hx-swap-oob="innerHTML:#typing-{c}"' in html
    assert reverse("inmail:read", args=[c]) in html
    # The row leaves its place for the top of the lists it belongs to: All and Unread.
    assert f'<li id="conversation-{c}" hx-swap-oob="delete"></li>' in html
    assert "afterbegin:#conversations[data-filter=all]" in html
    assert "afterbegin:#conversations[data-filter=unread]" in html
    assert "data-filter=inmail" not in html
    assert f'href="/messaging/thread/{c}/?filter=unread"' in html
    # The badge counts it.
    assert 'id="unread-badge"' in html
    assert 'aria-label="1 unread conversation"' in html

    # The author's own pages get it too (other tabs), without asking to mark it read.
    def another():
        services.message_send(sender=grace, recipient=ada, body="Still there?")

    _, [chunk] = read_stream(client_for(grace), then=another)
    html = data(chunk)
    assert "Still there?" in html
    assert "<strong>You</strong>" in html
    assert "/read/" not in html
    assert "typing" not in html


def test_another_members_events_never_reach_a_stream(ada, grace, alan, conversation):
    connect(alan, ada)
    own = services.message_send(sender=ada, recipient=alan, body="Hi Alan").conversation

    def others_then_own():
        services.message_send(sender=grace, recipient=ada, body="For Ada only")
        services.conversation_mark_unread(member=grace, conversation_id=conversation.pk)
        # Then something of Alan's own: it must be the first thing his stream gets.
        services.conversation_mark_unread(member=alan, conversation_id=own.pk)

    _, [chunk] = read_stream(client_for(alan), then=others_then_own)

    html = data(chunk)
    assert f"conversation-{own.pk}" in html
    assert f"conversation-{conversation.pk}" not in html
    assert "For Ada only" not in html


def test_an_event_naming_someone_elses_conversation_sends_nothing(ada, alan, conversation):
    def forged():
        live.publish([alan.pk], {"kind": "message", "conversation": conversation.pk})
        live.publish([alan.pk], {"kind": "typing", "conversation": conversation.pk, "member": 1})

    _, chunks = read_stream(client_for(alan), then=forged, timeout=0.5)

    assert chunks == []


def test_the_stream_ends_at_sign_out_and_sends_nothing_after(ada, grace, conversation, settings):
    settings.LIVE_HEARTBEAT = 60  # the event itself finds the session gone
    client = client_for(ada)

    def sign_out_then_message():
        async_to_sync(client.alogout)()
        services.message_send(sender=grace, recipient=ada, body="After sign-out")

    _, chunks = read_stream(client, then=sign_out_then_message, chunks=2)

    assert chunks == []  # it ended (StopAsyncIteration), having sent nothing


def test_an_idle_stream_sends_heartbeats_and_ends_when_its_session_does(ada, settings):
    settings.LIVE_HEARTBEAT = 0.05
    client = client_for(ada)

    _, chunks = read_stream(client, chunks=2)
    assert chunks == [": heartbeat\n\n", ": heartbeat\n\n"]

    # Signed out elsewhere: the session is deleted, and the next heartbeat's check ends it.
    _, chunks = read_stream(client, then=lambda: async_to_sync(client.alogout)(), chunks=5)
    assert chunks == []


def test_a_stream_of_another_session_of_the_member_goes_on(ada, settings):
    settings.LIVE_HEARTBEAT = 0.05
    client = client_for(ada)
    other_browser = client_for(ada)

    _, chunks = read_stream(client, then=lambda: async_to_sync(other_browser.alogout)())

    assert chunks == [": heartbeat\n\n"]


def test_a_changed_password_ends_the_streams_of_other_sessions(ada, settings):
    settings.LIVE_HEARTBEAT = 0.05
    client = client_for(ada)

    def change_password():
        ada.set_password("a whole new password")
        ada.save()

    _, chunks = read_stream(client, then=change_password, chunks=3)

    assert chunks == []


def test_on_reconnect_the_page_catches_up_from_the_database(ada, grace, conversation, clock):
    clock.move_to(START + timedelta(minutes=1))
    last_seen = live.now_id()
    clock.move_to(START + timedelta(minutes=5))
    missed = services.message_send(sender=grace, recipient=ada, body="While you were away")

    _, [chunk] = read_stream(client_for(ada), headers={"Last-Event-ID": str(last_seen)})

    html = data(chunk)
    assert f'id="message-{missed.pk}"' in html
    assert "While you were away" in html
    # The first message is older than what the page had seen: not sent again.
    assert "Hello Grace" not in html
    assert "afterbegin:#conversations[data-filter=all]" in html
    assert 'aria-label="1 unread conversation"' in html


def test_since_in_the_address_catches_up_as_last_event_id_does(ada, grace, conversation, clock):
    since = live.now_id()
    clock.move_to(START + timedelta(minutes=5))
    services.message_send(sender=grace, recipient=ada, body="While you were away")

    _, [chunk] = read_stream(client_for(ada), url=f"{STREAM}?since={since}")

    assert "While you were away" in data(chunk)


@pytest.fixture
def inmail(ada, grace):
    subscribe(ada)
    return services.message_send(
        sender=ada, recipient=grace, subject="A role", body="Interested?"
    ).conversation


def test_an_answer_sends_the_whole_thread_and_the_credit_back(ada, grace, inmail):
    def interested():
        services.inmail_answer(member=grace, conversation_id=inmail.pk, interested=True)

    _, [chunk] = read_stream(client_for(ada), then=interested)

    html = data(chunk)
    assert f'hx-swap-oob="innerHTML:#thread-pane:has(#messages-{inmail.pk})"' in html
    assert "Interested — thanks for reaching out" in html
    # Ada may write again: the thread now has its reply box.
    assert reverse("inmail:reply", args=[inmail.pk]) in html
    assert 'hx-swap-oob="innerHTML:[data-credits-left]">5 InMail credits left' in html


def test_on_reconnect_an_answer_missed_sends_the_whole_thread(ada, grace, inmail, clock):
    """The thread is read as the thread page reads it (the other member's read time for the
    "Seen", any block between them for the reply box), not from the list's row."""
    clock.move_to(START + timedelta(minutes=1))
    last_seen = live.now_id()
    clock.move_to(START + timedelta(minutes=5))
    services.inmail_answer(member=grace, conversation_id=inmail.pk, interested=True)

    _, [chunk] = read_stream(client_for(ada), headers={"Last-Event-ID": str(last_seen)})

    html = data(chunk)
    assert f'hx-swap-oob="innerHTML:#thread-pane:has(#messages-{inmail.pk})"' in html
    assert "Interested — thanks for reaching out" in html
    assert reverse("inmail:reply", args=[inmail.pk]) in html


def test_reading_in_one_tab_updates_the_rows_of_the_others(ada, grace, conversation):
    services.message_send(sender=grace, recipient=ada, body="Unread")

    def read():
        services.conversation_read(member=ada, conversation_id=conversation.pk)

    _, [chunk] = read_stream(client_for(ada), then=read)

    html = data(chunk)
    c = conversation.pk
    # In place, in the list it is in (All), without the unread dot; the badge at 0.
    assert f'hx-swap-oob="outerHTML:#conversations[data-filter=all] &gt; #conversation-{c}"' in html
    assert "delete" not in html
    assert "unread-dot" not in html
    assert 'class="badge-count is-empty"' in html


def test_reading_moves_seen_under_the_other_members_message(ada, grace, conversation, clock):
    clock.move_to(START + timedelta(minutes=1))

    def read():
        services.conversation_read(member=grace, conversation_id=conversation.pk)

    _, [chunk] = read_stream(client_for(ada), then=read)

    c = conversation.pk
    html = data(chunk)
    # The "Seen" Ada's page shows moves: out of wherever it was, under her message.
    assert html.startswith(f'<p id="read-receipt-{c}" hx-swap-oob="delete"></p>')
    assert f'<div hx-swap-oob="beforeend:#message-{conversation.last_message_id}">' in html
    assert f'id="read-receipt-{c}">Seen <time datetime="2026-03-10T09:31:00+00:00"' in html
    assert "badge" not in html


@pytest.mark.parametrize("case", ["reader's receipts off", "writer's receipts off", "pending"])
def test_seen_is_sent_only_when_both_have_read_receipts_on_and_not_for_a_pending_inmail(
    case, ada, grace, request
):
    # Grace has not answered Ada's InMail yet; or they are connected and one turned receipts off.
    conversation = request.getfixturevalue("inmail" if case == "pending" else "conversation")
    if case != "pending":
        reader_off = case.startswith("reader")
        Member.objects.filter(pk=(grace if reader_off else ada).pk).update(read_receipts=False)

    def read_then_own():
        services.conversation_read(member=grace, conversation_id=conversation.pk)
        # Then something of Ada's own: it must be the first thing her stream gets.
        services.conversation_mark_unread(member=ada, conversation_id=conversation.pk)

    _, [chunk] = read_stream(client_for(ada), then=read_then_own)

    assert "read-receipt" not in data(chunk)
    assert "is-unread" in data(chunk)


def test_typing_reaches_the_other_member_only(ada, grace, conversation, clock):
    clock.move_to(START + timedelta(minutes=1))
    client = client_for(grace)
    url = reverse("inmail:typing", args=[conversation.pk])

    def typing():
        assert client_for_sync(ada).post(url).status_code == 204

    _, [chunk] = read_stream(client, then=typing)

    assert data(chunk) == (
        f'<div hx-swap-oob="innerHTML:#typing-{conversation.pk}">'
        '<span class="typing__text">Ada is typing…</span></div>'
    )


def test_typing_sent_just_before_the_message_that_overtook_it_shows_nothing(
    ada, grace, conversation, clock
):
    # Ada's "Hello Grace" was written at START; her typing signal was published a second later.
    clock.move_to(START + timedelta(seconds=1))
    url = reverse("inmail:typing", args=[conversation.pk])

    def late_typing_then_own():
        assert client_for_sync(ada).post(url).status_code == 204
        services.conversation_mark_unread(member=grace, conversation_id=conversation.pk)

    _, [chunk] = read_stream(client_for(grace), then=late_typing_then_own)

    assert "typing" not in data(chunk)


def test_typing_is_post_only(ada, conversation):
    response = client_for_sync(ada).get(reverse("inmail:typing", args=[conversation.pk]))
    assert response.status_code == 405


def test_typing_is_rate_limited(ada, conversation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "typing": "2/m"}
    client = client_for_sync(ada)
    url = reverse("inmail:typing", args=[conversation.pk])

    statuses = [client.post(url).status_code for _ in range(3)]

    assert statuses == [204, 204, 429]


def test_after_a_block_neither_member_gets_the_others_typing(ada, grace, conversation):
    accounts_services.member_block(blocker=ada, blocked=grace)
    url = reverse("inmail:typing", args=[conversation.pk])

    def both_type_then_own():
        for member in (ada, grace):
            response = client_for_sync(member).post(url)
            assert response.status_code == 403
        services.conversation_mark_unread(member=grace, conversation_id=conversation.pk)

    _, [chunk] = read_stream(client_for(grace), then=both_type_then_own)

    # Grace's first event is her own mark-unread: no typing of Ada's came before it.
    assert "typing" not in data(chunk)
    assert "is-unread" in data(chunk)


def test_reading_marks_the_conversation_read(ada, grace, conversation):
    services.message_send(sender=grace, recipient=ada, body="Unread")
    client = client_for_sync(ada)

    response = client.post(
        reverse("inmail:read", args=[conversation.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert not Participant.objects.get(member=ada, conversation=conversation).unread


@pytest.mark.parametrize(
    ("folder", "unread", "inmail", "expected"),
    [
        ("inbox", False, False, ["all"]),
        ("inbox", True, False, ["all", "unread"]),
        ("inbox", True, True, ["all", "unread", "inmail"]),
        ("archived", True, True, ["archived"]),
        ("spam", False, True, ["spam"]),
    ],
)
def test_filters_for_agrees_with_the_inbox_filters(folder, unread, inmail, expected, ada, grace):
    kind = "inmail" if inmail else "message"
    extra = {"subject": "S", "response": "pending"} if inmail else {}
    c = ConversationFactory(starter=grace, recipient=ada, kind=kind, **extra)
    participant = ParticipantFactory(
        conversation=c, member=ada, other=grace, folder=folder, unread=unread
    )

    listed = [
        name
        for name, (_label, q) in selectors.FILTERS.items()
        if Participant.objects.filter(q, pk=participant.pk).exists()
    ]
    assert stream.filters_for(participant) == listed == expected
