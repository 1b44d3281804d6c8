"""Reads of members and the graph, always as seen by a viewer (blocks hide members both ways)."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, StrIndex, Upper
from django.db.models.lookups import GreaterThan

from accounts.models import Block, Connection, Invitation, Member
from core import shared_cache
from core.queries import Compiled, Pattern, estimated_rows

FIRST, SECOND, THIRD_PLUS = 1, 2, 3
PAGE_SIZE = 25

# Annotations other apps add to every member listed with `with_relationship` (premium adds
# `is_premium`), so that accounts never imports the apps built on top of it.
_member_annotations: dict[str, Callable[..., object]] = {}


def register_member_annotation(name: str, expression: Callable[..., object]) -> None:
    """`expression(ref)` is built per query; `OuterRef(ref)` is the member ("pk" on a member
    query, a foreign key's name on a query of rows that point at members)."""
    _member_annotations[name] = expression


def blocks(viewer: Member | int, ref: str) -> tuple[Exists, Exists]:
    """Whether the viewer blocked the member `OuterRef(ref)` ("pk" on a member query, a foreign
    key's name on rows that point at members), and whether that member blocked the viewer."""
    return (
        Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef(ref))),
        Exists(Block.objects.filter(blocker=OuterRef(ref), blocked=viewer)),
    )


def visible_members(viewer: Member) -> QuerySet[Member]:
    """Active members, less those the viewer blocked and those who blocked the viewer."""
    blocked, blocking = blocks(viewer, "pk")
    return Member.objects.filter(is_active=True).exclude(blocked).exclude(blocking)


def _connections_of(member: Member) -> QuerySet[Connection]:
    # A deactivated account is no longer a path between two members.
    return Connection.objects.filter(member=member).exclude(_to_inactive()).values("other")


def _to_inactive(ref: str = "other") -> Q:
    """Rows (connections, invitations) whose member `ref` is a deactivated account: a NOT IN
    on the few of them (member_inactive_idx, hashed once per query) rather than a join of each
    row to its member, which PostgreSQL ran as a scan of the whole member table at 10,000."""
    return Q(**{f"{ref}__in": Member.objects.filter(is_active=False).values("pk")})


def _to_visible(rows: QuerySet, viewer: Member | int, ref: str) -> QuerySet:
    """`rows` whose member `ref` visible_members would list for the viewer: active, and
    neither blocked by the viewer nor blocking them."""
    blocked, blocking = blocks(viewer, ref)
    return rows.exclude(_to_inactive(ref)).exclude(blocked).exclude(blocking)


# What a list of members never shows (components/members.html#member_row and its buttons):
# not read, so neither sent by the database nor part of each row's cache key. A row that came
# to show one would read it once per member, which the query-count tests would catch.
NOT_LISTED = ("password", "last_login", "email", "about", "search_text")


def with_relationship(
    queryset: QuerySet[Member], viewer: Member, *, mutuals: bool = True, listed: bool = False
) -> QuerySet[Member]:
    """Annotate each member with its degree, mutual connections and invitation state; for a
    list (`listed`), without the fields no row shows (`NOT_LISTED`).

    Everything is a correlated subquery on the indexed (member, other) pairs, so a page of
    members costs one query whatever the size of the graph: `degree` (0 for the viewer,
    1, 2 or 3 for 3rd+), `mutual_count` (unless not `mutuals`: a list of the viewer's own
    connections, whose rows never show it), `sent_invitation_id` (the viewer's open
    invitation to them) and `received_invitation_id` (their pending invitation to the viewer).

    Blocking removes the connection, so a blocked member is never a path between two others.
    """
    mutual = (
        _shared_connections(viewer, "pk")
        # The viewer has no connections in common with themself, only connections.
        .exclude(member=viewer)
        .order_by()
        .values("member")
        .annotate(n=Count("*"))
        .values("n")
    )
    if mutuals:
        queryset = queryset.annotate(
            mutual_count=Coalesce(Subquery(mutual, output_field=IntegerField()), 0)
        )
    if listed:
        queryset = queryset.defer(*NOT_LISTED)
    return queryset.annotate(
        **member_badges(viewer),
        sent_invitation_id=Subquery(
            Invitation.objects.filter(
                sender=viewer, recipient=OuterRef("pk"), status__in=Invitation.OPEN_STATUSES
            ).values("pk")[:1]
        ),
        received_invitation_id=Subquery(
            Invitation.objects.filter(
                sender=OuterRef("pk"), recipient=viewer, status=Invitation.Status.PENDING
            ).values("pk")[:1]
        ),
    )


def member_badges(viewer: Member, *, ref: str = "pk") -> dict[str, object]:
    """What a member's name shows wherever it appears: `degree` (0 for the viewer, 1, 2, or 3
    for 3rd+) and the other apps' annotations (`is_premium`), as expressions on a query whose
    `ref` is the member: "pk" for members, or the foreign key of rows that name one (a
    conversation's other member), so those rows need no second query for their members."""
    return {
        "degree": Case(
            When(**{ref: viewer.pk}, then=Value(0)),
            When(
                Exists(Connection.objects.filter(member=viewer, other=OuterRef(ref))),
                then=Value(FIRST),
            ),
            When(Exists(_shared_connections(viewer, ref)), then=Value(SECOND)),
            default=Value(THIRD_PLUS),
            output_field=IntegerField(),
        ),
        **{name: expression(ref) for name, expression in _member_annotations.items()},
    }


def _shared_connections(viewer: Member, ref: str) -> QuerySet[Connection]:
    """The connections of the member `OuterRef(ref)` to an active member who is connected to
    the viewer (through the mirror row, `other__connections__other`).

    Evaluated row by row, from the member's own connections through the unique index: an
    `other__in=<the viewer's connections>` let PostgreSQL build, once per query, a hash of the
    viewer's whole 2nd degree from a scan of every member (4 of the inbox's 6 ms at 10,000
    members, growing with the site). The `exclude`, always true (no one is their own
    connection), references the outer row outside an equality, which keeps the planner from
    turning the subquery into that hash."""
    return Connection.objects.filter(
        member=OuterRef(ref), other__is_active=True, other__connections__other=viewer
    ).exclude(other=OuterRef(ref))


def members_for_viewer(*, viewer: Member, queryset: QuerySet[Member] | None = None):
    """The members the viewer may see, each with its relationship to the viewer."""
    return with_relationship(visible_members(viewer) if queryset is None else queryset, viewer)


def _member_for_viewer_query(*, viewer_id: int, slug: str, now: datetime) -> QuerySet[Member]:
    return members_for_viewer(viewer=Member(pk=viewer_id)).filter(slug=slug)[:1]


# Every profile shown runs it: built and compiled by the ORM once per process.
_member_for_viewer = Compiled(_member_for_viewer_query, viewer_id=int, slug=str, now=datetime)


def member_for_viewer(*, viewer: Member, slug: str) -> Member | None:
    """The member whose address is `slug`, as `members_for_viewer` lists them, or None when
    there is none the viewer may see."""
    return _member_for_viewer.instance(viewer_id=viewer.pk, slug=slug)


def mutual_connections(*, viewer: Member, member: Member, limit: int = 3) -> QuerySet[Member]:
    """A few of the connections the viewer and `member` share, for "Ann, Bo and 3 others"."""
    return (
        visible_members(viewer)
        .filter(pk__in=_connections_of(viewer))
        .filter(pk__in=_connections_of(member))
        .order_by("last_name", "first_name", "id")[:limit]
    )


def _network(viewer: Member) -> tuple[QuerySet[Connection], QuerySet[Connection]]:
    """The ids of the viewer's 1st-degree members, and of their connections (2nd degree and
    closer): both reached from the viewer's own connections, never from the whole graph."""
    first = _connections_of(viewer)
    return first, Connection.objects.filter(member__in=first).exclude(_to_inactive()).values(
        "other"
    )


def _matching(
    viewer: Member, query: str, degree: int | None = None, *, by_index: bool = True
) -> QuerySet[Member]:
    """Each word, upper-cased by the database as the column is, is in the name or the
    headline (Member.search_text): on PostgreSQL a trigram GIN index serves the LIKE.
    Not `by_index`: the words are looked for in each member the rest of the query reads,
    and in no index (STRPOS), for a query bounded by something else (a viewer's network)."""
    members = visible_members(viewer).exclude(pk=viewer.pk)
    for word in query.split():
        if by_index:
            members = members.filter(search_text__contains=Upper(Value(word)))
        else:
            members = members.filter(GreaterThan(StrIndex("search_text", Upper(Value(word))), 0))
    first, second = _network(viewer)
    if degree == FIRST:
        members = members.filter(pk__in=first)
    elif degree == SECOND:
        members = members.filter(pk__in=second).exclude(pk__in=first)
    elif degree == THIRD_PLUS:
        members = members.exclude(pk__in=first).exclude(pk__in=second)
    return members


def _match_quality(query: str) -> Case:
    """0 when every word starts the first or last name, 1 when every word is in the name,
    2 when some word is found only in the headline."""
    starts = contains = Q()
    for word in query.split():
        starts &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
        contains &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return Case(When(starts, then=0), When(contains, then=1), default=2)


def member_search(*, viewer: Member, query: str, degree: int | None = None) -> QuerySet[Member]:
    """Members whose name or headline matches every word of the query, the viewer's network
    first: 1st degree, then 2nd by mutual connections, then 3rd+; then by how well the name
    matches, then by name. `degree` keeps one of FIRST, SECOND or THIRD_PLUS.

    The network's two sets are each computed once per query (hashed subplans on PostgreSQL)
    from the viewer's connections; mutual connections are counted for 2nd-degree rows only.
    """
    first, second = _network(viewer)
    members = _matching(viewer, query, degree)
    if connection.vendor == "postgresql" and degree not in (FIRST, SECOND):
        # Ranking needs every candidate's degree, so the candidates are bounded: the
        # viewer's network, and the first matches by name (the name index, read no further
        # than the results one may page through). Exact whenever that many match or fewer.
        by_name = members.order_by("last_name", "first_name", "id").values("pk")
        candidates = by_name[:SEARCH_RESULTS_MAX]
        if degree is None:
            candidates = first.union(second, candidates, all=True)
        members = members.filter(pk__in=candidates)
    members = with_relationship(members, viewer, listed=True)
    in_network = Case(
        When(pk__in=first, then=Value(FIRST)),
        When(pk__in=second, then=Value(SECOND)),
        default=Value(THIRD_PLUS),
    )
    return members.alias(
        network=in_network,
        second_degree_mutuals=Case(When(network=SECOND, then="mutual_count"), default=0),
        match_quality=_match_quality(query),
    ).order_by(
        "network", "-second_degree_mutuals", "match_quality", "last_name", "first_name", "id"
    )


# Search counts its results exactly up to here, and pages through at most this many (as
# LinkedIn does); past it, the count shown is the planner's estimate: "About 14,000 results".
SEARCH_RESULTS_MAX = 1000
# An estimate this many times SEARCH_RESULTS_MAX is shown without counting. On the benchmark's
# 100,000 members the planner never guessed more than 2.2 times a search's matches (mostly
# within 1.5, either way; under, for words that come together, which is safe: they are
# counted), and counting SEARCH_RESULTS_MAX matches first cost 5 ms there, half the search,
# for a count that is shown as the estimate anyway. At 10, whether "manager" (14,000 matches)
# was counted depended on ANALYZE's random sample (estimated at 8,000 on one seeding).
SEARCH_ESTIMATE_TRUSTED = 4


@dataclass(frozen=True)
class ResultCount:
    pages: int  # results that can be paged through: at most SEARCH_RESULTS_MAX
    exact: int | None  # the count, when at most SEARCH_RESULTS_MAX
    about: int | None  # otherwise PostgreSQL's estimate, to two significant digits


def member_search_count(*, viewer: Member, query: str, degree: int | None = None) -> ResultCount:
    """How many members match: PostgreSQL's estimate when it is far past SEARCH_RESULTS_MAX,
    else counted no further than SEARCH_RESULTS_MAX + 1 rows."""
    matching = _search_query(_matching_pks, viewer, query, degree, timed=False)
    estimate = matching.estimate() if connection.vendor == "postgresql" else 0
    if estimate < SEARCH_ESTIMATE_TRUSTED * SEARCH_RESULTS_MAX:
        counted = matching.count(most=SEARCH_RESULTS_MAX + 1)
        if counted <= SEARCH_RESULTS_MAX:
            return ResultCount(pages=counted, exact=counted, about=None)
    about = _two_significant_digits(estimate) if estimate > SEARCH_RESULTS_MAX else None
    return ResultCount(pages=SEARCH_RESULTS_MAX, exact=None, about=about)


def _matching_pks(viewer: Member, query: str, degree: int | None) -> QuerySet:
    return _matching(viewer, query, degree).order_by().values("pk")


def _two_significant_digits(number: int) -> int:
    if number < 100:
        return number
    scale = 10 ** (len(str(number)) - 2)
    return round(number / scale) * scale


def member_connections(*, member: Member) -> QuerySet[Member]:
    """The member's 1st-degree connections, most recent first."""
    return with_relationship(
        visible_members(member)
        .filter(connections__other=member)
        .annotate(
            connected_at=Subquery(
                Connection.objects.filter(member=member, other=OuterRef("pk")).values("created_at")[
                    :1
                ]
            )
        )
        .order_by("-connected_at", "-id"),
        member,
        mutuals=False,  # a 1st-degree row shows no mutual connections (a fifth of the query)
        listed=True,
    )


def recent_connections(*, member: Member, limit: int) -> QuerySet[Member]:
    """`member_connections(member=member)[:limit]`, each with `connection_count` (how many
    the whole list has, as `connection_count()` counts them: a page and its count in one
    query, an uncorrelated subquery that PostgreSQL and SQLite run once, not once a row).

    Found from the member's own connection rows, newest first, so that only those `limit`
    members are read: sorting the whole list read every member (a scan of the member table)
    and every connection's time (3.7 ms for 300 connections at 10,000 members)."""
    mine = Connection.objects.filter(member=member)
    recent = (
        _to_visible(mine, member, "other").order_by("-created_at", "-other").values("other")[:limit]
    )
    return (
        member_connections(member=member)
        .filter(pk__in=recent)
        .annotate(connection_count=_connections_counted(member.pk))[:limit]
    )


def _connections_counted(member_id: int) -> Coalesce:
    """How many members `member_connections` lists, counted on the connection index alone:
    that list's own count builds every badge of the list (8 ms of Python) to count its rows."""
    theirs = Connection.objects.filter(other=member_id)  # each connection's row that names them
    counted = (
        _to_visible(theirs, member_id, "member")
        .order_by()
        .values("other")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# Every visit to home counts: built and compiled by the ORM once per process.
_connection_count = Compiled(
    lambda *, member_id: Member.objects.filter(pk=member_id).values(
        n=_connections_counted(member_id)
    ),
    member_id=int,
)


def connection_count(*, member: Member) -> int:
    """How many members `member_connections` lists."""
    row = _connection_count.first(member_id=member.pk)
    return row["n"] if row else 0


def _received(member: Member) -> QuerySet[Invitation]:
    return Invitation.objects.filter(recipient=member, status=Invitation.Status.PENDING)


def _sent(member: Member) -> QuerySet[Invitation]:
    # Ignored invitations stay listed: the sender is not told, as on LinkedIn.
    return Invitation.objects.filter(sender=member, status__in=Invitation.OPEN_STATUSES)


def members_who_invited(*, member: Member, limit: int | None = None) -> QuerySet[Member]:
    """Members whose invitation to `member` is pending, newest first (the first `limit`)."""
    return _with_invitation(member, _received(member), other="sender", limit=limit)


def members_invited(*, member: Member, limit: int | None = None) -> QuerySet[Member]:
    """Members `member` has an open invitation to, newest first (the first `limit`)."""
    return _with_invitation(member, _sent(member), other="recipient", limit=limit)


def _with_invitation(
    member: Member, invitations: QuerySet[Invitation], *, other: str, limit: int | None
) -> QuerySet[Member]:
    members = _members_with_invitation(member, invitations, other=other, newest=limit)
    return members if limit is None else members[:limit]


def _members_with_invitation(
    member: Member, invitations: QuerySet[Invitation], *, other: str, newest: int | None
) -> QuerySet[Member]:
    # Members rather than invitations, so that the rows share the member row and its buttons.
    # The `pk__in` on the indexed invitations comes first: filtering on the annotations instead
    # would evaluate them for every member (a second per page at 100,000 members).
    theirs = invitations.filter(**{other: OuterRef("pk")})
    members = with_relationship(
        visible_members(member)
        .filter(pk__in=invitations.values(other))
        .annotate(
            invitation_note=Subquery(theirs.values("note")[:1]),
            invited_at=Subquery(theirs.values("created_at")[:1]),
        )
        .order_by("-invited_at", "-id"),
        member,
        listed=True,
    )
    if newest is None:
        return members
    # The first few (My Network's) found from the newest invitations alone, so that only those
    # members are read: sorting them all timed every invitation (2 ms for 500 at 10,000).
    newest_ids = (
        _to_visible(invitations, member, other)
        .order_by("-created_at", f"-{other}")
        .values(other)[:newest]
    )
    return members.filter(pk__in=newest_ids)


def _first_invitations(member: Member, limit: int) -> QuerySet[Member]:
    # The first of both lists in one query (UNION ALL), each row marked `received`. The parts
    # are left unordered and unsliced, as SQLite requires of a compound query: each holds
    # `limit` rows at most already.
    received, sent = (
        _members_with_invitation(member, invitations, other=other, newest=limit)
        .order_by()
        .annotate(received=Value(is_received))
        for invitations, other, is_received in (
            (_received(member), "sender", True),
            (_sent(member), "recipient", False),
        )
    )
    return received.union(sent, all=True).order_by("-received", "-invited_at", "-id")


def invitations_involving(*, member: Member) -> QuerySet[Invitation]:
    return Invitation.objects.filter(Q(sender=member) | Q(recipient=member)).select_related(
        "sender", "recipient"
    )


def pending_invitation_count(*, member: Member) -> int:
    return Invitation.objects.filter(recipient=member, status=Invitation.Status.PENDING).count()


# People you may know starts from this many of the viewer's connections (the most recent):
# its cost follows the viewer's own network, never the size of the whole graph.
SUGGESTION_SOURCES = 500


def _unsuggestible(viewer: Member, ref: str) -> list[Exists]:
    """Why the member `OuterRef(ref)` is no suggestion for the viewer: already connected,
    blocked either way, or an open invitation either way."""
    member = OuterRef(ref)
    return [
        Exists(Connection.objects.filter(member=viewer, other=member)),
        Exists(Block.objects.filter(blocker=viewer, blocked=member)),
        Exists(Block.objects.filter(blocker=member, blocked=viewer)),
        Exists(
            Invitation.objects.filter(
                Q(sender=viewer, recipient=member) | Q(sender=member, recipient=viewer),
                status__in=Invitation.OPEN_STATUSES,
            )
        ),
    ]


def _ranked_suggestions(viewer: Member, limit: int) -> QuerySet[Connection]:
    """The ids of the viewer's best `limit` suggestions, most mutual connections first.

    From the viewer's connections outward: their connections, through the (member, other)
    index, each candidate checked through its own indexed rows (blocks, invitations, already
    connected), never a scan of the connection table.
    """
    sources = (
        Connection.objects.filter(member=viewer, other__is_active=True)
        .order_by("-created_at", "-other")
        .values("other")[:SUGGESTION_SOURCES]
    )
    candidates = Connection.objects.filter(member__in=sources, other__is_active=True).exclude(
        other=viewer
    )
    # Filter before the cut, or blocked and invited members could fill every slot.
    for reason in _unsuggestible(viewer, "other"):
        candidates = candidates.exclude(reason)
    return (
        candidates.values("other")
        .annotate(n=Count("*"))
        .order_by("-n", "other")
        .values_list("other", flat=True)[:limit]
    )


def people_you_may_know(*, viewer: Member, limit: int = 6) -> QuerySet[Member]:
    """2nd-degree members with the most mutual connections, without open invitations."""
    members = Member.objects.filter(pk__in=_ranked_suggestions(viewer, limit))
    return with_relationship(members, viewer, listed=True).order_by(
        "-mutual_count", "last_name", "id"
    )[:limit]


# Home shows people you may know on every visit, and ranking them costs 11 ms at 10,000
# members: each member's ranking is cached for an hour, this many deep so that the few who
# leave it (connected, invited, blocked since) are replaced from it. Every read checks them
# again, and a member's own connections, invitations and blocks drop the ranking of both.
SUGGESTIONS_CACHED = 18
SUGGESTIONS_SECONDS = 60 * 60


def _suggestions_key(member_id: int) -> str:
    return f"accounts:suggestions:v1:{member_id}"


def suggestions(*, viewer: Member, limit: int = 6) -> list[Member]:
    """`people_you_may_know(...)`, from the viewer's cached ranking: the first `limit` of its
    members who may still be suggested (as freshly ranked, when nothing changed since)."""
    ranked = cache.get_or_set(
        _suggestions_key(viewer.pk),
        lambda: list(_ranked_suggestions(viewer, SUGGESTIONS_CACHED)),
        SUGGESTIONS_SECONDS,
    )
    if not ranked:
        return []
    # Every slot is bound: 0 is no member's id.
    slots = {f"id{i}": ranked[i] if i < len(ranked) else 0 for i in range(SUGGESTIONS_CACHED)}
    return _compiled_suggestions(limit).instances(viewer_id=viewer.pk, **slots)


def _suggestions_query(
    *, viewer_id: int, limit: int, now: datetime, **slots: int
) -> QuerySet[Member]:
    # `now` is Compiled's time, which the Premium badge reads through core.queries.now().
    viewer = Member(pk=viewer_id)
    ids = [slots[f"id{i}"] for i in range(SUGGESTIONS_CACHED)]
    rank = Case(*(When(pk=id_, then=Value(i)) for i, id_ in enumerate(ids)))
    still = Member.objects.filter(pk__in=ids, is_active=True).exclude(pk=viewer_id)
    for reason in _unsuggestible(viewer, "pk"):
        still = still.exclude(reason)
    first = still.order_by(rank).values("pk")[:limit]
    return with_relationship(Member.objects.filter(pk__in=first), viewer, listed=True).order_by(
        "-mutual_count", "last_name", "id"
    )


@functools.cache
def _compiled_suggestions(limit: int) -> Compiled:
    return Compiled(
        lambda **values: _suggestions_query(limit=limit, **values),
        viewer_id=int,
        now=datetime,
        **dict.fromkeys((f"id{i}" for i in range(SUGGESTIONS_CACHED)), int),
    )


def forget_suggestions(*members: Member) -> None:
    """Drop the members' cached suggestions, after a change to their connections, invitations
    or blocks (a ranking is otherwise kept for an hour)."""
    shared_cache.forget(*(_suggestions_key(member.pk) for member in members))


def _blocks_between_query(*, a: int, b: int) -> QuerySet[Block]:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).only("blocker")


# Every thread and compose window asks it: built and compiled by the ORM once per process.
_blocks_between = Compiled(_blocks_between_query, a=int, b=int)


def blockers_between(a: Member, b: Member) -> set[int]:
    """The ids of whichever of the two members blocked the other: empty when neither did."""
    return {block.blocker_id for block in _blocks_between.instances(a=a.pk, b=b.pk)}


def blocked_members(*, member: Member) -> QuerySet[Member]:
    return Member.objects.filter(
        pk__in=Block.objects.filter(blocker=member).values("blocked")
    ).order_by("last_name", "first_name", "id")


# The first members of these lists, as home and My Network show them on every visit: each
# query is built and compiled by the ORM once per process (core.queries.Compiled), which
# took 4 to 6 ms of Python for each, at every size.
_FIRST_OF = {
    "members_who_invited": lambda member, limit: members_who_invited(member=member, limit=limit),
    "member_connections": lambda member, limit: recent_connections(member=member, limit=limit),
    "invitations": lambda member, limit: _first_invitations(member, limit),
}


@functools.cache
def _compiled_first(selector: str, limit: int) -> Compiled:
    build = _FIRST_OF[selector]
    return Compiled(
        lambda *, member_id, now: build(Member(pk=member_id), limit), member_id=int, now=datetime
    )


def first_of(selector: str, *, member: Member, limit: int) -> list[Member]:
    """The first `limit` members of the `selector` list (a name of _FIRST_OF) for `member`."""
    return _compiled_first(selector, limit).instances(member_id=member.pk)


def first_invitations(*, member: Member, limit: int) -> tuple[list[Member], list[Member]]:
    """The first `limit` of `members_who_invited` and of `members_invited`, in one query."""
    both = first_of("invitations", member=member, limit=limit)
    return [m for m in both if m.received], [m for m in both if not m.received]


# A 2nd-degree profile's "Ann, Bo and 3 others": compiled once per process, as above.
_mutual_connections = Compiled(
    lambda *, viewer_id, member_id: mutual_connections(
        viewer=Member(pk=viewer_id), member=Member(pk=member_id)
    ),
    viewer_id=int,
    member_id=int,
)


def first_mutual_connections(*, viewer: Member, member: Member) -> list[Member]:
    """`mutual_connections` (the first 3), as a profile shows them."""
    return _mutual_connections.instances(viewer_id=viewer.pk, member_id=member.pk)


# A search's first page (what almost every search shows), for up to this many words: built
# and compiled by the ORM once per process for each number of words and degree (7 ms of
# Python a search otherwise).
SEARCH_COMPILED_WORDS = 4


def _network_page_query(viewer: Member, query: str, degree: int | None) -> QuerySet[Member]:
    """The members of `member_search`'s first page from the viewer's network, by match and
    name, on PostgreSQL: the caller puts them in network order (`_in_network_order`).

    `member_search` ranks every candidate, so it counts each one's mutual connections and
    matches its name against the first SEARCH_RESULTS_MAX by name (50 ms at 100,000 members).
    A first page needs less: it is the first PAGE_SIZE rows of the 1st-degree matches and
    then the 2nd degree's, by mutual connections (one grouped pass over the connection rows
    that reach the viewer's connections, whose number is the mutual connections).
    PostgreSQL reads the 2nd degree only when the 1st does not fill the page: the viewer's
    connections alone fill most pages (2 to 3 ms for 200 connections at 100,000 members,
    where reading the 2nd degree's 2,500 members first took 7 ms).
    """
    # Never from the trigram index: the network bounds the rows read whatever the words,
    # where the index's matches do not (a plan made once, and a word of one letter, made
    # PostgreSQL start from the index and take 100 to 300 ms).
    members = _matching(viewer, query, degree, by_index=False)
    first = _connections_of(viewer)
    parts = []
    if degree in (None, FIRST):
        parts.append(members.filter(pk__in=first).order_by(*_by_match(query)))
    if degree in (None, SECOND):
        # Count("*"), not Count("connections"): counting the rows' ids would need the table
        # itself, where the (other, member) index answers alone.
        second = members.filter(connections__other__in=first).exclude(pk__in=first)
        parts.append(second.alias(mutuals=Count("*")).order_by("-mutuals", *_by_match(query)))
    first_part, *others = (part.values("pk")[:PAGE_SIZE] for part in parts)
    # PostgreSQL appends the parts' rows in turn (UNION ALL) and stops once it has a page;
    # not in Member's default ordering, which would need every part's rows.
    page = first_part.union(*others, all=True).order_by()[:PAGE_SIZE] if others else first_part
    return _search_page(page, viewer, query)


def _third_page_query(viewer: Member, query: str, degree: int | None) -> QuerySet[Member]:
    """The first PAGE_SIZE 3rd+ degree matches by match and name, on PostgreSQL, from the
    same candidates as `member_search`'s: read only when the network has fewer than a page
    of matches (the only case where a 3rd+ member can be on the first page)."""
    members = _matching(viewer, query, degree)
    by_name = members.order_by("last_name", "first_name", "id").values("pk")
    third = members.filter(pk__in=by_name[:SEARCH_RESULTS_MAX])
    if degree is None:
        reached = Connection.objects.filter(member__in=_reaching(viewer)).values("other")
        third = third.exclude(pk__in=reached)
    page = third.order_by(*_by_match(query)).values("pk")[:PAGE_SIZE]
    return _search_page(page, viewer, query)


def _by_match(query: str) -> tuple:
    return (_match_quality(query), "last_name", "first_name", "id")


def _search_page(page: QuerySet, viewer: Member, query: str) -> QuerySet[Member]:
    return with_relationship(Member.objects.filter(pk__in=page), viewer, listed=True).order_by(
        *_by_match(query)
    )


def _reaching(viewer: Member) -> QuerySet:
    """The viewer and the viewer's active connections: the members whose own connections are
    the viewer's 1st degree (the viewer's) and 2nd degree (theirs)."""
    return Member.objects.filter(pk=viewer.pk).values("pk").union(_connections_of(viewer), all=True)


def _in_network_order(members: list[Member]) -> list[Member]:
    """Members listed by match and name, in `member_search`'s order: 1st, then 2nd by mutual
    connections, then 3rd+ (a stable sort keeps the database's order, and collation, within)."""
    return sorted(members, key=lambda m: (m.degree, -m.mutual_count if m.degree == SECOND else 0))


class _SearchQuery:
    """One of a search's queries, for a viewer and words: compiled once per process for each
    query, number of words (up to SEARCH_COMPILED_WORDS) and degree, else built each time."""

    def __init__(self, compiled: Compiled | None, values: dict, queryset: Callable[[], QuerySet]):
        self.compiled, self.values, self.queryset = compiled, values, queryset

    def instances(self) -> list[Member]:
        if self.compiled is None:
            return list(self.queryset())
        return self.compiled.instances(**self.values)

    def count(self, *, most: int) -> int:
        if self.compiled is None:
            return self.queryset()[:most].count()
        return self.compiled.count(most=most, **self.values)

    def estimate(self) -> int:
        if self.compiled is None:
            return estimated_rows(*self.queryset().query.sql_with_params())
        return self.compiled.estimate(**self.values)


def _search_query(
    build, viewer: Member, query: str, degree: int | None, *, timed: bool, plan_once=False
):
    """`build(viewer, query, degree)`, the QuerySet; `timed`: it reads `now()`; `plan_once`:
    as Compiled's."""
    words = query.split()
    if len(words) > SEARCH_COMPILED_WORDS:
        compiled, values = None, {}
    else:
        compiled = _compiled_search(build, len(words), degree, timed, plan_once)
        values = {"viewer_id": viewer.pk} | {f"word{i}": word for i, word in enumerate(words)}
    return _SearchQuery(compiled, values, lambda: build(viewer, query, degree))


@functools.cache
def _compiled_search(build, words: int, degree: int | None, timed: bool, plan_once: bool):
    names = [f"word{i}" for i in range(words)]

    def built(*, viewer_id, now=None, **placeholders):
        return build(Member(pk=viewer_id), " ".join(placeholders[name] for name in names), degree)

    kinds = {"viewer_id": int} | ({"now": datetime} if timed else {})
    return Compiled(built, plan_once=plan_once, **kinds, **dict.fromkeys(names, Pattern))


def member_search_first_page(
    *, viewer: Member, query: str, degree: int | None = None
) -> list[Member]:
    """`member_search(...)[:PAGE_SIZE]`, as a list."""
    if not query.split() or connection.vendor != "postgresql":
        # SQLite ranks every match (`member_search`), as a small database can afford.
        return list(member_search(viewer=viewer, query=query, degree=degree)[:PAGE_SIZE])
    members = []
    if degree != THIRD_PLUS:
        # Bounded by the viewer's network whatever the words: planned once (planning it
        # took 2 ms at 100,000 members).
        network = _search_query(
            _network_page_query, viewer, query, degree, timed=True, plan_once=True
        )
        members = network.instances()
    if degree in (None, THIRD_PLUS) and len(members) < PAGE_SIZE:
        # Planned for its words: how their matches are best found depends on how many
        # members they match.
        third = _search_query(_third_page_query, viewer, query, degree, timed=True)
        members += third.instances()
    return _in_network_order(members)[:PAGE_SIZE]
