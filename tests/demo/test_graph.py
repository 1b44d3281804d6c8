"""The member graph as plain Python: no database (pytest-django refuses any query here)."""

from collections import defaultdict

import pytest

from demo.graph import DEMO_INVITATIONS, build_demo, demo_connections, two_hops
from demo.text import DEMO_ACCOUNTS, DEMO_EMAILS

MEMBERS = 200
DEMO = len(DEMO_ACCOUNTS)
KEYS = {account.key: number for number, account in enumerate(DEMO_ACCOUNTS)}


@pytest.fixture(scope="module")
def data():
    return build_demo(seed=2026, members=MEMBERS)


def neighbours(edges):
    around = defaultdict(set)
    for a, b in edges:
        around[a].add(b)
        around[b].add(a)
    return around


def test_the_same_seed_gives_the_same_data(data):
    assert build_demo(seed=2026, members=MEMBERS) == data


def test_another_seed_gives_other_data(data):
    other = build_demo(seed=7, members=MEMBERS)

    assert other.profiles[DEMO:] != data.profiles[DEMO:]
    assert other.edges != data.edges
    assert other.conversation_seed != data.conversation_seed


def test_the_demo_accounts_come_first_then_the_generated_members(data):
    assert [profile.email for profile in data.profiles[:DEMO]] == list(DEMO_EMAILS)
    generated = data.profiles[DEMO:]
    assert len(generated) == MEMBERS
    emails = [profile.email for profile in generated]
    assert len(set(emails)) == MEMBERS
    assert all(email.endswith("@example.net") and email == email.lower() for email in emails)
    assert [profile.is_admin for profile in data.profiles] == [True] + [False] * (
        DEMO + MEMBERS - 1
    )


def test_each_connection_is_stored_once_after_both_members_joined(data):
    for (a, b), minutes in data.edges.items():
        assert a < b
        assert 60 <= minutes < min(data.profiles[a].joined, data.profiles[b].joined)


def test_every_demo_account_has_1st_2nd_and_3rd_degree_members(data):
    around = neighbours(data.edges)
    for number, account in enumerate(DEMO_ACCOUNTS):
        first = around[number]
        second = set().union(*(around[member] for member in first)) - first - {number}
        third = set(range(len(data.profiles))) - first - second - {number}
        assert [bool(first), bool(second), bool(third)] == [True, True, True], account.key
    # essentials reaches less than half of the crowd within two hops.
    essentials = KEYS["essentials"]
    first = around[essentials]
    near = first.union(*(around[member] for member in first))
    assert len(near) < MEMBERS // 2


def test_free_and_essentials_are_never_connected(data):
    assert (KEYS["free"], KEYS["essentials"]) not in data.edges


def test_nobody_in_a_community_is_left_without_a_connection(data):
    around = neighbours(data.edges)
    assert all(around[number] for number in range(DEMO, len(data.profiles)))


def test_invitations_are_between_members_who_are_not_connected(data):
    pairs = [(min(s, r), max(s, r)) for s, r, _note, _minutes in data.invitations]
    assert len(pairs) == len(set(pairs))
    assert not set(pairs) & set(data.edges)
    assert any(note for _s, _r, note, _m in data.invitations)
    for number, account in enumerate(DEMO_ACCOUNTS):
        if not account.is_admin:
            assert any(r == number for _s, r, _n, _m in data.invitations), account.key
            assert any(s == number for s, _r, _n, _m in data.invitations), account.key
    between_demo_accounts = {(s, r) for s, r, _n, _m in data.invitations if max(s, r) < DEMO}
    expected = {(KEYS[a], KEYS[b]) for a, b in DEMO_INVITATIONS}
    assert between_demo_accounts <= expected


def test_without_generated_members_there_is_no_graph():
    data = build_demo(seed=2026, members=0)

    assert len(data.profiles) == DEMO
    assert data.edges == {}
    assert data.invitations == []
    assert data.subscribers == []


def test_demo_connections_and_two_hops():
    # 0 - 8 - 9 - 10, 1 - 0; the other demo accounts alone.
    edges = {(0, 8): 100, (8, 9): 100, (9, 10): 100, (0, 1): 100}

    first = demo_connections(edges)

    assert first[0] == {1, 8}
    assert first[1] == {0}
    assert first[2] == set()
    near = two_hops(edges, first)
    assert near[0] == {0, 1, 8, 9}
    assert near[1] == {0, 1, 8}
    assert near[2] == {2}
