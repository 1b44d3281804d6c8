"""Conversations in the admin: read-only, for staff looking into spam reports."""

import pytest
from django.urls import reverse

from inmail import services
from inmail.models import Conversation, Message
from tests.assertions import queries_for, text
from tests.factories import MemberFactory, connect

pytestmark = pytest.mark.django_db

CONVERSATIONS = reverse("admin:inmail_conversation_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(MemberFactory(is_staff=True, is_superuser=True))
    return client


def chat(count, *, spam=0, reason="spam"):
    """`count` conversations between new pairs of connections; the first `spam` reported."""
    conversations = []
    for number in range(count):
        a, b = MemberFactory(), MemberFactory()
        connect(a, b)
        message = services.message_send(sender=a, recipient=b, body=f"Hello number {number}")
        if number < spam:
            services.conversation_move(
                member=b, conversation_id=message.conversation_id, folder="spam", reason=reason
            )
        conversations.append(message.conversation)
    return conversations


def test_staff_filter_conversations_reported_as_spam(staff_client):
    reported, quiet = chat(2, spam=1)

    page = text(staff_client.get(CONVERSATIONS, {"reported": "yes"}))

    assert str(reported.starter) in page
    assert str(quiet.starter) not in page


def test_staff_see_the_spam_reason_and_filter_by_it(staff_client):
    scam, _spam, quiet = chat(1, spam=1, reason="scam") + chat(1, spam=1) + chat(1)

    page = text(staff_client.get(CONVERSATIONS))
    assert "Spam reason" in page
    assert '<td class="field-spam_reason">Scam or fraud</td>' in page
    assert '<td class="field-spam_reason">Spam</td>' in page
    assert '<td class="field-spam_reason">—</td>' in page
    for label in ("Spam", "Scam or fraud", "Fake account", "Harassment", "Something else"):
        assert f"{label}</a></li>" in page

    filtered = text(staff_client.get(CONVERSATIONS, {"spam_reason": "scam"}))
    assert str(scam.starter) in filtered
    assert str(quiet.starter) not in filtered
    assert "Scam or fraud</td>" in filtered
    assert '<td class="field-spam_reason">Spam</td>' not in filtered


def test_a_conversation_page_shows_its_messages_read_only(staff_client):
    (conversation,) = chat(1)

    response = staff_client.get(reverse("admin:inmail_conversation_change", args=[conversation.pk]))

    assert response.status_code == 200
    assert "Hello number 0" in text(response)
    assert 'name="_save"' not in text(response)


def test_nobody_adds_changes_or_deletes_a_conversation_in_the_admin(staff_client):
    (conversation,) = chat(1)

    assert staff_client.get(reverse("admin:inmail_conversation_add")).status_code == 403
    delete = reverse("admin:inmail_conversation_delete", args=[conversation.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1


def test_members_who_are_not_staff_are_sent_to_the_admin_sign_in(client):
    client.force_login(MemberFactory())

    response = client.get(CONVERSATIONS)

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_the_list_costs_the_same_queries_with_more_conversations(staff_client):
    chat(3, spam=1)
    small = queries_for(staff_client, CONVERSATIONS)
    chat(12, spam=4)

    assert queries_for(staff_client, CONVERSATIONS) == small


def test_a_long_conversation_page_costs_the_same_queries_as_a_short_one(staff_client):
    short, long = chat(2)
    for number in range(30):
        services.message_send(sender=long.recipient, recipient=long.starter, body=f"More {number}")

    def page(conversation):
        return queries_for(
            staff_client, reverse("admin:inmail_conversation_change", args=[conversation.pk])
        )

    page(short)  # the first admin page of the process also reads Django's content types once
    assert page(long) == page(short)
