"""The benchmark's data shapes, written through the apps' bulk writers.

`main`: 10,000 members in communities; the inbox viewer with 200 connections and 500
conversations of 20 messages (200 with connections, 300 InMails to its Open Profile, all
answered); the network viewer with 300 connections and 500 pending invitations; 1,000,000
background messages in 50,000 conversations between connected members; a quarter of the
members Premium, within their first billing month.

`100k`: 100,000 members in communities, the same two viewers, no conversations, and 25,000
Premium members whose first anniversary has come: `grant_credits` has all of them to settle.

Every row goes through `accounts.bulk`, `premium.bulk` and `inmail.bulk`, the writers the demo
and the tests use, so every denormalised field is written as the services would write it (a
conversation's `last_message`, each participant's `other`, `last_message_at` and `unread`, an
InMail's response, every lot's `remaining` and ledger entry with its `balance_after`); then
`bench.check` reads the whole database to prove it.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.bulk import (
    NewConnection,
    NewInvitation,
    NewMember,
    connections_bulk_create,
    invitations_bulk_create,
    members_bulk_create,
)
from accounts.models import Member
from bench import check
from inmail.bulk import NewConversation, NewMessage, conversations_bulk_create
from premium.bulk import NewSubscription, subscriptions_bulk_create
from premium.models import Plan

PASSWORD = "inmail-bench-2026"
INBOX_VIEWER = "bench-inbox@example.com"
NETWORK_VIEWER = "bench-network@example.com"
COMMUNITY = 40
INTRA_DRAWS = 6  # links drawn per member inside its community: about 12 connections each
LONG_LINK_RATE = 0.3
MESSAGE_GAP_MINUTES = 37

FIRST = (
    "Ada", "Bao", "Carla", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Vik",
    "Wen", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip
LAST = (
    "Abara", "Berg", "Costa", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Khan", "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka",
    "Usman", "Varga", "Wong", "Xu", "Yilmaz", "Zhang",
)  # fmt: skip
# About one headline in seven names a manager: `?q=manager` has thousands of results.
ROLES = (
    "Software Engineer", "Product Manager", "Data Scientist", "Designer", "Account Executive",
    "Recruiter", "Analyst", "Engineering Manager", "Consultant", "Marketing Lead",
    "Founder", "Nurse", "Teacher", "Accountant",
)  # fmt: skip
COMPANIES = ("Globex", "Initech", "Skyforge", "Northwind", "Contoso", "Umbrella", "Hooli")
CITIES = ("Berlin", "Lagos", "Lisbon", "Toronto", "Austin", "Seoul", "Milan", "Dublin")
BODY = (
    "Message {g} of our conversation: thanks for the note, happy to talk about the role "
    "next week. Does Tuesday afternoon work for you?"
)


@dataclass(frozen=True)
class Shape:
    name: str
    members: int
    background_messages: int
    inbox_conversations: int
    premium_due: bool  # the Premium members' first anniversary has come
    inbox_connections: int = 200
    network_connections: int = 300
    network_invitations: int = 500


SHAPES = {
    "main": Shape("main", 10_000, 1_000_000, 500, premium_due=False),
    "100k": Shape("100k", 100_000, 0, 0, premium_due=True),
}
MESSAGES_PER_CONVERSATION = 20


def is_seeded() -> bool:
    return Member.objects.filter(email=INBOX_VIEWER).exists()


@transaction.atomic
def seed(shape: Shape, *, log=print) -> None:
    rng = random.Random(2026)
    now = timezone.now()
    n = shape.members
    ids = _members(shape, rng, now)
    log(f"  {n:,} members")
    inbox, network = ids[0], ids[-1]

    pairs = _graph(n, rng)
    # The two viewers' networks are exactly these.
    friends = _inbox_friends(shape)
    pairs |= {(0, i) for i in friends}
    pairs |= {(n - 1, n - 2 - i) for i in range(shape.network_connections)}
    since = now - timedelta(days=30)
    connections_bulk_create(
        NewConnection(ids[a], ids[b], since + timedelta(minutes=(a * 7 + b) % 40_000))
        for a, b in sorted(pairs)
    )
    log(f"  {len(pairs) * 2:,} connection rows")

    last_friend = n - 2 - shape.network_connections
    inviters = range(last_friend - shape.network_invitations, last_friend)
    invitations = [(ids[i], network) for i in inviters]
    # A few for the inbox viewer too, so that home shows its Invitations card.
    known = set(friends)
    inviters = [i for i in range(n // 2, n // 2 + 10) if i not in known][:3]
    invitations += [(ids[i], inbox) for i in inviters]
    invitations_bulk_create(
        NewInvitation(s, r, "Let's connect." if k % 3 else "", now - timedelta(minutes=k * 13))
        for k, (s, r) in enumerate(invitations)
    )
    log(f"  {len(invitations):,} pending invitations")

    _premium(shape, ids, rng, now)
    log("  Premium plans, credits and ledgers")
    if shape.inbox_conversations or shape.background_messages:
        messages = _conversations(shape, ids, pairs, rng, now)
        log(f"  {messages:,} messages")
    problems = check.problems()
    if problems:
        raise check.Inconsistent(problems)
    log("  consistency checked")


def _inbox_friends(shape: Shape) -> list[int]:
    """The inbox viewer's connections, one every 47 members: across many communities."""
    n = shape.members
    return [1 + k * 47 % (n - 3) for k in range(shape.inbox_connections)]


def _members(shape: Shape, rng: random.Random, now) -> list[int]:
    password = make_password(PASSWORD)

    def member(i):
        if i == 0:
            first, last, email = "Ivy", "Inbox", INBOX_VIEWER
        elif i == shape.members - 1:
            first, last, email = "Ned", "Network", NETWORK_VIEWER
        else:
            first, last, email = rng.choice(FIRST), rng.choice(LAST), f"m{i}@bench.example.com"
        return NewMember(
            email=email,
            first_name=first,
            last_name=last,
            password=password,
            date_joined=now - timedelta(days=60 + i % 2000),
            headline=f"{rng.choice(ROLES)} at {rng.choice(COMPANIES)}",
            location=rng.choice(CITIES),
            # The inbox viewer's InMails come to its Open Profile.
            open_profile=i == 0,
        )

    return members_bulk_create(member(i) for i in range(shape.members))


def _graph(n: int, rng: random.Random) -> set[tuple[int, int]]:
    """Communities of consecutive members, dense inside, with a few long links; the two
    viewers (0 and n - 1) are left out, their networks are drawn apart."""
    pairs = set()
    for i in range(1, n - 1):
        base = i - i % COMMUNITY
        for _ in range(INTRA_DRAWS):
            j = base + rng.randrange(COMMUNITY)
            if 0 < j < n - 1 and j != i:
                pairs.add((min(i, j), max(i, j)))
        if rng.random() < LONG_LINK_RATE:
            j = rng.randrange(1, n - 1)
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _premium(shape: Shape, ids: list[int], rng: random.Random, now) -> None:
    """A quarter of the members Premium (the inbox viewer on Recruiter Lite), each with its
    first allowance; with `premium_due`, the first month is over."""
    plans = list(Plan.objects.order_by("order", "id"))
    recruiter = next(plan for plan in plans if plan.slug == "recruiter-lite")
    chosen = [(0, recruiter)] + [
        (i, rng.choice(plans)) for i in range(4, len(ids) - 1, 4)
    ]  # every fourth member
    subscriptions_bulk_create(
        NewSubscription(
            member_id=ids[i],
            plan=plan,
            started_at=now - timedelta(days=(32 if shape.premium_due and i else 1) + i % 20),
        )
        for i, plan in chosen
    )


def _conversations(shape: Shape, ids, pairs, rng: random.Random, now) -> int:
    """Write the conversations; return how many messages."""
    n = len(ids)
    gap = timedelta(minutes=MESSAGE_GAP_MINUTES)

    def conversation(starter, recipient, at, subject=""):
        # The starter writes first, then they take turns: the recipient's first message is
        # the answer to an InMail (a reply), 37 minutes later.
        authors = (starter, recipient)
        return NewConversation(
            starter_id=starter,
            recipient_id=recipient,
            subject=subject,
            messages=[
                NewMessage(authors[g % 2], BODY.format(g=g + 1), at + g * gap)
                for g in range(MESSAGES_PER_CONVERSATION)
            ],
        )

    def conversations():
        # The inbox viewer: conversations with its connections, then InMails to its Open
        # Profile (free: no credit spent), each answered by the viewer's reply.
        friends = _inbox_friends(shape)
        known = set(friends)
        strangers = (i for i in range(1, n - 1) if i not in known)
        for k in range(shape.inbox_conversations):
            at = now - timedelta(days=30) + timedelta(minutes=k * 80)
            if k < min(shape.inbox_connections, shape.inbox_conversations):
                yield conversation(ids[0], ids[friends[k]], at)
            else:
                subject = f"An opportunity at {COMPANIES[k % len(COMPANIES)]}"
                yield conversation(ids[next(strangers)], ids[0], at, subject)
        # Background conversations between connected members, the viewers left out.
        candidates = sorted(p for p in pairs if p[0] != 0 and p[1] != n - 1)
        rng.shuffle(candidates)
        for a, b in candidates[: shape.background_messages // MESSAGES_PER_CONVERSATION]:
            at = now - timedelta(days=60) + timedelta(seconds=rng.randrange(55 * 86_400))
            yield conversation(ids[a], ids[b], at)

    return MESSAGES_PER_CONVERSATION * conversations_bulk_create(conversations())
