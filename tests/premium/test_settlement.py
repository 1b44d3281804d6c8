"""grant_credits' batches write exactly what settling each member lazily writes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from premium import services, settlement
from premium.models import LedgerEntry, Subscription
from tests.factories import MemberFactory, subscribe

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


class _Rollback(Exception):
    pass


def settled_by(settle):
    """Five members a month and a day after they subscribed: four with one allowance due
    (one of them near the cap), one whose cancelled plan has ended. Rolled back afterwards."""
    with time_machine.travel(START, tick=False) as clock:
        try:
            with transaction.atomic():
                staff = MemberFactory(is_staff=True)
                members = [MemberFactory() for _ in range(5)]
                for member, slug in zip(
                    members,
                    ["premium-essentials", "recruiter-lite", "premium-pro", "premium-essentials"],
                    strict=False,
                ):
                    subscribe(member, slug)
                services.credits_adjust(member=members[3], amount=8, reason="Goodwill", actor=staff)
                subscribe(members[4], "premium-business")
                services.subscription_cancel(member=members[4])
                clock.move_to(START + timedelta(days=32))
                settled = settle(members)
                index = {member.pk: i for i, member in enumerate(members)}
                ledger = [
                    (index[member], reason, amount, balance_after, created_at, note)
                    for member, reason, amount, balance_after, created_at, note in (
                        LedgerEntry.objects.filter(member__in=members)
                        .order_by("member", "created_at", "id")
                        .values_list(
                            "member", "reason", "amount", "balance_after", "created_at", "note"
                        )
                    )
                ]
                subscriptions = [
                    (index[member], *rest)
                    for member, *rest in Subscription.objects.order_by("member").values_list(
                        "member", "status", "billing_month", "period_start", "period_end"
                    )
                ]
                raise _Rollback
        except _Rollback:
            return settled, ledger, subscriptions


def one_by_one(members):
    for member in members:
        services.premium_status(member=member)
    return len(members)


def test_batches_write_what_the_lazy_settlement_writes():
    batched = settled_by(lambda members: settlement.settle_due(batch_size=2))
    lazily = settled_by(one_by_one)

    assert batched == lazily
    settled, ledger, subscriptions = batched
    assert settled == 5
    # Near the cap: 5 + 8 held, the next allowance only up to 15.
    near_the_cap = [entry for entry in ledger if entry[0] == 3]
    assert near_the_cap[-1][:4] == (3, LedgerEntry.Reason.GRANT, 2, 15)
    assert near_the_cap[-1][5] == "Balance capped at 15"
    assert [status for _i, status, *_rest in subscriptions] == ["active"] * 4 + ["ended"]


def test_a_second_run_finds_nothing_due(member, other):
    with time_machine.travel(START, tick=False) as clock:
        subscribe(member)
        subscribe(other, "premium-pro")
        clock.move_to(START + timedelta(days=32))

        assert settlement.settle_due() == 2
        assert settlement.settle_due() == 0

        assert services.premium_status(member=member).balance == 10
        assert services.premium_status(member=other).balance == 30
