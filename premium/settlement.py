"""Settling every member with something due, in batches: what `grant_credits` runs.

A batch locks its members' rows (the lock every credit service takes, in member order, so
two runs at once take turns rather than deadlock), reads their live subscriptions and lots
with credits left in two queries, and replays each member's settlement with the very rules
the services settle one member with (`services._settle`: expiries, the allowances of every
anniversary that has come, capped, the end of a cancelled plan, in order of time). The
changes are not written member by member but together, in a few statements for the whole
batch: the new lots and the ledger entries as two inserts, the lots taken from, the
subscriptions and the Open Profiles that closed as one UPDATE each.

Idempotent like the lazy settlement: what a batch finds settled under the lock, it leaves.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import Member
from core.bulk import ids_subquery, insert_rows, update_rows
from premium import selectors, services
from premium.models import CreditGrant, LedgerEntry, Plan, Subscription

BATCH_SIZE = 2000


def settle_due(*, plan: Plan | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Settle every member with something due (on `plan`, if given: those whose anniversary
    has come); how many members had something to settle."""
    # What is due now, read once: what falls due during the run is the next run's.
    due = selectors.member_ids_due(plan=plan)
    return sum(
        _settle_batch(due[start : start + batch_size]) for start in range(0, len(due), batch_size)
    )


class _Lot:
    """A lot as the batch reads and grants it: the few fields settling uses, no model."""

    __slots__ = (
        "pk", "member_id", "subscription", "kind", "billing_month", "amount", "remaining",
        "granted_at", "expires_at",
    )  # fmt: skip

    def __init__(self, pk=None, **fields):
        self.pk = pk
        for name, value in fields.items():
            setattr(self, name, value)


class _Writes:
    """What a batch's replay changed, to be written together."""

    def __init__(self):
        self.lots: list[_Lot] = []
        self.entries: list[dict] = []
        self.taken: dict[int, _Lot] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.open_profiles_off: set[int] = set()


class _BatchCredits(services._Credits):
    """A member's credits whose changes wait in `writes` instead of being written at once."""

    def __init__(self, member_id: int, lots: list[_Lot], writes: _Writes):
        super().__init__(member_id, lots)
        self.writes = writes

    def _new_lot(self, **fields):
        lot = _Lot(**fields)
        self.writes.lots.append(lot)
        return lot

    def _new_entry(self, **fields):
        self.writes.entries.append(fields)

    def _save_remaining(self, lots):
        # A lot granted by this batch is inserted with what is left of it.
        self.writes.taken.update((lot.pk, lot) for lot in lots if lot.pk is not None)

    def save_subscription(self, sub, fields):
        self.writes.subscriptions[sub.pk] = sub

    def open_profile_off(self):
        self.writes.open_profiles_off.add(self.member_id)


# What settling reads of a subscription and writes to it.
_SETTLED_FIELDS = [
    "member", "plan", "status", "started_at", "billing_month", "period_start", "period_end",
    "ended_at", "end_reason",
]  # fmt: skip


@transaction.atomic
def _settle_batch(member_ids: list[int]) -> int:
    locked = list(
        Member.objects.select_for_update()
        .filter(pk__in=ids_subquery(member_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    plans = {plan.pk: plan for plan in Plan.objects.all()}
    subscriptions = {}
    for sub in (
        Subscription.objects.live().filter(member__in=ids_subquery(locked)).only(*_SETTLED_FIELDS)
    ):
        sub.plan = plans[sub.plan_id]
        subscriptions[sub.member_id] = sub
    lots: dict[int, list[_Lot]] = {pk: [] for pk in locked}
    for pk, member_id, expires_at, remaining in (
        CreditGrant.objects.filter(member__in=ids_subquery(locked), remaining__gt=0)
        .order_by("member", "expires_at", "id")
        .values_list("pk", "member", "expires_at", "remaining")
    ):
        lots[member_id].append(_Lot(pk, expires_at=expires_at, remaining=remaining))

    writes, settled = _Writes(), 0
    for pk in locked:
        before = len(writes.entries), len(writes.subscriptions)
        services._settle(subscriptions.get(pk), _BatchCredits(pk, lots[pk], writes), now)
        settled += (len(writes.entries), len(writes.subscriptions)) != before
    _write(writes)
    return settled


def _write(writes: _Writes) -> None:
    if writes.lots:
        ids = insert_rows(
            CreditGrant,
            ["member", "subscription", "kind", "billing_month", "amount", "remaining"]
            + ["granted_at", "expires_at"],
            [
                (lot.member_id, lot.subscription.pk, lot.kind, lot.billing_month, lot.amount)
                + (lot.remaining, lot.granted_at, lot.expires_at)
                for lot in writes.lots
            ],
            returning=True,
        )
        for lot, pk in zip(writes.lots, ids, strict=True):
            lot.pk = pk
    if writes.entries:
        insert_rows(
            LedgerEntry,
            ["member", "grant", "amount", "reason", "note", "actor", "created_at"]
            + ["balance_after"],
            [
                (entry["member_id"], entry["grant"] and entry["grant"].pk, entry["amount"])
                + (entry["reason"], entry["note"], entry["actor"] and entry["actor"].pk)
                + (entry["created_at"], entry["balance_after"])
                for entry in writes.entries
            ],
        )
    update_rows(
        CreditGrant, ["remaining"], [(lot.pk, lot.remaining) for lot in writes.taken.values()]
    )
    update_rows(
        Subscription,
        ["billing_month", "period_start", "period_end", "status", "ended_at", "end_reason"],
        [
            (sub.pk, sub.billing_month, sub.period_start, sub.period_end, sub.status)
            + (sub.ended_at, sub.end_reason)
            for sub in writes.subscriptions.values()
        ],
    )
    if writes.open_profiles_off:
        Member.objects.filter(pk__in=writes.open_profiles_off).update(open_profile=False)
