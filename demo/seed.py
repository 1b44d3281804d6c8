"""The whole demo in one transaction: members, connections and invitations (`demo.graph`),
plans and credits (`demo.premium`), then the demo accounts' conversations
(`demo.conversations`), each app's rows through its own bulk writer or services.

The data is a pure function of the seed and the number of members: names, headlines,
locations, the graph, the invitations and the conversations come out the same every time (only
the timestamps move with the clock, by the same offsets). Everyone shares one password hash.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.bulk import (
    NewConnection,
    NewInvitation,
    NewMember,
    connections_bulk_create,
    invitations_bulk_create,
    members_bulk_create,
)
from accounts.models import Connection, Invitation, Member
from demo.conversations import DemoConversations
from demo.graph import DemoData, build_demo
from demo.premium import demo_plans, subscribe_demo_accounts, write_subscribers
from demo.text import DEMO_EMAILS, DEMO_PASSWORD
from premium.models import CreditGrant, LedgerEntry, Plan, Subscription

DEFAULT_SEED = 2026
DEFAULT_MEMBERS = 200


@dataclass(frozen=True)
class Seeded:
    data: DemoData
    conversations: int


def seed_demo(*, seed: int, members: int) -> Seeded:
    """Write the demo data, or nothing at all when the demo accounts exist or a plan is gone."""
    with transaction.atomic():
        existing = sorted(
            Member.objects.filter(email__in=DEMO_EMAILS).values_list("email", flat=True)
        )
        if existing:
            raise CommandError(
                f"The demo accounts already exist ({', '.join(existing)}): the database "
                "was seeded before. Nothing was written. Use --if-empty to skip seeding "
                "a populated database, or start from an empty one (manage.py flush)."
            )
        plans = demo_plans()
        data = build_demo(seed=seed, members=members)
        conversations = write_demo(data, password_hash=make_password(DEMO_PASSWORD), plans=plans)
    analyze_tables()
    return Seeded(data=data, conversations=conversations)


def write_demo(data: DemoData, *, password_hash: str, plans: dict[str, Plan]) -> int:
    """Insert the demo data with a handful of bulk queries per 5,000 rows, then write the demo
    accounts' conversations; return how many conversations."""
    now = timezone.now()

    def ago(minutes: int) -> datetime:
        return now - timedelta(minutes=minutes)

    used_emails = set(
        Member.objects.filter(email__endswith="@example.net").values_list("email", flat=True)
    )

    def email_for(email: str) -> str:
        unique, extra = email, 1
        while unique in used_emails:  # only on a database seeded before, by hand or otherwise
            extra += 1
            unique = email.replace("@", f"-{extra}@")
        used_emails.add(unique)
        return unique

    open_profiles = {each.member for each in data.subscribers if each.open_profile}
    pks = members_bulk_create(
        NewMember(
            email=email_for(profile.email),
            first_name=profile.first_name,
            last_name=profile.last_name,
            headline=profile.headline,
            location=profile.location,
            about=profile.about,
            password=password_hash,
            is_staff=profile.is_admin,
            is_superuser=profile.is_admin,
            date_joined=ago(profile.joined),
            open_profile=number in open_profiles,
        )
        for number, profile in enumerate(data.profiles)
    )
    connections_bulk_create(
        NewConnection(pks[a], pks[b], ago(minutes)) for (a, b), minutes in data.edges.items()
    )
    invitations_bulk_create(
        NewInvitation(pks[sender], pks[recipient], note, ago(minutes))
        for sender, recipient, note, minutes in data.invitations
    )
    write_subscribers(data.subscribers, pks=pks, plans=plans, now=now)
    subscribe_demo_accounts(pks, plans)
    return DemoConversations(data, pks).write()


def analyze_tables() -> None:
    """Refresh the planner statistics of the tables just filled.

    Without them PostgreSQL plans the degree subqueries of a freshly seeded graph as if the
    tables were nearly empty (sequential scans per row) until autovacuum gets to them.
    """
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        for model in (Member, Connection, Invitation, Subscription, CreditGrant, LedgerEntry):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
