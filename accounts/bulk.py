"""Bulk writes of members, connections and invitations, for demo data and tests.

The services write one member's change at a time, with its checks; these insert many rows
that are already known to be valid, a few queries per batch and none per row. Each keeps what
the services keep: unique slugs from the names, and both rows of every connection.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import batched
from typing import NamedTuple

from django.db import NotSupportedError, connection, transaction

from accounts.models import Connection, Invitation, Member
from accounts.slugs import slug_base
from core.bulk import insert_rows

BATCH_SIZE = 5000


@dataclass(frozen=True)
class NewMember:
    email: str  # lowercase, as the database requires
    first_name: str
    last_name: str
    password: str  # a hash from make_password: one hash may serve every row
    date_joined: datetime
    headline: str = ""
    location: str = ""
    about: str = ""
    is_staff: bool = False
    is_superuser: bool = False
    open_profile: bool = False


class NewConnection(NamedTuple):
    """A connection between two members, written as its two rows."""

    member_id: int
    other_id: int
    created_at: datetime


class NewInvitation(NamedTuple):
    """A pending invitation."""

    sender_id: int
    recipient_id: int
    note: str
    created_at: datetime


def require_returned_ids() -> None:
    """The bulk writers link rows by the ids their inserts return (PostgreSQL and SQLite do)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotSupportedError(
            f"Bulk writes need a database that returns the ids of inserted rows, "
            f"not {connection.vendor}."
        )


@transaction.atomic
def members_bulk_create(members: Iterable[NewMember], *, batch_size=BATCH_SIZE) -> list[int]:
    """Insert the members, each with a slug made from their name that nobody has yet (the
    name, then name-2, name-3…, in the order given); return their ids in the same order."""
    require_returned_ids()
    used = set(Member.objects.values_list("slug", flat=True))
    counters: dict[str, int] = {}

    def slug_for(member: NewMember) -> str:
        base = slug_base(member.first_name, member.last_name)
        counter = counters.get(base, 1)
        candidate = base if counter == 1 else f"{base}-{counter}"
        while candidate in used:
            counter += 1
            candidate = f"{base}-{counter}"
        counters[base] = counter + 1
        used.add(candidate)
        return candidate

    pks: list[int] = []
    for chunk in batched(members, batch_size):
        rows = [
            Member(
                email=member.email,
                first_name=member.first_name,
                last_name=member.last_name,
                headline=member.headline,
                location=member.location,
                about=member.about,
                slug=slug_for(member),
                password=member.password,
                is_staff=member.is_staff,
                is_superuser=member.is_superuser,
                date_joined=member.date_joined,
                open_profile=member.open_profile,
            )
            for member in chunk
        ]
        Member.objects.bulk_create(rows, batch_size=batch_size)
        pks.extend(row.pk for row in rows)
    return pks


@transaction.atomic
def connections_bulk_create(connections: Iterable[NewConnection], *, batch_size=BATCH_SIZE) -> int:
    """Insert each connection as its two rows, (a, b) and (b, a); return how many connections."""
    count = 0
    for chunk in batched(connections, max(1, batch_size // 2)):
        rows = []
        for a, b, created_at in chunk:
            rows += [(a, b, created_at), (b, a, created_at)]
        # Plain rows: a graph has hundreds of thousands of them (see core.bulk).
        insert_rows(Connection, ["member", "other", "created_at"], rows)
        count += len(chunk)
    return count


@transaction.atomic
def invitations_bulk_create(invitations: Iterable[NewInvitation], *, batch_size=BATCH_SIZE) -> int:
    """Insert pending invitations; return how many."""
    count = 0
    for chunk in batched(invitations, batch_size):
        Invitation.objects.bulk_create(
            [
                Invitation(
                    sender_id=sender, recipient_id=recipient, note=note, created_at=created_at
                )
                for sender, recipient, note, created_at in chunk
            ],
            batch_size=batch_size,
        )
        count += len(chunk)
    return count
