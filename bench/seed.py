"""The benchmark's data shapes, written with bulk inserts (PostgreSQL only).

`main`: 10,000 members in communities; the inbox viewer with 200 connections and 500
conversations of 20 messages (200 with connections, 300 InMails to its Open Profile, all
answered); the network viewer with 300 connections and 500 pending invitations; 1,000,000
background messages in 50,000 conversations between connected members; a quarter of the
members Premium, within their first billing month.

`100k`: 100,000 members in communities, the same two viewers, no conversations, and 25,000
Premium members whose first anniversary has come: `grant_credits` has all of them to settle.

Every denormalised field is written as the services would write it: a conversation's
`last_message`, each participant's `other`, `last_message_at` and `unread`, every lot's
`remaining` and ledger entry with its `balance_after`.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Connection, Invitation, Member
from inmail.models import Conversation, Message, Participant
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription, add_months

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


SHAPES = {
    "main": Shape("main", 10_000, 1_000_000, 500, premium_due=False),
    "100k": Shape("100k", 100_000, 0, 0, premium_due=True),
}
MESSAGES_PER_CONVERSATION = 20
INBOX_CONNECTIONS = 200
NETWORK_CONNECTIONS = 300
NETWORK_INVITATIONS = 500


def is_seeded() -> bool:
    return Member.objects.filter(email=INBOX_VIEWER).exists()


def copy_rows(model, fields: list[str], rows) -> None:
    """COPY `rows` (tuples in the order of `fields`) into the model's table."""
    table = model._meta.db_table
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
    pairs |= {(0, i) for i in _inbox_friends(n)}
    pairs |= {(n - 1, n - 2 - i) for i in range(NETWORK_CONNECTIONS)}
    since = now - timedelta(days=30)
    copy_rows(
        Connection,
        ["member", "other", "created_at"],
        (
            (ids[a], ids[b], since + timedelta(minutes=(a * 7 + b) % 40_000))
            for x, y in pairs
            for a, b in ((x, y), (y, x))
        ),
    )
    log(f"  {len(pairs) * 2:,} connection rows")

    inviters = range(n - 2 - NETWORK_CONNECTIONS - NETWORK_INVITATIONS, n - 2 - NETWORK_CONNECTIONS)
    invitations = [(ids[i], network) for i in inviters]
    # A few for the inbox viewer too, so that home shows its Invitations card.
    friends = set(_inbox_friends(n))
    inviters = [i for i in range(n // 2, n // 2 + 10) if i not in friends][:3]
    invitations += [(ids[i], inbox) for i in inviters]
    copy_rows(
        Invitation,
        ["sender", "recipient", "note", "status", "created_at"],
        (
            (s, r, "Let's connect." if k % 3 else "", "pending", now - timedelta(minutes=k * 13))
            for k, (s, r) in enumerate(invitations)
        ),
    )
    log(f"  {len(invitations):,} pending invitations")

    _premium(shape, ids, rng, now)
    log("  Premium plans, credits and ledgers")
    if shape.inbox_conversations or shape.background_messages:
        _conversations(shape, ids, pairs, rng, now)
        log(f"  {Message.objects.count():,} messages")


def _inbox_friends(n: int) -> list[int]:
    """The inbox viewer's connections, one every 47 members: across many communities."""
    return [1 + k * 47 % (n - 3) for k in range(INBOX_CONNECTIONS)]


def _members(shape: Shape, rng: random.Random, now) -> list[int]:
    password = make_password(PASSWORD)

    def row(i):
        if i == 0:
            first, last, email = "Ivy", "Inbox", INBOX_VIEWER
        elif i == shape.members - 1:
            first, last, email = "Ned", "Network", NETWORK_VIEWER
        else:
            first, last, email = rng.choice(FIRST), rng.choice(LAST), f"m{i}@bench.example.com"
        headline = f"{rng.choice(ROLES)} at {rng.choice(COMPANIES)}"
        joined = now - timedelta(days=60 + i % 2000)
        return (
            password, False, email, first, last, headline, rng.choice(CITIES), "",
            f"{first}-{last}-{i}".lower(), True, False, False, True, joined,
        )  # fmt: skip

    fields = [
        "password", "is_superuser", "email", "first_name", "last_name", "headline", "location",
        "about", "slug", "accept_inmail", "open_profile", "is_staff", "is_active", "date_joined",
    ]  # fmt: skip
    copy_rows(Member, fields, (row(i) for i in range(shape.members)))
    return list(Member.objects.order_by("pk").values_list("pk", flat=True))


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
    """A quarter of the members Premium (the inbox viewer on Recruiter Lite with an Open
    Profile), each with its first allowance; with `premium_due`, the first month is over."""
    plans = list(Plan.objects.order_by("order", "id"))
    recruiter = next(plan for plan in plans if plan.slug == "recruiter-lite")
    chosen = [(0, recruiter)] + [
        (i, rng.choice(plans)) for i in range(4, len(ids) - 1, 4)
    ]  # every fourth member
    subs, grants, entries = [], [], []
    for i, plan in chosen:
        if shape.premium_due and i:
            started = now - timedelta(days=32 + i % 20)
        else:
            started = now - timedelta(days=1 + i % 20)
        subs.append(
            Subscription(
                member_id=ids[i],
                plan=plan,
                started_at=started,
                period_start=started,
                period_end=add_months(started, 1),
            )
        )
    Subscription.objects.bulk_create(subs, batch_size=5000)
    for sub in subs:
        amount = sub.plan.monthly_credits
        grants.append(
            CreditGrant(
                member_id=sub.member_id,
                subscription=sub,
                kind=CreditGrant.Kind.MONTHLY,
                billing_month=0,
                amount=amount,
                remaining=amount,
                granted_at=sub.period_start,
                expires_at=sub.period_start + CREDIT_LIFETIME,
            )
        )
    CreditGrant.objects.bulk_create(grants, batch_size=5000)
    for grant in grants:
        entries.append(
            LedgerEntry(
                member_id=grant.member_id,
                grant=grant,
                amount=grant.amount,
                reason=LedgerEntry.Reason.GRANT,
                note=grant.subscription.plan.name,
                created_at=grant.granted_at,
                balance_after=grant.amount,
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    Member.objects.filter(pk=ids[0]).update(open_profile=True)


def _conversations(shape: Shape, ids, pairs, rng: random.Random, now) -> None:
    n = len(ids)
    rows = []
    # The inbox viewer: conversations with its connections, then InMails to its Open Profile
    # (free: no credit spent), each answered by the viewer's reply.
    with_connections = min(INBOX_CONNECTIONS, shape.inbox_conversations)
    friends = _inbox_friends(n)
    known = set(friends)
    strangers = (i for i in range(1, n - 1) if i not in known)
    for k in range(shape.inbox_conversations):
        at = now - timedelta(days=30) + timedelta(minutes=k * 80)
        if k < with_connections:
            rows.append(("message", ids[0], ids[friends[k]], "", "", None, at))
        else:
            other = ids[next(strangers)]
            responded = at + timedelta(minutes=MESSAGE_GAP_MINUTES)
            subject = f"An opportunity at {COMPANIES[k % len(COMPANIES)]}"
            rows.append(("inmail", other, ids[0], subject, "replied", responded, at))
    # Background conversations between connected members, the viewers left out.
    background = shape.background_messages // MESSAGES_PER_CONVERSATION
    candidates = [p for p in pairs if p[0] != 0 and p[1] != n - 1]
    rng.shuffle(candidates)
    for a, b in candidates[:background]:
        at = now - timedelta(days=60) + timedelta(seconds=rng.randrange(55 * 86_400))
        rows.append(("message", ids[a], ids[b], "", "", None, at))
    fields = ["kind", "starter", "recipient", "subject", "response", "responded_at"]
    fields += ["credit_spent", "created_at"]
    copy_rows(Conversation, fields, ((*row[:6], False, row[6]) for row in rows))
    messages = Message._meta.db_table
    conversations = Conversation._meta.db_table
    participants = Participant._meta.db_table
    gap = f"{MESSAGE_GAP_MINUTES} minutes"
    _execute(
        f"""
        INSERT INTO {messages} (conversation_id, author_id, kind, body, created_at)
        SELECT c.id, CASE WHEN g %% 2 = 1 THEN c.starter_id ELSE c.recipient_id END, 'text',
               replace(%s, '{{g}}', g::text), c.created_at + (g - 1) * interval '{gap}'
        FROM {conversations} c CROSS JOIN generate_series(1, %s) AS g
        ORDER BY c.id, g
        """,
        [BODY, MESSAGES_PER_CONVERSATION],
    )
    _execute(
        f"""
        UPDATE {conversations} c SET last_message_id = m.id
        FROM (SELECT DISTINCT ON (conversation_id) conversation_id, id FROM {messages}
              ORDER BY conversation_id, created_at DESC, id DESC) m
        WHERE m.conversation_id = c.id
        """
    )
    # The last message is the recipient's: the starter has it unread in one conversation of five.
    last_at = f"c.created_at + {MESSAGES_PER_CONVERSATION - 1} * interval '{gap}'"
    _execute(
        f"""
        INSERT INTO {participants}
            (conversation_id, member_id, other_id, folder, unread, last_message_at)
        SELECT c.id, c.starter_id, c.recipient_id, 'inbox', c.id % 5 = 0, {last_at}
        FROM {conversations} c
        UNION ALL
        SELECT c.id, c.recipient_id, c.starter_id, 'inbox', false, {last_at}
        FROM {conversations} c
        """
    )
