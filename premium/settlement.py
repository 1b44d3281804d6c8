"""Settling every member with something due, in batches: what `grant_credits` runs.

Most members due on a given day have one thing due: the allowance of the billing month that
has just begun. A batch locks its members' rows (the lock every credit service takes, in
member order, so two runs at once take turns rather than deadlock), reads what is due under
that lock, and grants those allowances in a few statements for the whole batch: the lots and
their ledger entries in bulk, exactly as `services._grant_month` writes them one by one.
Anything else (an expiry to write off first, several months missed, a cancelled plan to end)
is settled by `services.premium_status`, member by member, in the same transaction.

Idempotent like the lazy settlement: what a batch finds settled under the lock, it leaves.
"""

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Member
from premium import selectors, services
from premium.models import (
    CREDIT_LIFETIME,
    LEDGER_NOTE_MAX_LENGTH,
    CreditGrant,
    LedgerEntry,
    Subscription,
)

BATCH_SIZE = 1000


def settle_due(*, batch_size: int = BATCH_SIZE) -> int:
    """Settle every member with something due; how many were settled."""
    settled, after = 0, 0
    while True:
        batch = list(
            selectors.members_due().filter(pk__gt=after).values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return settled
        settled += _settle_batch(batch)
        after = batch[-1]


@transaction.atomic
def _settle_batch(member_ids: list[int]) -> int:
    locked = list(
        Member.objects.select_for_update()
        .filter(pk__in=member_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    subscriptions = {
        sub.member_id: sub
        for sub in Subscription.objects.live().select_related("plan").filter(member__in=locked)
    }
    expiring = set(
        CreditGrant.objects.filter(member__in=locked, remaining__gt=0, expires_at__lte=now)
        .order_by()
        .values_list("member", flat=True)
        .distinct()
    )
    one_allowance, one_by_one = [], []
    for pk in locked:
        sub = subscriptions.get(pk)
        due = sub is not None and sub.period_end <= now
        if pk in expiring or (
            due and (sub.is_cancelled or sub.month_start(sub.billing_month + 2) <= now)
        ):
            one_by_one.append(pk)
        elif due:
            one_allowance.append(sub)
    _grant_allowances(one_allowance)
    for pk in one_by_one:
        services.premium_status(member=Member(pk=pk))
    return len(one_allowance) + len(one_by_one)


def _grant_allowances(subscriptions: list[Subscription]) -> None:
    """The allowance of the billing month that began at each one's `period_end`, capped."""
    if not subscriptions:
        return
    # No lot of these members has expired (they would be settled one by one): the balance
    # is every lot with credits left.
    balances = dict(
        CreditGrant.objects.filter(member__in=[sub.member_id for sub in subscriptions])
        .filter(remaining__gt=0)
        .values("member")
        .annotate(total=Sum("remaining"))
        .values_list("member", "total")
    )
    grants, notes = [], []
    for sub in subscriptions:
        sub.billing_month += 1
        sub.period_start = sub.period_end
        sub.period_end = sub.month_start(sub.billing_month + 1)
        plan, balance = sub.plan, balances.get(sub.member_id, 0)
        amount = max(0, min(plan.monthly_credits, plan.balance_cap - balance))
        capped = f"Balance capped at {plan.balance_cap}"
        notes.append((plan.name if amount == plan.monthly_credits else capped, balance))
        grants.append(
            CreditGrant(
                member_id=sub.member_id,
                subscription=sub,
                kind=CreditGrant.Kind.MONTHLY,
                billing_month=sub.billing_month,
                amount=amount,
                remaining=amount,
                granted_at=sub.period_start,
                expires_at=sub.period_start + CREDIT_LIFETIME,
            )
        )
    # One statement per row, sent at once (psycopg pipelines executemany): bulk_update's
    # CASE … WHEN per row costs more to build than to run.
    table, adapt = Subscription._meta.db_table, connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET billing_month = %s, period_start = %s, period_end = %s "
            "WHERE id = %s",
            [
                (sub.billing_month, adapt(sub.period_start), adapt(sub.period_end), sub.pk)
                for sub in subscriptions
            ],
        )
    CreditGrant.objects.bulk_create(grants, batch_size=BATCH_SIZE)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                member_id=grant.member_id,
                grant=grant,
                amount=grant.amount,
                reason=LedgerEntry.Reason.GRANT,
                note=note[:LEDGER_NOTE_MAX_LENGTH],
                created_at=grant.granted_at,
                balance_after=balance + grant.amount,
            )
            for grant, (note, balance) in zip(grants, notes, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
