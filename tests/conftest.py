import pytest

from tests.factories import MemberFactory


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
