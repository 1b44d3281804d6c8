import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import selectors, services
from accounts.models import Block, Connection, Invitation, Member
from accounts.selectors import FIRST, SECOND, THIRD_PLUS
from tests.factories import BlockFactory, InvitationFactory, MemberFactory, connect

pytestmark = pytest.mark.django_db


def make_members(*names, headline="Engineer"):
    return SimpleNamespace(
        **{
            name: MemberFactory(
                first_name=name,
                last_name=f"Member{name}",
                slug=f"m-{name.lower()}",
                headline=headline,
            )
            for name in names
        }
    )


@pytest.fixture
def g(db):
    """A–B, B–C, C–D, A–E, E–C, and F on their own.

    Seen from A: B and E are 1st; C is 2nd through both B and E; D and F are 3rd+.
    """
    g = make_members("A", "B", "C", "D", "E", "F")
    for x, y in [("A", "B"), ("B", "C"), ("C", "D"), ("A", "E"), ("E", "C")]:
        connect(getattr(g, x), getattr(g, y))
    return g


def relationships(viewer, queryset=None):
    """{first name: (degree, mutual_count)} for every member the viewer sees."""
    return {
        m.first_name: (m.degree, m.mutual_count)
        for m in selectors.members_for_viewer(viewer=viewer, queryset=queryset)
    }


def names(members):
    return [m.first_name for m in members]


def pks(members):
    return [m.pk for m in members]


# --- degrees and mutual connections --------------------------------------------------------


def test_degrees_and_mutual_counts_from_a(g):
    assert relationships(g.A) == {
        "A": (0, 0),
        "B": (FIRST, 0),
        "E": (FIRST, 0),
        "C": (SECOND, 2),
        "D": (THIRD_PLUS, 0),
        "F": (THIRD_PLUS, 0),
    }


def test_degrees_and_mutual_counts_from_c(g):
    rel = relationships(g.C)

    # C knows B, D and E; none of them knows another, so no 1st has a mutual connection.
    assert rel == {
        "C": (0, 0),
        "B": (FIRST, 0),
        "D": (FIRST, 0),
        "E": (FIRST, 0),
        "A": (SECOND, 2),
        "F": (THIRD_PLUS, 0),
    }


def test_degrees_and_mutual_counts_match_a_brute_force_count_for_every_viewer(g):
    # B and E, both 1st to A, now each count the other as a connection in common with A.
    connect(g.B, g.E)
    for viewer in (g.A, g.B, g.C, g.D, g.E, g.F):
        mine = set(Connection.objects.filter(member=viewer).values_list("other_id", flat=True))
        for m in selectors.members_for_viewer(viewer=viewer):
            if m.pk == viewer.pk:
                assert (m.degree, m.mutual_count) == (0, 0)
                continue
            theirs = set(Connection.objects.filter(member=m).values_list("other_id", flat=True))
            assert m.mutual_count == len(mine & theirs), (viewer.first_name, m.first_name)
            expected = FIRST if m.pk in mine else SECOND if mine & theirs else THIRD_PLUS
            assert m.degree == expected, (viewer.first_name, m.first_name)


def test_viewer_has_degree_zero_and_no_mutual_connections_with_themself(g):
    me = selectors.members_for_viewer(viewer=g.C).get(pk=g.C.pk)

    # C has three connections, but none of them is "in common" with C.
    assert (me.degree, me.mutual_count) == (0, 0)
    assert (me.sent_invitation_id, me.received_invitation_id) == (None, None)


def test_an_isolated_member_sees_everyone_as_third_plus(g):
    rel = relationships(g.F)

    assert rel.pop("F") == (0, 0)
    assert set(rel.values()) == {(THIRD_PLUS, 0)}


def test_removing_a_connection_recomputes_degrees(g):
    services.connection_remove(member=g.E, other=g.C)

    rel = relationships(g.A)
    assert rel["C"] == (SECOND, 1)
    assert rel["E"] == (FIRST, 0)
    assert rel["D"] == (THIRD_PLUS, 0)


def test_an_accepted_invitation_makes_a_first_degree_connection(g):
    invitation = services.invitation_send(sender=g.A, recipient=g.D)
    assert relationships(g.A)["D"] == (THIRD_PLUS, 0)

    services.invitation_accept(member=g.D, invitation_id=invitation.pk)

    rel = relationships(g.A)
    assert rel["D"] == (FIRST, 0)
    # C is now reached through B, E and D.
    assert rel["C"] == (SECOND, 3)


# --- blocks --------------------------------------------------------------------------------


def test_blocked_member_is_hidden_from_the_blocker_and_the_blocker_from_them(g):
    services.member_block(blocker=g.A, blocked=g.B)

    assert g.B not in selectors.visible_members(g.A)
    assert g.A not in selectors.visible_members(g.B)
    assert set(names(selectors.visible_members(g.A))) == {"A", "C", "D", "E", "F"}
    assert set(names(selectors.visible_members(g.B))) == {"B", "C", "D", "E", "F"}
    assert "B" not in names(selectors.member_search(viewer=g.A, query="member"))
    assert "A" not in names(selectors.member_search(viewer=g.B, query="member"))


def test_block_ends_the_connection_so_degrees_recompute(g):
    services.member_block(blocker=g.A, blocked=g.B)

    rel = relationships(g.A)
    assert "B" not in rel
    assert rel["E"] == (FIRST, 0)
    # C was reached through B and E; only E remains.
    assert rel["C"] == (SECOND, 1)
    assert rel["D"] == (THIRD_PLUS, 0)
    # And from C's side, A is now reached only through E.
    assert relationships(g.C)["A"] == (SECOND, 1)


def test_being_blocked_hides_the_blocker_and_ends_the_connection(g):
    services.member_block(blocker=g.E, blocked=g.A)

    rel = relationships(g.A)
    assert "E" not in rel
    assert rel["B"] == (FIRST, 0)
    assert rel["C"] == (SECOND, 1)
    assert g.A not in selectors.visible_members(g.E)
    assert "E" not in names(selectors.member_search(viewer=g.A, query="member"))
    assert "A" not in names(selectors.member_search(viewer=g.E, query="member"))
    # Neither lists the other among their connections.
    assert names(selectors.member_connections(member=g.A)) == ["B"]
    assert "A" not in names(selectors.member_connections(member=g.E))


def test_a_block_between_two_others_does_not_hide_them_from_a_third(g):
    services.member_block(blocker=g.C, blocked=g.D)

    assert {"C", "D"} <= set(relationships(g.A))
    assert relationships(g.A)["D"] == (THIRD_PLUS, 0)
    assert relationships(g.B)["D"] == (THIRD_PLUS, 0)


def test_a_member_blocked_from_the_other_side_is_hidden_in_every_list(g):
    # C (2nd degree to A, not connected) blocks A.
    BlockFactory(blocker=g.C, blocked=g.A)

    assert "C" not in relationships(g.A)
    assert "A" not in relationships(g.C)
    assert "C" not in names(selectors.member_search(viewer=g.A, query="member"))
    assert "C" not in names(selectors.people_you_may_know(viewer=g.A))


def test_unblocking_makes_the_member_visible_again(g):
    services.member_block(blocker=g.A, blocked=g.D)
    services.member_unblock(blocker=g.A, blocked_id=g.D.pk)

    assert relationships(g.A)["D"] == (THIRD_PLUS, 0)
    assert relationships(g.D)["A"] == (THIRD_PLUS, 0)


def test_inactive_members_are_not_visible(g):
    Member.objects.filter(pk=g.F.pk).update(is_active=False)

    assert "F" not in relationships(g.A)
    assert "F" not in names(selectors.member_search(viewer=g.A, query="member"))


# --- invitation annotations ----------------------------------------------------------------


def test_invitation_annotations_for_a_pending_invitation(g):
    invitation = services.invitation_send(sender=g.A, recipient=g.F)

    f_seen_by_a = selectors.members_for_viewer(viewer=g.A).get(pk=g.F.pk)
    a_seen_by_f = selectors.members_for_viewer(viewer=g.F).get(pk=g.A.pk)
    assert (f_seen_by_a.sent_invitation_id, f_seen_by_a.received_invitation_id) == (
        invitation.pk,
        None,
    )
    assert (a_seen_by_f.sent_invitation_id, a_seen_by_f.received_invitation_id) == (
        None,
        invitation.pk,
    )
    # No one else's view carries the invitation.
    d_seen_by_a = selectors.members_for_viewer(viewer=g.A).get(pk=g.D.pk)
    assert (d_seen_by_a.sent_invitation_id, d_seen_by_a.received_invitation_id) == (None, None)


def test_ignored_invitation_stays_sent_for_the_sender_and_leaves_the_recipients_view(g):
    invitation = services.invitation_send(sender=g.A, recipient=g.F)
    services.invitation_ignore(member=g.F, invitation_id=invitation.pk)

    assert selectors.members_for_viewer(viewer=g.A).get(pk=g.F.pk).sent_invitation_id == (
        invitation.pk
    )
    assert selectors.members_for_viewer(viewer=g.F).get(pk=g.A.pk).received_invitation_id is None


@pytest.mark.parametrize("close", ["withdraw", "accept"])
def test_closed_invitation_leaves_both_views(g, close):
    invitation = services.invitation_send(sender=g.A, recipient=g.F)
    if close == "withdraw":
        services.invitation_withdraw(member=g.A, invitation_id=invitation.pk)
    else:
        services.invitation_accept(member=g.F, invitation_id=invitation.pk)

    f_seen_by_a = selectors.members_for_viewer(viewer=g.A).get(pk=g.F.pk)
    a_seen_by_f = selectors.members_for_viewer(viewer=g.F).get(pk=g.A.pk)
    assert (f_seen_by_a.sent_invitation_id, f_seen_by_a.received_invitation_id) == (None, None)
    assert (a_seen_by_f.sent_invitation_id, a_seen_by_f.received_invitation_id) == (None, None)


# --- member_search -------------------------------------------------------------------------


@pytest.fixture
def people(db):
    viewer = MemberFactory(first_name="Viola", last_name="Viewer", headline="Recruiter")
    return SimpleNamespace(
        viewer=viewer,
        ada=MemberFactory(first_name="Ada", last_name="Lovelace", headline="Analytical engineer"),
        grace=MemberFactory(first_name="Grace", last_name="Hopper", headline="Compiler engineer"),
        alan=MemberFactory(first_name="Alan", last_name="Turing", headline="Codebreaker"),
        adam=MemberFactory(first_name="Adam", last_name="Hopper", headline="Designer"),
        katherine=MemberFactory(
            first_name="Katherine", last_name="Johnson", headline="Orbital mechanics at NASA"
        ),
        stats=MemberFactory(first_name="Percy", last_name="Cent", headline="100% uptime"),
    )


def search(viewer, query):
    return names(selectors.member_search(viewer=viewer, query=query))


def test_search_matches_first_name_last_name_and_headline(people):
    assert search(people.viewer, "Grace") == ["Grace"]
    assert search(people.viewer, "Turing") == ["Alan"]
    assert search(people.viewer, "NASA") == ["Katherine"]


def test_search_is_case_insensitive_and_matches_parts_of_words(people):
    assert search(people.viewer, "hOPPER") == ["Adam", "Grace"]
    assert search(people.viewer, "nasa") == ["Katherine"]
    assert search(people.viewer, "love") == ["Ada"]


def test_percent_underscore_and_backslash_are_matched_as_themselves(people):
    MemberFactory(first_name="Uma", last_name="Score", headline="snake_case and back\\slash")

    assert search(people.viewer, "100%") == ["Percy"]
    assert search(people.viewer, "%") == ["Percy"]
    assert search(people.viewer, "e_c") == ["Uma"]
    assert search(people.viewer, "k\\s") == ["Uma"]
    # The first page (a query compiled once) and the count read the words the same way.
    first = selectors.member_search_first_page(viewer=people.viewer, query="_")
    assert [member.first_name for member in first] == ["Uma"]
    assert selectors.member_search_count(viewer=people.viewer, query="%").exact == 1


def test_a_word_is_never_matched_across_the_name_and_the_headline(people):
    assert search(people.viewer, "Cent 100%") == ["Percy"]
    assert search(people.viewer, "Cent100") == []


def test_search_requires_every_word_to_match_somewhere(people):
    assert search(people.viewer, "engineer") == ["Grace", "Ada"]
    assert search(people.viewer, "engineer hopper") == ["Grace"]
    assert search(people.viewer, "  Hopper   compiler ") == ["Grace"]
    assert search(people.viewer, "hopper turing") == []


def test_search_ranks_names_starting_with_the_words_then_names_then_headlines(people):
    # Adam Hopper, Ada Lovelace and Alan Turing start with "a"; Grace and Katherine only
    # contain it; each group by last name.
    assert search(people.viewer, "a") == ["Adam", "Ada", "Alan", "Grace", "Katherine"]
    assert search(people.viewer, "engineer") == ["Grace", "Ada"]  # headlines only: by name
    # Percy Cent's last name starts with "ce"; Grace Hopper's and Ada Lovelace's names contain it.
    assert search(people.viewer, "ce") == ["Percy", "Grace", "Ada"]


@pytest.fixture
def network(db):
    """Everyone matches "pat". Seen from the viewer: Zed and Young are 1st; Many is 2nd
    through both of them, Few through Zed alone, and Aaron (a match by headline only)
    through Young alone; Prefix and Headline are 3rd+ (Headline matches by headline only)."""
    n = SimpleNamespace(
        viewer=MemberFactory(first_name="Viola", last_name="Viewer", headline="Recruiter"),
        zed=MemberFactory(first_name="Pat", last_name="Zed", headline="Friend"),
        young=MemberFactory(first_name="Pat", last_name="Young", headline="Friend"),
        many=MemberFactory(first_name="Pat", last_name="Many", headline="Two in common"),
        few=MemberFactory(first_name="Pat", last_name="Few", headline="One in common"),
        aaron=MemberFactory(first_name="Aaron", last_name="Aa", headline="Patent lawyer"),
        prefix=MemberFactory(first_name="Patricia", last_name="Prefix", headline="Stranger"),
        headline=MemberFactory(first_name="Abe", last_name="Abbot", headline="Patissier"),
    )
    for a, b in [
        ("viewer", "zed"),
        ("viewer", "young"),
        ("zed", "many"),
        ("young", "many"),
        ("zed", "few"),
        ("young", "aaron"),
    ]:
        connect(getattr(n, a), getattr(n, b))
    return n


def test_search_ranks_1st_then_2nd_by_mutual_connections_then_3rd_then_by_match(network):
    results = list(selectors.member_search(viewer=network.viewer, query="pat"))

    assert names(results) == ["Pat"] * 4 + ["Aaron", "Patricia", "Abe"]
    assert [m.last_name for m in results[:4]] == ["Young", "Zed", "Many", "Few"]
    assert [(m.degree, m.mutual_count) for m in results] == [
        (FIRST, 0),
        (FIRST, 0),
        (SECOND, 2),
        (SECOND, 1),
        (SECOND, 1),  # Aaron ties with Few on mutual connections, and matches less well
        (THIRD_PLUS, 0),
        (THIRD_PLUS, 0),
    ]


@pytest.mark.parametrize(
    ("degree", "expected"),
    [
        (FIRST, ["Young", "Zed"]),
        (SECOND, ["Many", "Few", "Aa"]),
        (THIRD_PLUS, ["Prefix", "Abbot"]),
        (None, ["Young", "Zed", "Many", "Few", "Aa", "Prefix", "Abbot"]),
    ],
)
def test_search_keeps_one_degree_and_counts_it(network, degree, expected):
    results = selectors.member_search(viewer=network.viewer, query="pat", degree=degree)
    count = selectors.member_search_count(viewer=network.viewer, query="pat", degree=degree)

    assert [m.last_name for m in results] == expected
    assert (count.exact, count.pages) == (len(expected), len(expected))


def test_search_ranks_the_network_first_past_the_pageable_results(network, monkeypatch):
    # By name, Aa and Abbot come first. On PostgreSQL the ranking reads the viewer's network
    # and only as many other matches, by name, as one may page through; SQLite ranks all.
    monkeypatch.setattr(selectors, "SEARCH_RESULTS_MAX", 2)

    every = [m.last_name for m in selectors.member_search(viewer=network.viewer, query="pat")]
    third = selectors.member_search(viewer=network.viewer, query="pat", degree=THIRD_PLUS)

    assert every[:5] == ["Young", "Zed", "Many", "Few", "Aa"]
    assert every[5:] == (["Abbot"] if connection.vendor == "postgresql" else ["Prefix", "Abbot"])
    assert [m.last_name for m in third] == ["Prefix", "Abbot"]


# One word, compiled once; and more words than SEARCH_COMPILED_WORDS, built for each search.
COUNTED_QUERIES = ["pat", "pat " * (selectors.SEARCH_COMPILED_WORDS + 1)]


@pytest.mark.parametrize("query", COUNTED_QUERIES)
def test_search_counts_no_further_than_the_pageable_results(network, monkeypatch, query):
    monkeypatch.setattr(selectors, "SEARCH_RESULTS_MAX", 6)  # of the 7 that match

    count = selectors.member_search_count(viewer=network.viewer, query=query)

    assert (count.pages, count.exact) == (6, None)
    assert count.about is None or count.about > 6  # the planner's estimate, if that many


@pytest.mark.parametrize("query", COUNTED_QUERIES)
def test_search_shows_an_estimate_far_past_the_pageable_results_without_counting(
    network, monkeypatch, django_assert_num_queries, query
):
    # Counting SEARCH_RESULTS_MAX matches first would only confirm it.
    monkeypatch.setattr(selectors._SearchQuery, "estimate", lambda self: 123_456)

    with django_assert_num_queries(0 if connection.vendor == "postgresql" else 1):
        count = selectors.member_search_count(viewer=network.viewer, query=query)

    if connection.vendor == "postgresql":
        assert count == selectors.ResultCount(pages=1000, exact=None, about=120_000)
    else:  # no estimate: always counted
        assert count == selectors.ResultCount(pages=7, exact=7, about=None)


def test_search_counts_when_the_estimate_is_not_far_past_the_pageable_results(network, monkeypatch):
    trusted = selectors.SEARCH_ESTIMATE_TRUSTED * selectors.SEARCH_RESULTS_MAX
    monkeypatch.setattr(selectors._SearchQuery, "estimate", lambda self: trusted - 1)

    count = selectors.member_search_count(viewer=network.viewer, query="pat")

    assert count == selectors.ResultCount(pages=7, exact=7, about=None)


def test_search_degrees_follow_the_network_as_it_changes(network):
    services.connection_remove(member=network.viewer, other=network.zed)

    second = selectors.member_search(viewer=network.viewer, query="pat", degree=SECOND)
    third = selectors.member_search(viewer=network.viewer, query="pat", degree=THIRD_PLUS)

    assert [m.last_name for m in second] == ["Many", "Aa"]
    assert [m.last_name for m in third] == ["Few", "Prefix", "Zed", "Abbot"]


def first_page(viewer, query, degree=None):
    return pks(selectors.member_search_first_page(viewer=viewer, query=query, degree=degree))


def whole_ranking_page(viewer, query, degree=None):
    return pks(selectors.member_search(viewer=viewer, query=query, degree=degree)[:25])


@pytest.mark.parametrize("degree", [None, FIRST, SECOND, THIRD_PLUS])
def test_search_first_page_is_the_whole_rankings_first_page(network, degree):
    # Blocked both ways and deactivated: matches that no page may show.
    blocked, blocker, gone = (MemberFactory(first_name="Pat") for _ in range(3))
    for member in (blocked, blocker, gone):
        connect(network.zed, member)
    services.member_block(blocker=network.viewer, blocked=blocked)
    services.member_block(blocker=blocker, blocked=network.viewer)
    Member.objects.filter(pk=gone.pk).update(is_active=False)

    page = first_page(network.viewer, "pat", degree)

    assert page == whole_ranking_page(network.viewer, "pat", degree)
    assert not {blocked.pk, blocker.pk, gone.pk} & set(page)
    assert len(page) == {None: 7, FIRST: 2, SECOND: 3, THIRD_PLUS: 2}[degree]


def test_search_first_page_past_a_page_of_network_shows_no_3rd_degree():
    viewer = build_graph(80)  # 32 1st, 32 2nd and 15 3rd+, every one a "pat engineer"

    page = selectors.member_search_first_page(viewer=viewer, query="pat engineer")

    assert pks(page) == whole_ranking_page(viewer, "pat engineer")
    assert len(page) == selectors.PAGE_SIZE
    assert {m.degree for m in page} == {FIRST}


@pytest.mark.parametrize("query", ["pat01", "pat02", "person02 engineer", "1"])
def test_search_first_page_with_a_short_network_ends_with_the_3rd_degree(query):
    # Seen from Pat000: Pat001-008 and Pat032-039 are 1st, Pat009-016 and Pat024-031 2nd,
    # Pat017-023 3rd+. Each query matches fewer than a page of the network, and some 3rd+.
    viewer = build_graph(40)

    page = selectors.member_search_first_page(viewer=viewer, query=query)

    assert pks(page) == whole_ranking_page(viewer, query)
    assert page[-1].degree == THIRD_PLUS


def test_search_first_page_never_reads_the_network_through_the_trigram_index(network):
    # Its plan is made once for any words. Started from the trigram index, as PostgreSQL chose
    # for some words, a query of one-letter words read every member: 300 ms at 100,000.
    assert first_page(network.viewer, "a e") == whole_ranking_page(network.viewer, "a e")

    if connection.vendor == "postgresql":  # SQLite ranks every match instead
        # Its words are in no condition the trigram index can serve (STRPOS, not LIKE).
        sql = str(selectors._network_page_query(network.viewer, "a e", None).query)
        assert "STRPOS" in sql
        assert not re.search(r'"search_text"(::text)? LIKE', sql)


def test_search_first_page_reads_the_3rd_degree_among_the_pageable_results(network, monkeypatch):
    # As test_search_ranks_the_network_first_past_the_pageable_results: the compiled query
    # is built again with the lower bound.
    monkeypatch.setattr(selectors, "SEARCH_RESULTS_MAX", 2)
    selectors._compiled_search.cache_clear()
    try:
        page = first_page(network.viewer, "pat")
    finally:
        selectors._compiled_search.cache_clear()

    assert page == whole_ranking_page(network.viewer, "pat")


def test_search_first_page_follows_new_connections_and_blocks(network):
    first_page(network.viewer, "pat")  # compiled, and run once
    services.connection_remove(member=network.viewer, other=network.zed)
    services.member_block(blocker=network.viewer, blocked=network.many)

    page = first_page(network.viewer, "pat")

    assert page == whole_ranking_page(network.viewer, "pat")
    assert network.many.pk not in page


def test_search_first_page_costs_one_query_when_the_network_fills_it(
    django_assert_num_queries,
):
    viewer = build_graph(80)
    first_page(viewer, "pat engineer")  # compiled once per process

    with django_assert_num_queries(1):
        page = selectors.member_search_first_page(viewer=viewer, query="pat engineer")
        [(m.degree, m.mutual_count, m.sent_invitation_id) for m in page]

    assert len(page) == selectors.PAGE_SIZE


def test_search_first_page_reads_the_3rd_degree_in_a_second_query_when_the_network_is_short(
    network, django_assert_num_queries
):
    first_page(network.viewer, "pat")
    expected = 2 if connection.vendor == "postgresql" else 1  # SQLite ranks all in one

    with django_assert_num_queries(expected):
        page = selectors.member_search_first_page(viewer=network.viewer, query="pat")
        [(m.degree, m.mutual_count, m.sent_invitation_id) for m in page]

    assert page[-1].degree == THIRD_PLUS


# --- member_connections --------------------------------------------------------------------


def test_member_connections_lists_first_degree_only_most_recent_first(g):
    # The fixture connected A–B and A–E just now; A–Late is made tomorrow.
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    late = MemberFactory(first_name="Late", last_name="Comer")
    with time_machine.travel(tomorrow, tick=False):
        connect(late, g.A)

    connections = list(selectors.member_connections(member=g.A))

    assert names(connections)[0] == "Late"
    assert set(names(connections)) == {"Late", "B", "E"}
    assert {m.degree for m in connections} == {FIRST}
    assert connections[0].connected_at == tomorrow


def test_member_connections_order_follows_when_each_connection_was_made():
    a = MemberFactory(first_name="A")
    others = [MemberFactory(first_name=f"O{i}") for i in range(3)]
    base = datetime(2026, 2, 1, tzinfo=UTC)
    for day, other in zip([2, 0, 1], others, strict=True):
        with time_machine.travel(base + timedelta(days=day), tick=False):
            connect(a, other)

    assert names(selectors.member_connections(member=a)) == ["O0", "O2", "O1"]


def test_recent_connections_are_the_first_of_member_connections():
    a = MemberFactory(first_name="A")
    others = [MemberFactory(first_name=f"O{i}") for i in range(8)]
    base = datetime(2026, 2, 1, tzinfo=UTC)
    for day, other in zip([5, 0, 7, 1, 1, 3, 6, 2], others, strict=True):  # two on day 1
        with time_machine.travel(base + timedelta(days=day), tick=False):
            connect(a, other)
    Member.objects.filter(pk=others[2].pk).update(is_active=False)
    BlockFactory(blocker=a, blocked=others[6])
    BlockFactory(blocker=others[0], blocked=a)

    for limit in (1, 3, 5, 10):
        assert list(selectors.recent_connections(member=a, limit=limit)) == list(
            selectors.member_connections(member=a)[:limit]
        )
    assert names(selectors.recent_connections(member=a, limit=3)) == ["O5", "O7", "O4"]


def test_member_connections_of_an_isolated_member_is_empty(g):
    assert list(selectors.member_connections(member=g.F)) == []


def test_member_connections_are_1st_degree_without_mutual_counts(g):
    # As LinkedIn's list of connections: a 1st-degree row shows no mutual connections, so
    # they are not counted.
    connections = {m.first_name: m for m in selectors.member_connections(member=g.C)}

    assert set(connections) == {"B", "D", "E"}
    assert {m.degree for m in connections.values()} == {selectors.FIRST}
    assert not any(hasattr(m, "mutual_count") for m in connections.values())


# --- invitation lists ----------------------------------------------------------------------


def test_pending_invitation_count_counts_only_pending_invitations_received(g):
    InvitationFactory(sender=g.B, recipient=g.F)
    InvitationFactory(sender=g.C, recipient=g.F)
    InvitationFactory(sender=g.D, recipient=g.F, status=Invitation.Status.IGNORED)
    InvitationFactory(sender=g.E, recipient=g.F, status=Invitation.Status.WITHDRAWN)
    InvitationFactory(sender=g.A, recipient=g.F, status=Invitation.Status.ACCEPTED)
    InvitationFactory(sender=g.F, recipient=g.A)

    assert selectors.pending_invitation_count(member=g.F) == 2
    assert selectors.pending_invitation_count(member=g.A) == 1
    assert selectors.pending_invitation_count(member=g.D) == 0


def test_mutual_connections_are_the_shared_ones_by_name(g):
    assert names(selectors.mutual_connections(viewer=g.A, member=g.C)) == ["B", "E"]
    assert names(selectors.mutual_connections(viewer=g.A, member=g.C, limit=1)) == ["B"]
    assert names(selectors.mutual_connections(viewer=g.A, member=g.D)) == []


def test_mutual_connections_leave_out_deactivated_members(g):
    Member.objects.filter(pk=g.B.pk).update(is_active=False)

    assert names(selectors.mutual_connections(viewer=g.A, member=g.C)) == ["E"]
    assert relationships(g.A)["C"] == (SECOND, 1)


def test_received_and_sent_invitations_are_newest_first(g):
    base = datetime(2026, 2, 1, tzinfo=UTC)
    with time_machine.travel(base, tick=False):
        older = services.invitation_send(sender=g.B, recipient=g.F)
    with time_machine.travel(base + timedelta(hours=1), tick=False):
        newer = services.invitation_send(sender=g.D, recipient=g.F)
    with time_machine.travel(base + timedelta(hours=2), tick=False):
        sent_older = services.invitation_send(sender=g.F, recipient=g.A)
    with time_machine.travel(base + timedelta(hours=3), tick=False):
        sent_newer = services.invitation_send(sender=g.F, recipient=g.E)

    assert pks(selectors.members_who_invited(member=g.F)) == [newer.sender_id, older.sender_id]
    assert pks(selectors.members_invited(member=g.F)) == [
        sent_newer.recipient_id,
        sent_older.recipient_id,
    ]


def test_the_first_invitations_are_those_the_whole_lists_begin_with():
    f = MemberFactory(first_name="F")
    base = datetime(2026, 2, 1, tzinfo=UTC)
    senders = [MemberFactory(first_name=f"S{i}") for i in range(6)]
    recipients = [MemberFactory(first_name=f"R{i}") for i in range(6)]
    for hour, (sender, recipient) in enumerate(zip(senders, recipients, strict=True)):
        with time_machine.travel(base + timedelta(hours=hour % 4), tick=False):  # some ties
            InvitationFactory(sender=sender, recipient=f)
            InvitationFactory(sender=f, recipient=recipient, status=Invitation.Status.IGNORED)
    Member.objects.filter(pk__in=[senders[5].pk, recipients[0].pk]).update(is_active=False)
    BlockFactory(blocker=f, blocked=senders[3])
    BlockFactory(blocker=recipients[3], blocked=f)

    for limit in (1, 2, 4, 10):
        assert list(selectors.members_who_invited(member=f, limit=limit)) == list(
            selectors.members_who_invited(member=f)[:limit]
        )
        assert list(selectors.members_invited(member=f, limit=limit)) == list(
            selectors.members_invited(member=f)[:limit]
        )
    assert names(selectors.members_who_invited(member=f, limit=3)) == ["S2", "S1", "S4"]
    for limit in (1, 2, 4, 10):
        received, sent = selectors.first_invitations(member=f, limit=limit)
        assert received == list(selectors.members_who_invited(member=f)[:limit])
        assert sent == list(selectors.members_invited(member=f)[:limit])
        for listed, alone in zip(
            received + sent,
            [*selectors.members_who_invited(member=f)[:limit]]
            + [*selectors.members_invited(member=f)[:limit]],
            strict=True,
        ):
            assert (listed.invitation_note, listed.invited_at, listed.degree) == (
                alone.invitation_note,
                alone.invited_at,
                alone.degree,
            )
            assert (listed.sent_invitation_id, listed.received_invitation_id) == (
                alone.sent_invitation_id,
                alone.received_invitation_id,
            )


def test_first_invitations_list_a_member_each_way_they_are_invited(g):
    # F ignored D's invitation (D is not told: it stays in D's sent list) and invited D.
    InvitationFactory(sender=g.D, recipient=g.F, status=Invitation.Status.IGNORED)
    InvitationFactory(sender=g.F, recipient=g.D, note="Let's connect")

    received, sent = selectors.first_invitations(member=g.D, limit=4)

    assert (names(received), names(sent)) == (["F"], ["F"])
    assert received[0].invitation_note == "Let's connect"
    assert selectors.first_invitations(member=g.A, limit=4) == ([], [])


def test_invitations_involving_lists_both_directions_in_any_status(g):
    sent = InvitationFactory(sender=g.F, recipient=g.A, status=Invitation.Status.WITHDRAWN)
    received = InvitationFactory(sender=g.D, recipient=g.F)
    InvitationFactory(sender=g.D, recipient=g.A)

    assert set(selectors.invitations_involving(member=g.F)) == {sent, received}


def test_blocked_members_lists_only_those_the_member_blocked(g):
    services.member_block(blocker=g.A, blocked=g.F)
    services.member_block(blocker=g.A, blocked=g.D)
    services.member_block(blocker=g.C, blocked=g.A)

    assert names(selectors.blocked_members(member=g.A)) == ["D", "F"]
    assert names(selectors.blocked_members(member=g.C)) == ["A"]
    assert list(selectors.blocked_members(member=g.F)) == []


def test_connection_count_counts_what_member_connections_lists(g):
    # A's connections B and E, and three more: deactivated, blocked by A, who blocked A
    # (rows written past the services, which end a connection on a block).
    gone, blocked, blocker = MemberFactory.create_batch(3)
    for m in (gone, blocked, blocker):
        connect(g.A, m)
    Member.objects.filter(pk=gone.pk).update(is_active=False)
    Block.objects.bulk_create(
        [Block(blocker=g.A, blocked=blocked), Block(blocker=blocker, blocked=g.A)]
    )

    assert selectors.connection_count(member=g.A) == 2
    assert selectors.member_connections(member=g.A).count() == 2
    assert (
        selectors.connection_count(member=g.C)
        == selectors.member_connections(member=g.C).count()
        == 3
    )
    assert selectors.connection_count(member=g.F) == 0
    # My Network's first page carries the same count in each row.
    assert {m.connection_count for m in selectors.recent_connections(member=g.A, limit=1)} == {2}
    assert {m.connection_count for m in selectors.recent_connections(member=g.C, limit=5)} == {3}


# --- people_you_may_know -------------------------------------------------------------------


@pytest.fixture
def pymk(db):
    """V knows F1, F2, F3 (and F1 knows F2). Beyond them:

    X knows F1, F2, F3 (3 mutual); Y knows F1, F2 (2); U, W, Z know one friend each (1);
    Q knows all three but is blocked; R, S, T know F1 but have open invitations with V;
    O is a withdrawn invitation's recipient and so a fair suggestion.
    """
    m = make_members("V", "F1", "F2", "F3", "X", "Y", "U", "W", "Z", "Q", "R", "S", "T", "O")
    edges = [
        ("V", "F1"), ("V", "F2"), ("V", "F3"), ("F1", "F2"),
        ("X", "F1"), ("X", "F2"), ("X", "F3"),
        ("Y", "F1"), ("Y", "F2"),
        ("U", "F1"), ("W", "F2"), ("Z", "F3"),
        ("Q", "F1"), ("Q", "F2"), ("Q", "F3"),
        ("R", "F1"), ("S", "F1"), ("T", "F1"), ("O", "F1"),
    ]  # fmt: skip
    for x, y in edges:
        connect(getattr(m, x), getattr(m, y))
    BlockFactory(blocker=m.V, blocked=m.Q)
    InvitationFactory(sender=m.V, recipient=m.R)
    InvitationFactory(sender=m.S, recipient=m.V)
    InvitationFactory(sender=m.V, recipient=m.T, status=Invitation.Status.IGNORED)
    InvitationFactory(sender=m.V, recipient=m.O, status=Invitation.Status.WITHDRAWN)
    return m


def test_people_you_may_know_are_second_degree_members_by_mutual_count(pymk):
    people = list(selectors.people_you_may_know(viewer=pymk.V, limit=10))

    # Ties are broken by last name: MemberO, MemberU, MemberW, MemberZ.
    assert names(people) == ["X", "Y", "O", "U", "W", "Z"]
    assert [p.mutual_count for p in people] == [3, 2, 1, 1, 1, 1]
    assert {p.degree for p in people} == {SECOND}


def test_people_you_may_know_stops_at_the_limit(pymk):
    assert names(selectors.people_you_may_know(viewer=pymk.V, limit=2)) == ["X", "Y"]
    assert len(selectors.people_you_may_know(viewer=pymk.V)) == 6


def test_people_you_may_know_excludes_connections_self_blocked_and_invited(pymk):
    suggested = set(names(selectors.people_you_may_know(viewer=pymk.V, limit=50)))

    assert not suggested & {"V", "F1", "F2", "F3", "Q", "R", "S", "T"}


def test_people_you_may_know_excludes_members_who_blocked_the_viewer(pymk):
    BlockFactory(blocker=pymk.X, blocked=pymk.V)

    assert "X" not in names(selectors.people_you_may_know(viewer=pymk.V, limit=10))


def test_people_you_may_know_is_empty_without_connections(g):
    assert list(selectors.people_you_may_know(viewer=g.F)) == []


def test_people_you_may_know_fills_the_list_past_invited_and_blocked_candidates():
    """Many open invitations or blocks must not crowd out members still worth suggesting."""
    viewer, friend = MemberFactory(), MemberFactory()
    connect(viewer, friend)
    # Created first, so they have the lowest ids among equally ranked candidates.
    invited = MemberFactory.create_batch(20)
    blocked = MemberFactory.create_batch(10)
    suggestible = MemberFactory.create_batch(3)
    rows = []
    for m in invited + blocked + suggestible:
        rows += [Connection(member=friend, other=m), Connection(member=m, other=friend)]
    Connection.objects.bulk_create(rows)
    Invitation.objects.bulk_create([Invitation(sender=viewer, recipient=m) for m in invited])
    Block.objects.bulk_create([Block(blocker=m, blocked=viewer) for m in blocked])

    people = selectors.people_you_may_know(viewer=viewer, limit=6)

    assert {p.pk for p in people} == {m.pk for m in suggestible}


# --- suggestions (people you may know, cached) --------------------------------------------


def suggested(viewer, limit=6):
    return names(selectors.suggestions(viewer=viewer, limit=limit))


def fresh(viewer, limit=6):
    return names(selectors.people_you_may_know(viewer=viewer, limit=limit))


def test_suggestions_are_people_you_may_know_computed_then_cached(pymk, django_assert_num_queries):
    with django_assert_num_queries(2):  # ranked, then read
        computed = selectors.suggestions(viewer=pymk.V)
    with django_assert_num_queries(1):  # read from the cached ranking
        cached = selectors.suggestions(viewer=pymk.V)

    assert names(computed) == names(cached) == fresh(pymk.V) == ["X", "Y", "O", "U", "W", "Z"]
    assert [(p.degree, p.mutual_count) for p in cached] == [
        (SECOND, 3),
        (SECOND, 2),
        *[(SECOND, 1)] * 4,
    ]


def test_suggestions_stop_at_the_limit_and_are_empty_without_connections(pymk, g):
    assert suggested(pymk.V, limit=2) == ["X", "Y"]
    assert suggested(g.F) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda m: connect(m.V, m.X),
        lambda m: services.invitation_send(sender=m.V, recipient=m.X),
        lambda m: services.invitation_send(sender=m.X, recipient=m.V),
        lambda m: services.member_block(blocker=m.V, blocked=m.X),
        lambda m: services.member_block(blocker=m.X, blocked=m.V),
    ],
    ids=["connected", "invited", "invited by them", "blocked", "blocked by them"],
)
def test_cached_suggestions_follow_the_viewers_own_changes_at_once(pymk, change):
    suggested(pymk.V)  # cached

    change(pymk)

    assert "X" not in suggested(pymk.V)
    assert suggested(pymk.V) == fresh(pymk.V)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: Connection.objects.bulk_create(
            [Connection(member=m.V, other=m.X), Connection(member=m.X, other=m.V)]
        ),
        lambda m: Invitation.objects.create(sender=m.X, recipient=m.V),
        lambda m: Block.objects.create(blocker=m.X, blocked=m.V),
        lambda m: Member.objects.filter(pk=m.X.pk).update(is_active=False),
    ],
    ids=["connected", "invited", "blocked", "deactivated"],
)
def test_cached_suggestions_are_checked_again_on_every_read(pymk, change):
    # Rows written past the services (as an admin or a bulk writer would) leave the cached
    # ranking in place: the read still leaves out whoever may no longer be suggested.
    suggested(pymk.V)

    change(pymk)

    assert "X" not in suggested(pymk.V)
    assert suggested(pymk.V) == fresh(pymk.V)


def test_cached_suggestions_fill_in_from_further_down_the_ranking(pymk):
    suggested(pymk.V)
    Invitation.objects.bulk_create(
        [Invitation(sender=pymk.V, recipient=getattr(pymk, name)) for name in ("X", "Y")]
    )

    assert suggested(pymk.V) == ["O", "U", "W", "Z"]  # no one else is 2nd degree
    # Ranked by mutual connections, ties by id (U, W, Z and O were made in that order).
    assert suggested(pymk.V, limit=2) == fresh(pymk.V, limit=2) == ["U", "W"]


def test_suggestions_come_back_when_an_invitation_is_withdrawn(pymk):
    invitation = Invitation.objects.get(sender=pymk.V, recipient=pymk.R)
    assert "R" not in suggested(pymk.V, limit=10)

    services.invitation_withdraw(member=pymk.V, invitation_id=invitation.pk)

    assert "R" in suggested(pymk.V, limit=10)
    assert suggested(pymk.V, limit=10) == fresh(pymk.V, limit=10)


# --- query counts --------------------------------------------------------------------------


def build_graph(size):
    """`size` members on a ring, each connected to its `size // 5` nearest on either side,
    plus open invitations and a block, so every subquery has rows to look through.

    With 10 members that is 20 connections; with 80, 1,280. Returns the viewer, members[0],
    who has 1st, 2nd and 3rd+ degree members around the ring.
    """
    reach = size // 5
    members = [
        MemberFactory(first_name=f"Pat{i:03d}", last_name=f"Person{i:03d}", headline="Engineer")
        for i in range(size)
    ]
    pairs = {
        tuple(sorted((members[i].pk, members[(i + k) % size].pk)))
        for i in range(size)
        for k in range(1, reach + 1)
    }
    Connection.objects.bulk_create(
        [Connection(member_id=a, other_id=b) for a, b in pairs]
        + [Connection(member_id=b, other_id=a) for a, b in pairs]
    )
    viewer = members[0]
    strangers = members[reach + 1 : size - reach]  # not connected to the viewer
    Invitation.objects.bulk_create(
        [
            Invitation(sender=viewer, recipient=strangers[0]),
            Invitation(sender=viewer, recipient=strangers[len(strangers) // 2]),
            Invitation(sender=strangers[-1], recipient=viewer),
        ]
    )
    Block.objects.create(blocker=viewer, blocked=strangers[-2])
    return viewer


@pytest.mark.parametrize("size", [10, 80])
def test_a_page_of_search_results_costs_one_query_whatever_the_graph_size(
    django_assert_num_queries, size
):
    viewer = build_graph(size)
    results = selectors.member_search(viewer=viewer, query="pat engineer")

    with django_assert_num_queries(1):
        page = list(results[: selectors.PAGE_SIZE])
        summary = [(m.degree, m.mutual_count, m.sent_invitation_id) for m in page]

    assert len(page) == min(size - 2, selectors.PAGE_SIZE)
    assert {degree for degree, _, _ in summary} <= {FIRST, SECOND, THIRD_PLUS}
    assert any(mutual > 0 for _, mutual, _ in summary)


@pytest.mark.parametrize("size", [10, 80])
def test_a_page_of_members_with_relationship_costs_one_query_whatever_the_graph_size(
    django_assert_num_queries, size
):
    viewer = build_graph(size)
    members = selectors.with_relationship(Member.objects.order_by("id"), viewer)

    with django_assert_num_queries(1):
        page = list(members[: selectors.PAGE_SIZE])
        [(m.degree, m.mutual_count, m.sent_invitation_id, m.received_invitation_id) for m in page]

    assert len(page) == min(size, selectors.PAGE_SIZE)


@pytest.mark.parametrize("size", [10, 80])
def test_connections_page_and_suggestions_cost_one_query_each(django_assert_num_queries, size):
    viewer = build_graph(size)

    with django_assert_num_queries(1):
        connections = list(selectors.member_connections(member=viewer)[: selectors.PAGE_SIZE])
    with django_assert_num_queries(1):
        suggestions = list(selectors.people_you_may_know(viewer=viewer))

    assert {m.degree for m in connections} == {FIRST}
    assert suggestions
    assert {m.degree for m in suggestions} == {SECOND}


def test_page_query_count_does_not_grow_with_the_graph():
    counts = []
    for size in (10, 80):
        Member.objects.all().delete()
        viewer = build_graph(size)
        with CaptureQueriesContext(connection) as ctx:
            list(selectors.member_search(viewer=viewer, query="pat")[: selectors.PAGE_SIZE])
            list(selectors.members_for_viewer(viewer=viewer)[: selectors.PAGE_SIZE])
            list(selectors.member_connections(member=viewer)[: selectors.PAGE_SIZE])
            list(selectors.people_you_may_know(viewer=viewer))
        counts.append(len(ctx.captured_queries))

    assert counts == [4, 4]


# --- blockers_between ----------------------------------------------------------------------


def test_blockers_between_is_empty_when_neither_blocked_the_other(member, other):
    BlockFactory(blocker=member)  # a block of someone else

    assert selectors.blockers_between(member, other) == set()


def test_blockers_between_names_whoever_blocked_in_either_order(member, other):
    BlockFactory(blocker=other, blocked=member)

    assert selectors.blockers_between(member, other) == {other.pk}
    assert selectors.blockers_between(other, member) == {other.pk}


def test_blockers_between_names_both_when_each_blocked_the_other(member, other):
    BlockFactory(blocker=member, blocked=other)
    BlockFactory(blocker=other, blocked=member)

    assert selectors.blockers_between(member, other) == {member.pk, other.pk}
