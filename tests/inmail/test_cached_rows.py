"""The conversation list's rows come from the cache, keyed by what they show: a row is rendered
once, and again only when something it shows changes, so no stale row is ever shown."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Connection
from inmail import services
from inmail.models import Participant
from tests.assertions import rendered_fragments
from tests.factories import MemberFactory, connect

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
INBOX = reverse("inmail:inbox")

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def talks(member, other):
    """The member's two conversations, with Grace (a connection) and with Alan."""
    alan = MemberFactory(first_name="Alan", last_name="Turing")
    connect(member, other)
    connect(member, alan)
    with_grace = services.message_send(sender=member, recipient=other, subject="", body="Hi Grace")
    services.message_send(sender=alan, recipient=member, subject="", body="Hello Ada")
    return {"grace": with_grace.conversation, "alan": alan}


def rows(page):
    return re.findall(r'<li id="conversation-\d+".*?</li>', page, flags=re.DOTALL)


def rendered_rows(client, url=INBOX):
    """The page, and how many rows and threads' messages it had to render (the top bar and a
    thread's header, cached too, are not counted)."""
    return rendered_fragments(client, url, "inmail:row", "inmail:thread")


@pytest.mark.django_db
def test_rows_are_rendered_once_then_read_from_the_cache(member_client, talks):
    first, rendered_first = rendered_rows(member_client)
    again, rendered_again = rendered_rows(member_client)

    assert rendered_first == 2
    assert rendered_again == 0
    assert rows(again) == rows(first)


@pytest.mark.django_db
def test_a_renamed_member_shows_the_new_name_at_once(member_client, other, talks):
    rendered_rows(member_client)

    account_services.member_update_profile(
        member=other, first_name="Gracie", last_name="Hopper", headline="", location="", about=""
    )
    page, rendered = rendered_rows(member_client)

    assert rendered == 1
    assert "Gracie Hopper" in page
    assert "Grace Hopper" not in page


@pytest.mark.django_db
def test_a_new_message_shows_in_its_row_at_once(member_client, member, talks, clock):
    rendered_rows(member_client)

    clock.move_to(START + timedelta(minutes=5))
    services.message_reply(member=member, conversation_id=talks["grace"].pk, body="Lunch today?")
    page, rendered = rendered_rows(member_client)

    assert rendered == 1
    assert "You: Lunch today?" in page


@pytest.mark.django_db
def test_read_and_unread_show_at_once(member_client, member, talks):
    grace = talks["grace"].pk
    rendered_rows(member_client)

    services.conversation_mark_unread(member=member, conversation_id=grace)
    unread, _ = rendered_rows(member_client)
    services.conversation_read(member=member, conversation_id=grace)
    read, _ = rendered_rows(member_client)

    assert f'id="conversation-{grace}" class="conversation-row is-unread"' in unread
    assert f'id="conversation-{grace}" class="conversation-row"' in read


@pytest.mark.django_db
def test_a_changed_degree_shows_at_once(member_client, member, talks):
    alan = talks["alan"]
    first, _ = rendered_rows(member_client)
    Connection.objects.filter(member__in=[member, alan], other__in=[member, alan]).delete()

    page, rendered = rendered_rows(member_client)

    assert rendered == 1
    assert first.count("· 1st") == 2
    assert page.count("· 1st") == 1


@pytest.mark.django_db
def test_a_row_shows_the_time_as_of_today(member_client, talks, clock):
    """A row's time reads the hour today and the weekday later in the week: the day is part
    of the key, so yesterday's row is not shown today."""
    today, _ = rendered_rows(member_client)
    clock.move_to(START + timedelta(days=1))
    tomorrow, rendered = rendered_rows(member_client)

    assert rendered == 2
    assert ">9:30 AM</time>" in today
    assert ">9:30 AM</time>" not in tomorrow
    assert ">Tue</time>" in tomorrow


@pytest.mark.django_db
def test_the_filter_the_rows_links_keep_is_part_of_the_key(member_client, member, talks):
    grace = talks["grace"].pk
    thread = reverse("inmail:thread", kwargs={"conversation_id": grace})
    services.conversation_mark_unread(member=member, conversation_id=grace)

    unread, _ = rendered_rows(member_client, INBOX + "?filter=unread")
    listed, rendered = rendered_rows(member_client, INBOX)

    assert rendered == 2
    assert f'href="{thread}?filter=unread"' in unread
    assert f'href="{thread}"' in listed


# A thread's messages are cached the same way, together: the conversation's last message
# names them.


def messages_of(page):
    return re.findall(r'<li id="message-\d+".*?</li>', page, flags=re.DOTALL)


@pytest.mark.django_db
def test_a_threads_messages_are_rendered_once_then_read_from_the_cache(member_client, talks):
    thread = reverse("inmail:thread", kwargs={"conversation_id": talks["grace"].pk})
    first, rendered_first = rendered_rows(member_client, thread)
    again, rendered_again = rendered_rows(member_client, thread)

    assert rendered_first == 1  # the thread's messages (its page loads the rows after)
    assert rendered_again == 0
    assert messages_of(again) == messages_of(first)
    assert "Hi Grace" in messages_of(again)[0]


@pytest.mark.django_db
def test_a_message_shows_its_authors_new_name_and_the_day_at_once(
    client, member, other, talks, clock
):
    client.force_login(other)
    thread = reverse("inmail:thread", kwargs={"conversation_id": talks["grace"].pk})
    rendered_rows(client, thread)

    account_services.member_update_profile(
        member=member, first_name="Augusta", last_name="King", headline="", location="", about=""
    )
    renamed, _ = rendered_rows(client, thread)
    clock.move_to(START + timedelta(days=1))
    tomorrow, _ = rendered_rows(client, thread)

    (message,) = messages_of(renamed)
    assert "<strong>Augusta King</strong>" in message
    assert ">9:30 AM</time>" in message
    assert ">Tue</time>" in messages_of(tomorrow)[0]


@pytest.mark.django_db
def test_the_read_receipt_moves_to_the_last_message_read(
    member_client, member, other, talks, clock
):
    grace = talks["grace"]
    thread = reverse("inmail:thread", kwargs={"conversation_id": grace.pk})
    client = Client()
    client.force_login(other)
    client.get(thread)  # Grace reads "Hi Grace"
    before, _ = rendered_rows(member_client, thread)

    clock.move_to(START + timedelta(minutes=5))
    services.message_reply(member=member, conversation_id=grace.pk, body="Lunch today?")
    clock.move_to(START + timedelta(minutes=6))
    client.get(thread)  # and the reply
    after, _ = rendered_rows(member_client, thread)

    assert "Seen" in messages_of(before)[0]
    first, second = messages_of(after)
    assert ("Seen" in first, "Seen" in second) == (False, True)


# And a thread's header: who the other member is, and the actions.


def head_of(page):
    return re.search(r'<header class="thread__head">.*?</header>', page, flags=re.DOTALL).group()


def rendered_heads(client, url):
    return rendered_fragments(client, url, "inmail:head")


@pytest.mark.django_db
def test_a_threads_header_is_rendered_once_and_follows_the_folder_and_the_name(
    member_client, member, other, talks
):
    thread = reverse("inmail:thread", kwargs={"conversation_id": talks["grace"].pk})
    first, rendered_first = rendered_heads(member_client, thread)
    again, rendered_again = rendered_heads(member_client, thread)
    assert (rendered_first, rendered_again) == (1, 0)
    assert ">Archive</button>" in head_of(again)

    services.conversation_move(
        member=member, conversation_id=talks["grace"].pk, folder=Participant.Folder.ARCHIVED
    )
    account_services.member_update_profile(
        member=other, first_name="Gracie", last_name="Hopper", headline="", location="", about=""
    )
    archived, rendered = rendered_heads(member_client, thread)

    assert rendered == 1
    assert ">Move to inbox</button>" in head_of(archived)
    assert ">Gracie Hopper</a>" in head_of(archived)


@pytest.mark.django_db
def test_a_cached_headers_forms_carry_this_requests_token(member, talks):
    thread = reverse("inmail:thread", kwargs={"conversation_id": talks["grace"].pk})
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(member)
    rendered_heads(first, thread)
    page, rendered = rendered_heads(second, thread)
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', head_of(page)).group(1)

    response = second.post(
        reverse("inmail:mark_unread", kwargs={"conversation_id": talks["grace"].pk}),
        {"csrfmiddlewaretoken": token},
    )

    assert rendered == 0
    assert response.status_code == 302
    assert Participant.objects.get(member=member, conversation=talks["grace"]).unread
