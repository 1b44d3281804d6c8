import importlib

import pytest

from tests.factories import MemberFactory, connect


@pytest.fixture
def member(db):
    return MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")


@pytest.fixture
def other(db):
    return MemberFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def premium_plans(transactional_db):
    """The plans the data migration seeds, for transactional tests: each one's flush removes
    them for the next (serialized_rollback did not restore them reliably beside live_server)."""
    from django.apps import apps

    importlib.import_module("premium.migrations.0002_seed_plans").create_plans(apps, None)


@pytest.fixture
def private_pages(member, other, premium_plans):
    """The pages that show `member` private data: a conversation, the compose window, My
    Premium, settings... (a header test asks each of them)."""
    from inmail.services import message_send

    connect(member, other)
    conversation = message_send(sender=other, recipient=member, body="Hello").conversation
    stranger = MemberFactory()
    return [
        "/",
        "/messaging/",
        f"/messaging/thread/{conversation.pk}/",
        f"/messaging/compose/{stranger.slug}/",
        "/messaging/unread/",
        "/premium/",
        "/premium/plans/premium-pro/",
        "/settings/",
        "/mynetwork/",
        f"/in/{member.slug}/",
        "/me/edit/",
        f"/in/{other.slug}/",
        "/search/?q=Grace",
    ]
