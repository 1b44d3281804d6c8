"""Bulk writes of subscriptions with their credits and ledger, for demo data and tests.

`premium.services` writes one member's change at a time under the member's lock. This inserts
at once, a few queries per batch and none per row, the rows those services would have written
for members who subscribed and then spent credits one at a time: the subscription, its first
allowance (a lot expiring 90 days after it was granted) and a ledger entry for the grant and
each credit spent, every one with the running balance. The ledger explains every balance it
writes, as it does after the services.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import batched

from django.db import transaction

from accounts.bulk import require_returned_ids
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription, add_months

BATCH_SIZE = 5000


@dataclass(frozen=True)
class NewSubscription:
    """A member's plan in its first billing month, and the credits they spent from it since.

    The member has no credits and no live plan yet. Settling carries the subscription on as
    for any other (later allowances, expiry, the end of a cancelled plan) when the member's
    balance is next read.
    """

    member_id: int
    plan: Plan
    started_at: datetime
    cancelled_at: datetime | None = None
    # When each credit was spent, oldest first, within the first billing month.
    spent_at: Sequence[datetime] = ()


def _check(new: NewSubscription) -> None:
    if len(new.spent_at) > new.plan.monthly_credits:
        raise ValueError(
            f"Member {new.member_id} spends {len(new.spent_at)} credits of "
            f"{new.plan.monthly_credits}."
        )
    period_end = add_months(new.started_at, 1)
    moments = [new.started_at, *new.spent_at, period_end]
    if moments != sorted(moments):
        raise ValueError(
            f"Member {new.member_id}'s credits must be spent in order within the first "
            "billing month."
        )
    if new.cancelled_at is not None and not new.started_at < new.cancelled_at < period_end:
        raise ValueError(
            f"Member {new.member_id}'s plan must be cancelled within its first billing month."
        )


@transaction.atomic
def subscriptions_bulk_create(
    subscriptions: Sequence[NewSubscription], *, batch_size: int = BATCH_SIZE
) -> list[Subscription]:
    """Insert each subscription with its first allowance and its spends (see the module)."""
    require_returned_ids()
    created: list[Subscription] = []
    for chunk in batched(subscriptions, batch_size):
        for new in chunk:
            _check(new)
        members = [new.member_id for new in chunk]
        if LedgerEntry.objects.filter(member_id__in=members).exists():
            # The running balances below start from zero.
            raise ValueError("Bulk subscriptions are for members without credit history.")
        subs = [
            Subscription(
                member_id=new.member_id,
                plan=new.plan,
                status=Subscription.Status.CANCELLED
                if new.cancelled_at
                else Subscription.Status.ACTIVE,
                started_at=new.started_at,
                period_start=new.started_at,
                period_end=add_months(new.started_at, 1),
                cancelled_at=new.cancelled_at,
            )
            for new in chunk
        ]
        Subscription.objects.bulk_create(subs, batch_size=batch_size)
        # A first allowance is never capped: the cap is at least a month's credits.
        lots = [
            CreditGrant(
                member_id=new.member_id,
                subscription=sub,
                kind=CreditGrant.Kind.MONTHLY,
                billing_month=0,
                amount=new.plan.monthly_credits,
                remaining=new.plan.monthly_credits - len(new.spent_at),
                granted_at=new.started_at,
                expires_at=new.started_at + CREDIT_LIFETIME,
            )
            for new, sub in zip(chunk, subs, strict=True)
        ]
        CreditGrant.objects.bulk_create(lots, batch_size=batch_size)
        entries = []
        for new, lot in zip(chunk, lots, strict=True):
            entries.append(
                LedgerEntry(
                    member_id=new.member_id,
                    grant=lot,
                    amount=lot.amount,
                    reason=LedgerEntry.Reason.GRANT,
                    note=new.plan.name,
                    created_at=lot.granted_at,
                    balance_after=lot.amount,
                )
            )
            for number, at in enumerate(new.spent_at, start=1):
                entries.append(
                    LedgerEntry(
                        member_id=new.member_id,
                        grant=lot,
                        amount=-1,
                        reason=LedgerEntry.Reason.SPEND,
                        actor_id=new.member_id,
                        created_at=at,
                        balance_after=lot.amount - number,
                    )
                )
        LedgerEntry.objects.bulk_create(entries, batch_size=batch_size)
        created.extend(subs)
    return created
