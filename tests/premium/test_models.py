"""Billing dates, plan defaults, and the rows the database itself refuses whatever code writes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from premium.models import (
    DEFAULT_CAP_MONTHS,
    CreditGrant,
    LedgerEntry,
    Plan,
    Subscription,
    add_months,
)
from tests.assertions import refused_by_database
from tests.factories import (
    CreditGrantFactory,
    LedgerEntryFactory,
    MemberFactory,
    PlanFactory,
    SubscriptionFactory,
    subscribe,
)

NOW = datetime(2026, 1, 31, 10, 15, tzinfo=UTC)


# --- add_months ----------------------------------------------------------------------------


def test_add_months_keeps_the_day_and_time_when_the_month_has_it():
    assert add_months(datetime(2026, 3, 14, 9, 30, tzinfo=UTC), 1) == datetime(
        2026, 4, 14, 9, 30, tzinfo=UTC
    )


def test_add_months_from_the_31st_lands_on_the_last_day_of_shorter_months():
    start = datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)

    days = [add_months(start, months).date().isoformat() for months in range(1, 7)]

    assert days == [
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
        "2026-06-30",
        "2026-07-31",
    ]
    assert add_months(start, 1).time() == start.time()
    assert add_months(start, 1).tzinfo is UTC


def test_add_months_lands_on_february_29_in_a_leap_year():
    assert add_months(datetime(2027, 12, 31, tzinfo=UTC), 2) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2028, 1, 30, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)


def test_add_months_rolls_over_the_year():
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

    assert add_months(start, 1) == datetime(2026, 12, 30, 8, 0, tzinfo=UTC)
    assert add_months(start, 2) == datetime(2027, 1, 30, 8, 0, tzinfo=UTC)
    assert add_months(start, 3) == datetime(2027, 2, 28, 8, 0, tzinfo=UTC)
    assert add_months(start, 14) == datetime(2028, 1, 30, 8, 0, tzinfo=UTC)
    assert add_months(start, 0) == start


def test_subscription_month_start_is_counted_from_the_start_so_it_never_drifts():
    subscription = Subscription(started_at=datetime(2026, 1, 31, 12, 0, tzinfo=UTC))

    assert [subscription.month_start(month).day for month in range(5)] == [31, 28, 31, 30, 31]


# --- Plan ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_saved_with_a_blank_cap_gets_three_months_of_credits():
    plan = PlanFactory.build(monthly_credits=7)

    plan.save()

    plan.refresh_from_db()
    assert plan.balance_cap == DEFAULT_CAP_MONTHS * 7 == 21


@pytest.mark.django_db
def test_plan_full_clean_accepts_a_blank_cap_as_three_months_of_credits():
    plan = PlanFactory.build(monthly_credits=12)

    plan.full_clean()

    assert plan.balance_cap == 36


@pytest.mark.django_db
def test_plan_keeps_a_cap_staff_chose():
    plan = PlanFactory.build(balance_cap=10)

    plan.full_clean()
    plan.save()

    plan.refresh_from_db()
    assert plan.balance_cap == 10


@pytest.mark.django_db
def test_seeded_plans_have_the_credits_of_the_article_and_linkedins_caps():
    # Three months of credits, four for the Recruiter family.
    plans = list(Plan.objects.values_list("slug", "monthly_credits", "balance_cap", "is_active"))

    assert plans == [
        ("premium-essentials", 5, 15, True),
        ("premium-pro", 15, 45, True),
        ("premium-business", 15, 45, True),
        ("recruiter-lite", 30, 120, True),
        ("sales-navigator-core", 50, 150, True),
    ]


@pytest.mark.django_db
def test_plan_with_a_cap_below_one_month_is_refused():
    with refused_by_database(), transaction.atomic():
        PlanFactory(monthly_credits=7, balance_cap=6)

    assert not Plan.objects.filter(balance_cap=6).exists()


@pytest.mark.django_db
def test_plan_with_a_cap_of_exactly_one_month_is_accepted():
    plan = PlanFactory(monthly_credits=7, balance_cap=7)

    assert Plan.objects.get(pk=plan.pk).balance_cap == 7


@pytest.mark.django_db
def test_existing_plan_cannot_be_edited_to_a_cap_below_its_monthly_credits():
    plan = Plan.objects.get(slug="premium-essentials")

    with refused_by_database(), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(monthly_credits=16)

    plan.refresh_from_db()
    assert (plan.monthly_credits, plan.balance_cap) == (5, 15)


@pytest.mark.django_db
def test_plan_with_zero_monthly_credits_is_refused():
    with refused_by_database(), transaction.atomic():
        PlanFactory(monthly_credits=0, balance_cap=5)

    assert not Plan.objects.filter(monthly_credits=0).exists()


# --- Subscription --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Subscription.Status.ACTIVE, Subscription.Status.CANCELLED], ids=str
)
def test_second_live_subscription_for_a_member_is_refused(status):
    member = MemberFactory()
    subscribe(member)
    Subscription.objects.filter(member=member).update(status=status)
    pro = Plan.objects.get(slug="premium-pro")

    with refused_by_database(), transaction.atomic():
        SubscriptionFactory(member=member, plan=pro)

    assert Subscription.objects.filter(member=member).count() == 1


@pytest.mark.django_db
def test_ended_subscriptions_do_not_count_against_the_one_live_subscription():
    member = MemberFactory()
    essentials = Plan.objects.get(slug="premium-essentials")
    SubscriptionFactory.create_batch(2, member=member, plan=essentials, ended=True)

    SubscriptionFactory(member=member, plan=essentials)

    assert Subscription.objects.filter(member=member).count() == 3
    assert Subscription.objects.live().filter(member=member).count() == 1


@pytest.mark.django_db
def test_live_subscriptions_of_different_members_are_independent():
    first, second = MemberFactory(), MemberFactory()
    subscribe(first)
    subscribe(second)

    assert Subscription.objects.live().count() == 2


@pytest.mark.django_db
def test_subscription_period_must_move_forward():
    member = MemberFactory()
    essentials = Plan.objects.get(slug="premium-essentials")

    with refused_by_database(), transaction.atomic():
        SubscriptionFactory(member=member, plan=essentials, period_start=NOW, period_end=NOW)

    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_ended_subscription_without_an_end_date_is_refused():
    member = MemberFactory()
    essentials = Plan.objects.get(slug="premium-essentials")

    with refused_by_database(), transaction.atomic():
        SubscriptionFactory(member=member, plan=essentials, status=Subscription.Status.ENDED)

    assert not Subscription.objects.exists()


# --- CreditGrant ---------------------------------------------------------------------------


@pytest.fixture
def subscribed(db):
    member = MemberFactory()
    subscribe(member)
    return member, Subscription.objects.get(member=member)


def test_grant_with_more_remaining_than_granted_is_refused(subscribed):
    member, subscription = subscribed
    grant = CreditGrantFactory(member=member, subscription=subscription, billing_month=5)

    with refused_by_database(), transaction.atomic():
        CreditGrant.objects.filter(pk=grant.pk).update(remaining=6)

    grant.refresh_from_db()
    assert grant.remaining == 5


def test_grant_with_remaining_equal_to_amount_is_accepted(subscribed):
    member, subscription = subscribed

    CreditGrantFactory(
        member=member, subscription=subscription, billing_month=5, amount=3, remaining=3
    )

    assert CreditGrant.objects.filter(member=member, billing_month=5).get().remaining == 3


def test_second_monthly_grant_for_the_same_billing_month_is_refused(subscribed):
    member, subscription = subscribed
    grants_before = CreditGrant.objects.count()

    # subscribe() already granted billing month 0.
    with refused_by_database(), transaction.atomic():
        CreditGrantFactory(member=member, subscription=subscription, billing_month=0)

    assert CreditGrant.objects.count() == grants_before
    assert CreditGrant.objects.get(subscription=subscription, billing_month=0).amount == 5


def test_monthly_grants_for_other_billing_months_or_subscriptions_are_accepted(subscribed):
    member, subscription = subscribed
    other = SubscriptionFactory(member=member, plan=subscription.plan, ended=True)

    CreditGrantFactory(member=member, subscription=subscription, billing_month=1)
    CreditGrantFactory(member=member, subscription=other, billing_month=0)

    assert CreditGrant.objects.filter(kind=CreditGrant.Kind.MONTHLY).count() == 3


def test_credit_backs_in_the_same_billing_month_are_not_limited(subscribed):
    member, _subscription = subscribed

    CreditGrantFactory.create_batch(3, member=member, credit_back=True)

    assert CreditGrant.objects.filter(kind=CreditGrant.Kind.CREDIT_BACK).count() == 3


def test_grant_that_expires_before_it_was_granted_is_refused(subscribed):
    member, subscription = subscribed

    with refused_by_database(), transaction.atomic():
        CreditGrantFactory(
            member=member,
            subscription=subscription,
            billing_month=5,
            granted_at=NOW,
            expires_at=NOW - timedelta(seconds=1),
        )

    assert not CreditGrant.objects.filter(billing_month=5).exists()


def test_monthly_grant_without_a_billing_month_is_refused(subscribed):
    member, subscription = subscribed

    with refused_by_database(), transaction.atomic():
        CreditGrantFactory(member=member, subscription=subscription, billing_month=None)

    assert not CreditGrant.objects.filter(billing_month=None).exists()


# --- LedgerEntry ---------------------------------------------------------------------------


def test_ledger_entry_leaving_a_negative_balance_is_refused(subscribed):
    member, _subscription = subscribed
    entries_before = LedgerEntry.objects.count()

    with refused_by_database(), transaction.atomic():
        LedgerEntryFactory(member=member, balance_after=-1)

    assert LedgerEntry.objects.count() == entries_before


def test_ledger_entry_leaving_a_zero_balance_is_accepted(subscribed):
    member, _subscription = subscribed

    LedgerEntryFactory(member=member, balance_after=0)

    assert LedgerEntry.objects.filter(member=member, balance_after=0).count() == 1


@pytest.mark.parametrize(
    "reason",
    [
        LedgerEntry.Reason.SPEND,
        LedgerEntry.Reason.EXPIRY,
        LedgerEntry.Reason.FORFEIT,
        LedgerEntry.Reason.ADJUSTMENT,
    ],
    ids=str,
)
def test_zero_ledger_entry_is_refused_except_for_grants_and_credit_backs(subscribed, reason):
    member, _subscription = subscribed
    entries_before = LedgerEntry.objects.count()

    with refused_by_database(), transaction.atomic():
        LedgerEntryFactory(member=member, amount=0, reason=reason, balance_after=5)

    assert LedgerEntry.objects.count() == entries_before


@pytest.mark.parametrize(
    "reason", [LedgerEntry.Reason.GRANT, LedgerEntry.Reason.CREDIT_BACK], ids=str
)
def test_zero_ledger_entry_is_accepted_for_a_grant_or_credit_back_at_the_cap(subscribed, reason):
    member, _subscription = subscribed

    LedgerEntryFactory(member=member, amount=0, reason=reason, balance_after=15)

    assert LedgerEntry.objects.filter(member=member, amount=0, reason=reason).count() == 1


def test_ledger_entry_with_an_unknown_reason_is_refused(subscribed):
    member, _subscription = subscribed
    entries_before = LedgerEntry.objects.count()

    with refused_by_database(), transaction.atomic():
        LedgerEntryFactory(member=member, reason="gift")

    assert LedgerEntry.objects.count() == entries_before
