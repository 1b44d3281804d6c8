"""The member graph: the generated members' profiles, who is connected with whom and since
when, and the pending invitations, as plain Python from the seed alone (no database).

The graph is a set of communities of about 25 to 40 members (a city, an industry, a few
employers), dense inside, with a few long links between communities. Each demo account is
connected to a handful of members of one or two communities, members that have no long links
themselves, so every demo account has 1st, 2nd and, beyond its communities, 3rd+ members.

Members are numbered by their place in `DemoData.profiles`: the demo accounts first, in the
order of `DEMO_ACCOUNTS`, then the generated members.
"""

import random
from dataclasses import dataclass

from django.utils.text import slugify

from demo.premium import Subscriber, draw_subscribers
from demo.text import (
    COMPANIES,
    DEMO_ACCOUNTS,
    FAMILIES,
    FIRST_NAMES,
    HOBBIES,
    INDUSTRIES,
    LAST_NAMES,
    LOCATIONS,
    NOTES,
    SENIORITY,
    Family,
)

MINUTES_PER_DAY = 24 * 60
# Every generated member joined at least this long ago, so that connections and
# invitations (at most INVITATION_MAX_AGE_DAYS old) always come after both members joined.
JOINED_MIN_DAYS = 45
JOINED_MAX_DAYS = 6 * 365
INVITATION_MAX_AGE_DAYS = 30

COMMUNITY_SIZE = 32  # on average; sizes vary by ±25 %
INTRA_DEGREE = (5.5, 8.5)  # average connections inside a community, drawn per community
LONG_LINK_RATE = 0.3  # chance that a member has one connection into another community
INVITATION_RATE = 0.12  # pending invitations between generated members, per member


# Demo accounts connected with each other, kept only while each side still leaves at least
# one community out of reach in two hops. free and essentials are never linked.
DEMO_LINKS = (("pro", "business"), ("recruiter", "sales"), ("business", "sales"))
# Pending invitations between demo accounts (sender, recipient), when not connected.
DEMO_INVITATIONS = (("recruiter", "free"), ("sales", "essentials"), ("free", "pro"))


@dataclass
class Community:
    members: list[int]
    city: str
    companies: tuple[str, ...]
    family: Family
    industry: str


@dataclass
class Profile:
    email: str
    first_name: str
    last_name: str
    headline: str
    location: str
    about: str
    joined: int  # minutes ago
    is_admin: bool = False


@dataclass
class DemoData:
    profiles: list[Profile]
    # Each connection once, (a, b) -> minutes ago, by index into profiles.
    edges: dict[tuple[int, int], int]
    # (sender, recipient, note, minutes ago)
    invitations: list[tuple[int, int, str, int]]
    subscribers: list[Subscriber]
    # Seeds the choices of the demo accounts' conversations, written once everyone exists.
    conversation_seed: int = 0


def build_demo(*, seed: int, members: int) -> DemoData:
    """All the demo data as plain Python, from the seed alone: no database access."""
    rng = random.Random(seed)
    profiles = [
        Profile(
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            headline=account.headline,
            location=account.location,
            about=account.about,
            joined=account.joined_days * MINUTES_PER_DAY,
            is_admin=account.is_admin,
        )
        for account in DEMO_ACCOUNTS
    ]
    communities = _communities(rng, start=len(profiles), count=members)
    for community in communities:
        for _ in community.members:
            profiles.append(_profile(rng, community, number=len(profiles) - len(DEMO_ACCOUNTS) + 1))

    edges: dict[tuple[int, int], int] = {}

    def connect(a: int, b: int) -> bool:
        pair = (a, b) if a < b else (b, a)
        if a == b or pair in edges:
            return False
        limit = min(profiles[a].joined, profiles[b].joined)
        edges[pair] = rng.randrange(60, limit)
        return True

    community_of: dict[int, int] = {}
    for number, community in enumerate(communities):
        size = len(community.members)
        probability = min(1.0, rng.uniform(*INTRA_DEGREE) / max(size - 1, 1))
        for i, a in enumerate(community.members):
            community_of[a] = number
            for b in community.members[i + 1 :]:
                if rng.random() < probability:
                    connect(a, b)
    # Nobody is left without a connection inside their community.
    linked = {index for pair in edges for index in pair}
    for community in communities:
        if len(community.members) > 1:
            for a in community.members:
                if a not in linked:
                    connect(a, rng.choice([b for b in community.members if b != a]))

    anchors = _connect_demo_accounts(rng, communities, connect)

    # A few long links between communities, never from or to a demo account's connection:
    # that keeps the communities a demo account is not in at three hops or more.
    if len(communities) > 1:
        first, last = len(DEMO_ACCOUNTS), len(profiles)
        for a in range(first, last):
            if rng.random() >= LONG_LINK_RATE:
                continue
            b = rng.randrange(first, last)
            if a in anchors or b in anchors or community_of[a] == community_of[b]:
                continue
            connect(a, b)

    invitations = _invitations(rng, profiles, communities, edges)
    # Drawn last, so the plans leave everything above as it was before members had plans.
    subscribers = draw_subscribers(rng, generated=range(len(DEMO_ACCOUNTS), len(profiles)))
    return DemoData(
        profiles=profiles,
        edges=edges,
        invitations=invitations,
        subscribers=subscribers,
        conversation_seed=rng.getrandbits(32),
    )


def _communities(rng: random.Random, *, start: int, count: int) -> list[Community]:
    if count == 0:
        return []
    number = max(1, round(count / COMMUNITY_SIZE))
    if count >= 24:
        number = max(number, 3)  # demo accounts need communities they are not in
    weights = [rng.uniform(0.75, 1.25) for _ in range(number)]
    total = sum(weights)
    communities, cumulative, begin = [], 0.0, 0
    for weight in weights:
        cumulative += weight
        end = round(count * cumulative / total)
        communities.append(
            Community(
                members=list(range(start + begin, start + end)),
                city=rng.choice(LOCATIONS),
                companies=tuple(rng.sample(COMPANIES, 3)),
                family=rng.choice(FAMILIES),
                industry=rng.choice(INDUSTRIES),
            )
        )
        begin = end
    return [community for community in communities if community.members]


def _profile(rng: random.Random, community: Community, *, number: int) -> Profile:
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    location = community.city if rng.random() < 0.65 else rng.choice(LOCATIONS)
    family = community.family if rng.random() < 0.5 else rng.choice(FAMILIES)
    if family.companies:
        company = rng.choice(family.companies)
    elif rng.random() < 0.6:
        company = rng.choice(community.companies)
    else:
        company = rng.choice(COMPANIES)
    if family.industries:
        industry = rng.choice(family.industries)
    elif rng.random() < 0.7:
        industry = community.industry
    else:
        industry = rng.choice(INDUSTRIES)
    work = rng.choice(family.work)
    shape = rng.random()
    if shape < 0.03:
        role, years = rng.choice(("Founder", "Co-founder", "Founder & CEO")), rng.randint(6, 25)
        work = "get to build the company from the ground up"
    elif rng.random() < 0.08:
        role, years = rng.choice(family.leads), rng.randint(10, 25)
    else:
        role = rng.choice(family.roles)
        prefix, fits, (low, high) = rng.choice(SENIORITY)
        if fits is None or role.rsplit(" ", 1)[-1] in fits:
            role = prefix + role
        else:
            low, high = 2, 9
        years = rng.randint(low, high)

    if shape < 0.45:
        headline = f"{role} at {company}"
    elif shape < 0.60:
        headline = f"{role} · {industry}"
    elif shape < 0.75:
        skill_a, skill_b = rng.sample(family.skills, 2)
        headline = f"{role} at {company} | {skill_a} · {skill_b}"
    elif shape < 0.85:
        headline = f"{role} | {industry} | Ex-{rng.choice(COMPANIES)}"
    elif shape < 0.96:
        headline = f"{rng.choice(family.missions)} | {role} at {company}"
    else:
        headline = f"Open to work · {role}"

    about = ""
    if rng.random() < 0.4:
        skill_a, skill_b = rng.sample(family.skills, 2)
        sentences = [
            f"{role} with {years} years of experience in {industry}.",
            f"Currently at {company}, where I {work}.",
            f"I care about {skill_a} and {skill_b}, and I'm based in {location.split(',')[0]}.",
        ]
        if rng.random() < 0.5:
            sentences.append(f"Outside work: {rng.choice(HOBBIES)}.")
        about = " ".join(sentences)

    local = f"{slugify(first_name)}.{slugify(last_name)}".replace("-", "")
    return Profile(
        email=f"{local}.{number}@example.net",
        first_name=first_name,
        last_name=last_name,
        headline=headline,
        location=location,
        about=about,
        joined=rng.randrange(JOINED_MIN_DAYS * MINUTES_PER_DAY, JOINED_MAX_DAYS * MINUTES_PER_DAY),
    )


def _connect_demo_accounts(rng: random.Random, communities: list[Community], connect) -> set[int]:
    """Connect each demo account to members of its communities; return those members."""
    anchors: set[int] = set()
    index = {account.key: i for i, account in enumerate(DEMO_ACCOUNTS)}
    order = rng.sample(range(len(communities)), len(communities))
    reach: dict[str, set[int]] = {}
    for i, account in enumerate(DEMO_ACCOUNTS):
        spread = account.communities if len(communities) >= 8 else 1
        picked = [order[(i + 3 * j) % len(order)] for j in range(spread)] if order else []
        reach[account.key] = set(picked)
        for j, number in enumerate(picked):
            members = communities[number].members
            wanted = account.connections // spread + (j < account.connections % spread)
            wanted = min(wanted, max(1, len(members) // 2))
            for member in rng.sample(members, wanted):
                connect(i, member)
                anchors.add(member)

    # Linked demo accounts see each other's communities at two hops: keep one out of reach.
    two_hops = {key: set(numbers) for key, numbers in reach.items()}
    for a, b in DEMO_LINKS:
        union_a, union_b = two_hops[a] | reach[b], two_hops[b] | reach[a]
        if len(union_a) < len(communities) and len(union_b) < len(communities):
            connect(index[a], index[b])
            two_hops[a], two_hops[b] = union_a, union_b
    return anchors


def _invitations(
    rng: random.Random,
    profiles: list[Profile],
    communities: list[Community],
    edges: dict[tuple[int, int], int],
) -> list[tuple[int, int, str, int]]:
    invitations: list[tuple[int, int, str, int]] = []
    pairs: set[tuple[int, int]] = set()

    def invite(sender: int, recipient: int, note_chance: float = 0.5) -> bool:
        pair = (sender, recipient) if sender < recipient else (recipient, sender)
        if sender == recipient or pair in edges or pair in pairs:
            return False
        pairs.add(pair)
        note = ""
        if rng.random() < note_chance:
            to = profiles[recipient]
            note = rng.choice(NOTES).format(first=to.first_name, city=to.location.split(",")[0])
        invitations.append(
            (sender, recipient, note, rng.randrange(10, INVITATION_MAX_AGE_DAYS * MINUTES_PER_DAY))
        )
        return True

    generated = [member for community in communities for member in community.members]
    if not generated:
        return invitations
    community_members = {m: c.members for c in communities for m in c.members}

    # Each demo account receives invitations from and sends some to members it is not
    # connected with: mostly people near it in the graph, one from further away.
    demo_neighbours = demo_connections(edges)
    for i, account in enumerate(DEMO_ACCOUNTS):
        near = sorted(
            {
                member
                for neighbour in demo_neighbours[i]
                if neighbour in community_members
                for member in community_members[neighbour]
            }
            - demo_neighbours[i]
        )
        for count, sending in ((account.received, False), (account.sent, True)):
            for number in range(count):
                pool = near if near and number < count - 1 else generated
                for _ in range(20):  # a few tries to find a member with no invitation yet
                    other = rng.choice(pool)
                    if invite(i, other) if sending else invite(other, i, note_chance=0.6):
                        break

    index = {account.key: i for i, account in enumerate(DEMO_ACCOUNTS)}
    for sender, recipient in DEMO_INVITATIONS:
        invite(index[sender], index[recipient], note_chance=1.0)

    for _ in range(round(len(generated) * INVITATION_RATE)):
        sender = rng.choice(generated)
        if rng.random() < 0.7:
            recipient = rng.choice(community_members[sender])
        else:
            recipient = rng.choice(generated)
        invite(sender, recipient)
    return invitations


def demo_connections(edges: dict[tuple[int, int], int]) -> list[set[int]]:
    """Each demo account's connections, by its number."""
    first: list[set[int]] = [set() for _ in DEMO_ACCOUNTS]
    for a, b in edges:  # a < b: only a can be a demo account when b is not
        if a < len(DEMO_ACCOUNTS):
            first[a].add(b)
            if b < len(DEMO_ACCOUNTS):
                first[b].add(a)
    return first


def two_hops(edges: dict[tuple[int, int], int], first: list[set[int]]) -> list[set[int]]:
    """Everyone within two hops of each demo account (itself too), from its connections."""
    around: dict[int, set[int]] = {member: set() for connections in first for member in connections}
    for a, b in edges:
        if a in around:
            around[a].add(b)
        if b in around:
            around[b].add(a)
    return [
        {number}.union(connections, *(around[member] for member in connections))
        for number, connections in enumerate(first)
    ]
