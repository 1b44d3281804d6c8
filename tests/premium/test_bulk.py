from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from premium import services
from premium.bulk import NewSubscription, subscriptions_bulk_create
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription
from tests.factories import MemberFactory, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

START = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
# The subscriptions begin on Mar 14 (first anniversary: Apr 14); the clock stands at START.
BEGAN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
Reason = LedgerEntry.Reason


@pytest.fixture
def essentials(db):
    return Plan.objects.get(slug="premium-essentials")


def entries(member):
    """The member's ledger, oldest first: (reason, amount, balance_after, actor, created_at)."""
    return list(
        LedgerEntry.objects.filter(member=member)
        .order_by("created_at", "id")
        .values_list("reason", "amount", "balance_after", "actor", "created_at")
    )


def assert_ledger_explains_the_balance(member):
    balance = services.premium_status(member=member).balance
    ledger = LedgerEntry.objects.filter(member=member)
    assert ledger.aggregate(total=Sum("amount"))["total"] == balance
    assert ledger.order_by("-created_at", "-id").first().balance_after == balance
    left = CreditGrant.objects.filter(member=member, expires_at__gt=START)
    assert left.aggregate(left=Sum("remaining"))["left"] == balance


def test_a_subscription_gets_its_first_allowance_and_a_ledger_entry_per_credit_spent(essentials):
    member = MemberFactory()
    spent_at = (BEGAN + 10 * MINUTE, BEGAN + 3 * timedelta(days=1))

    [sub] = subscriptions_bulk_create(
        [NewSubscription(member_id=member.pk, plan=essentials, started_at=BEGAN, spent_at=spent_at)]
    )

    sub.refresh_from_db()
    assert (sub.member, sub.plan, sub.status, sub.billing_month) == (
        member,
        essentials,
        Subscription.Status.ACTIVE,
        0,
    )
    assert (sub.started_at, sub.period_start, sub.period_end) == (
        BEGAN,
        BEGAN,
        datetime(2026, 4, 14, 9, 30, tzinfo=UTC),
    )
    [lot] = CreditGrant.objects.filter(member=member)
    assert (lot.subscription, lot.kind, lot.billing_month, lot.amount, lot.remaining) == (
        sub,
        CreditGrant.Kind.MONTHLY,
        0,
        5,
        3,
    )
    assert (lot.granted_at, lot.expires_at) == (BEGAN, BEGAN + CREDIT_LIFETIME)
    assert entries(member) == [
        (Reason.GRANT, 5, 5, None, BEGAN),
        (Reason.SPEND, -1, 4, member.pk, spent_at[0]),
        (Reason.SPEND, -1, 3, member.pk, spent_at[1]),
    ]
    assert set(LedgerEntry.objects.filter(member=member).values_list("grant", flat=True)) == {
        lot.pk
    }
    assert LedgerEntry.objects.get(member=member, reason=Reason.GRANT).note == essentials.name
    assert services.premium_status(member=member).balance == 3
    assert_ledger_explains_the_balance(member)


def test_the_balance_needs_no_settling_and_the_services_carry_on_from_it(essentials):
    member = MemberFactory()
    subscriptions_bulk_create(
        [NewSubscription(member_id=member.pk, plan=essentials, started_at=BEGAN)]
    )
    before = entries(member)

    assert services.premium_status(member=member).balance == 5
    assert entries(member) == before
    services.credits_spend(member=member, note="InMail")
    assert services.premium_status(member=member).balance == 4
    assert_ledger_explains_the_balance(member)


def test_a_cancelled_subscription_runs_to_the_end_of_its_month_then_its_credits_go(
    essentials, clock
):
    member = MemberFactory()
    cancelled_at = BEGAN + timedelta(days=2)
    subscriptions_bulk_create(
        [
            NewSubscription(
                member_id=member.pk,
                plan=essentials,
                started_at=BEGAN,
                cancelled_at=cancelled_at,
                spent_at=(BEGAN + MINUTE,),
            )
        ]
    )

    status = services.premium_status(member=member)
    assert (status.subscription.status, status.subscription.cancelled_at) == (
        Subscription.Status.CANCELLED,
        cancelled_at,
    )
    assert status.ends_at == datetime(2026, 4, 14, 9, 30, tzinfo=UTC)
    assert status.balance == 4
    clock.move_to(datetime(2026, 4, 20, tzinfo=UTC))
    status = services.premium_status(member=member)
    assert status.subscription is None
    assert status.balance == 0
    assert entries(member)[-1][:3] == (Reason.FORFEIT, -4, 0)


def test_an_active_subscription_carries_on_through_the_months(essentials, clock):
    member = MemberFactory()
    subscriptions_bulk_create(
        [
            NewSubscription(
                member_id=member.pk,
                plan=essentials,
                started_at=BEGAN,
                spent_at=(BEGAN + MINUTE, BEGAN + 2 * MINUTE),
            )
        ]
    )

    clock.move_to(datetime(2026, 5, 20, tzinfo=UTC))

    status = services.premium_status(member=member)
    assert status.subscription.billing_month == 2
    assert status.balance == 3 + 5 + 5
    assert_ledger_explains_the_balance(member)


def test_a_whole_allowance_can_be_spent(essentials):
    member = MemberFactory()
    spent_at = tuple(BEGAN + number * MINUTE for number in range(1, 6))

    subscriptions_bulk_create(
        [NewSubscription(member_id=member.pk, plan=essentials, started_at=BEGAN, spent_at=spent_at)]
    )

    assert [entry[2] for entry in entries(member)] == [5, 4, 3, 2, 1, 0]
    assert services.premium_status(member=member).balance == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"spent_at": tuple(BEGAN + n * MINUTE for n in range(1, 7))}, "spends 6 credits of 5"),
        ({"spent_at": (BEGAN + 2 * MINUTE, BEGAN + MINUTE)}, "in order"),
        ({"spent_at": (BEGAN - MINUTE,)}, "in order"),
        ({"spent_at": (datetime(2026, 4, 15, tzinfo=UTC),)}, "in order"),
        ({"cancelled_at": BEGAN - MINUTE}, "cancelled within its first billing month"),
    ],
)
def test_impossible_histories_are_refused_and_nothing_is_written(essentials, fields, message):
    member = MemberFactory()
    good = NewSubscription(member_id=MemberFactory().pk, plan=essentials, started_at=BEGAN)

    with pytest.raises(ValueError, match=message):
        subscriptions_bulk_create(
            [
                good,
                NewSubscription(member_id=member.pk, plan=essentials, started_at=BEGAN, **fields),
            ]
        )

    assert not Subscription.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_member_with_credit_history_is_refused(essentials):
    member = MemberFactory()
    subscribe(member)
    services.subscription_cancel(member=member)
    before = entries(member)

    with pytest.raises(ValueError, match="without credit history"):
        subscriptions_bulk_create(
            [NewSubscription(member_id=member.pk, plan=essentials, started_at=BEGAN)]
        )

    assert entries(member) == before


def test_the_queries_do_not_grow_with_the_rows(essentials):
    def queries(count, spent):
        members = [MemberFactory() for _ in range(count)]
        new = [
            NewSubscription(
                member_id=member.pk,
                plan=essentials,
                started_at=BEGAN,
                spent_at=tuple(BEGAN + n * MINUTE for n in range(1, spent + 1)),
            )
            for member in members
        ]
        with CaptureQueriesContext(connection) as context:
            subscriptions_bulk_create(new)
        return len(context)

    assert queries(2, 0) == queries(20, 2)
    assert Subscription.objects.count() == 22
    assert LedgerEntry.objects.count() == 22 + 20 * 2


def test_batches_keep_every_ledger_consistent():
    plans = list(Plan.objects.all())
    members = [MemberFactory() for _ in range(7)]

    subscriptions_bulk_create(
        [
            NewSubscription(
                member_id=member.pk,
                plan=plans[number % len(plans)],
                started_at=BEGAN,
                spent_at=tuple(BEGAN + n * MINUTE for n in range(1, number % 4 + 1)),
            )
            for number, member in enumerate(members)
        ],
        batch_size=3,
    )

    for number, member in enumerate(members):
        plan = plans[number % len(plans)]
        assert services.premium_status(member=member).balance == plan.monthly_credits - number % 4
        assert_ledger_explains_the_balance(member)
