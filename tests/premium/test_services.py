from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Member
from core.errors import Conflict, DomainError, Invalid, NotAllowed
from premium import services
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription
from tests import assertions
from tests.factories import MemberFactory, subscribe

pytestmark = pytest.mark.django_db

# Billing anniversaries of a subscription started at START: Apr 14, May 14, Jun 14, Jul 14…
START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
APR_14, MAY_14, JUN_14, JUL_14 = (
    datetime(2026, month, 14, 9, 30, tzinfo=UTC) for month in (4, 5, 6, 7)
)
# START + 90 days, when the first month's allowance expires.
JUN_12 = datetime(2026, 6, 12, 9, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
Reason = LedgerEntry.Reason


@pytest.fixture
def staff(db):
    return MemberFactory(first_name="Sam", last_name="Staff", is_staff=True)


def plan(slug):
    return Plan.objects.get(slug=slug)


def entries(member):
    """The member's ledger, oldest first: (reason, amount, balance_after, created_at)."""
    return list(
        LedgerEntry.objects.filter(member=member)
        .order_by("created_at", "id")
        .values_list("reason", "amount", "balance_after", "created_at")
    )


def last_entry(member):
    return LedgerEntry.objects.filter(member=member).order_by("-created_at", "-id").first()


def live(member):
    return Subscription.objects.live().filter(member=member).first()


def unexpired_lots_total(member):
    return (
        CreditGrant.objects.filter(member=member, expires_at__gt=timezone.now()).aggregate(
            total=Sum("remaining")
        )["total"]
        or 0
    )


def balance(member):
    """The settled balance, after checking the ledger explains it exactly."""
    status = services.premium_status(member=member)
    ledger_total = LedgerEntry.objects.filter(member=member).aggregate(total=Sum("amount"))
    latest = last_entry(member)
    assert status.balance == unexpired_lots_total(member) == (ledger_total["total"] or 0)
    assert status.balance == (latest.balance_after if latest else 0)
    assert status.balance <= (status.plan.balance_cap if status.plan else 0)
    return status.balance


def snapshot():
    """Every row a premium service could touch, to prove a refusal stored nothing."""
    return {
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list()),
        "grants": list(CreditGrant.objects.order_by("pk").values_list()),
        "subscriptions": list(Subscription.objects.order_by("pk").values_list()),
        "members": list(Member.objects.order_by("pk").values_list("pk", "open_profile")),
    }


def refused(message, kind=Invalid):
    return assertions.refused(snapshot, message, kind)


def spend(member, times=1):
    for _ in range(times):
        services.credits_spend(member=member)


# --- subscription_start and the monthly allowance ------------------------------------------


def test_subscribing_grants_the_first_months_credits_at_once(clock, member):
    status = subscribe(member)

    assert status.balance == 5
    assert status.plan == plan("premium-essentials")
    assert status.next_allowance_at == APR_14
    assert status.ends_at is None
    sub = live(member)
    assert (sub.started_at, sub.period_start, sub.period_end) == (START, START, APR_14)
    assert sub.billing_month == 0
    lot = CreditGrant.objects.get(member=member)
    assert (lot.kind, lot.subscription, lot.billing_month) == ("monthly", sub, 0)
    assert (lot.amount, lot.remaining) == (5, 5)
    assert (lot.granted_at, lot.expires_at) == (START, START + CREDIT_LIFETIME)
    assert entries(member) == [(Reason.GRANT, 5, 5, START)]
    assert last_entry(member).note == "Premium Essentials"
    assert last_entry(member).grant == lot


def test_allowance_arrives_on_each_anniversary_and_not_a_second_before(clock, member):
    subscribe(member)

    for anniversary, expected in [(APR_14, 10), (MAY_14, 15)]:
        clock.move_to(anniversary - SECOND)
        assert balance(member) == expected - 5
        clock.move_to(anniversary)
        assert balance(member) == expected

    grants = CreditGrant.objects.filter(member=member).order_by("billing_month")
    assert list(grants.values_list("billing_month", "granted_at", "amount")) == [
        (0, START, 5),
        (1, APR_14, 5),
        (2, MAY_14, 5),
    ]
    sub = live(member)
    assert (sub.billing_month, sub.period_start, sub.period_end) == (2, MAY_14, JUN_14)


def test_subscription_started_on_january_31_renews_on_the_last_day_of_shorter_months(member):
    jan_31 = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    anniversaries = [
        datetime(2026, 2, 28, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 31, 10, 0, tzinfo=UTC),
        datetime(2026, 4, 30, 10, 0, tzinfo=UTC),
        datetime(2026, 5, 31, 10, 0, tzinfo=UTC),
    ]
    with time_machine.travel(jan_31, tick=False) as clock:
        subscribe(member)
        for month, anniversary in enumerate(anniversaries, start=1):
            clock.move_to(anniversary - SECOND)
            services.premium_status(member=member)
            assert not CreditGrant.objects.filter(member=member, billing_month=month).exists()
            # Spending keeps the balance under the cap, so every allowance is granted whole.
            spend(member, 5)
            clock.move_to(anniversary)
            assert balance(member) == 5

    grants = CreditGrant.objects.filter(member=member, kind="monthly").order_by("billing_month")
    assert list(grants.values_list("granted_at", flat=True)) == [jan_31, *anniversaries]
    assert live(member).period_end == datetime(2026, 6, 30, 10, 0, tzinfo=UTC)


def test_months_missed_while_nobody_looked_are_all_granted_on_their_anniversaries(clock, member):
    subscribe(member, "premium-pro")

    clock.move_to(datetime(2026, 9, 20, tzinfo=UTC))
    status = services.premium_status(member=member)

    grants = CreditGrant.objects.filter(member=member, kind="monthly").order_by("billing_month")
    assert [grant.granted_at.date().isoformat() for grant in grants] == [
        "2026-03-14",
        "2026-04-14",
        "2026-05-14",
        "2026-06-14",
        "2026-07-14",
        "2026-08-14",
        "2026-09-14",
    ]
    # Three lots fit under the cap of 45; the older ones expired in between.
    assert status.balance == 45
    assert status.subscription.billing_month == 6
    assert balance(member) == 45


# --- expiry --------------------------------------------------------------------------------


def test_credit_usable_on_day_89_is_gone_on_day_91(clock, member):
    subscribe(member)
    first_lot = CreditGrant.objects.get(member=member, billing_month=0)

    clock.move_to(START + timedelta(days=89))
    assert balance(member) == 15
    entry = services.credits_spend(member=member)
    assert entry.grant == first_lot
    first_lot.refresh_from_db()
    assert first_lot.remaining == 4

    clock.move_to(START + timedelta(days=91))
    assert balance(member) == 10
    first_lot.refresh_from_db()
    assert first_lot.remaining == 0
    expiry = last_entry(member)
    assert (expiry.reason, expiry.amount, expiry.grant, expiry.actor) == (
        Reason.EXPIRY,
        -4,
        first_lot,
        None,
    )
    # Dated when the credits expired, not when the expiry was noticed.
    assert expiry.created_at == START + CREDIT_LIFETIME == JUN_12


def test_credits_expire_at_exactly_90_days(clock, member):
    subscribe(member)

    clock.move_to(JUN_12 - timedelta(microseconds=1))
    assert balance(member) == 15
    assert not LedgerEntry.objects.filter(member=member, reason=Reason.EXPIRY).exists()

    clock.move_to(JUN_12)
    assert balance(member) == 10
    assert entries(member)[-1] == (Reason.EXPIRY, -5, 10, JUN_12)


def test_credits_expiring_on_an_anniversary_are_gone_before_its_allowance_is_capped(member):
    # Dec 1 + 90 days is Mar 1, the third anniversary: the first lot expires as it arrives.
    dec_1 = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)
    mar_1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(dec_1, tick=False) as clock:
        subscribe(member)
        clock.move_to(mar_1 - SECOND)
        assert balance(member) == 15

        clock.move_to(mar_1)
        assert balance(member) == 15

    assert entries(member)[-2:] == [(Reason.EXPIRY, -5, 10, mar_1), (Reason.GRANT, 5, 15, mar_1)]


def test_expired_credits_cannot_be_spent(clock, member):
    subscribe(member)
    spend(member, 5)
    clock.move_to(APR_14)
    spend(member, 2)

    clock.move_to(APR_14 + CREDIT_LIFETIME)
    # The Apr 14 lot expired; the May 14 and Jun 14 lots are left.
    assert balance(member) == 10
    assert CreditGrant.objects.get(billing_month=1).remaining == 0
    assert entries(member)[-1] == (Reason.EXPIRY, -3, 10, APR_14 + CREDIT_LIFETIME)


# --- the cap -------------------------------------------------------------------------------


def test_allowance_near_the_cap_is_granted_only_up_to_the_cap(clock, member, staff):
    subscribe(member)
    clock.move_to(APR_14 - timedelta(days=1))
    services.credits_adjust(member=member, amount=8, reason="Goodwill", actor=staff)

    clock.move_to(APR_14)
    assert balance(member) == 15

    grant = CreditGrant.objects.get(member=member, billing_month=1)
    assert (grant.amount, grant.remaining) == (2, 2)
    entry = last_entry(member)
    assert (entry.reason, entry.amount, entry.balance_after) == (Reason.GRANT, 2, 15)
    assert entry.note == "Balance capped at 15"


def test_allowance_at_the_cap_records_a_grant_of_zero(clock, member, staff):
    subscribe(member)
    services.credits_adjust(member=member, amount=10, reason="Goodwill", actor=staff)

    clock.move_to(APR_14)
    assert balance(member) == 15

    grant = CreditGrant.objects.get(member=member, billing_month=1)
    assert (grant.amount, grant.remaining) == (0, 0)
    assert entries(member)[-1] == (Reason.GRANT, 0, 15, APR_14)
    assert last_entry(member).note == "Balance capped at 15"
    # The zero month still moves the billing month on: the next allowance is a month later.
    assert live(member).period_end == MAY_14


def test_balance_never_passes_the_cap_over_a_year_of_credit_backs(clock, member):
    subscribe(member)
    cap = plan("premium-essentials").balance_cap

    for day in range(0, 365, 4):
        clock.move_to(START + timedelta(days=day))
        services.credits_return(member=member, note=f"Reply on day {day}")
        assert balance(member) <= cap
        if day % 12 == 0:
            spend(member)

    assert LedgerEntry.objects.filter(member=member, reason=Reason.GRANT, amount=0).exists()
    assert LedgerEntry.objects.filter(member=member, reason=Reason.CREDIT_BACK, amount=0).exists()
    assert max(LedgerEntry.objects.values_list("balance_after", flat=True)) == cap


# --- subscription_change -------------------------------------------------------------------


def test_changing_plan_keeps_the_billing_month_and_tops_up_its_allowance(clock, member, staff):
    subscribe(member)
    clock.move_to(APR_14)
    spend(member, 3)
    changed_at = APR_14 + timedelta(days=10)
    clock.move_to(changed_at)

    status = services.subscription_change(member=member, plan=plan("premium-pro"), actor=staff)

    # 7 kept, and this month's allowance of 5 topped up to Pro's 15: never a second allowance.
    assert status.plan == plan("premium-pro")
    assert status.balance == 17
    assert entries(member)[-1] == (Reason.GRANT, 10, 17, changed_at)
    grant = last_entry(member)
    assert grant.note == (
        "Changed from Premium Essentials to Premium Pro: this month's allowance topped up from "
        "5 to 15"
    )
    assert grant.actor == staff
    assert not LedgerEntry.objects.filter(member=member, reason=Reason.FORFEIT).exists()
    old = Subscription.objects.get(member=member, plan__slug="premium-essentials")
    assert (old.status, old.ended_at, old.end_reason) == ("ended", changed_at, "changed")
    new = live(member)
    assert new.plan.slug == "premium-pro"
    assert (new.started_at, new.period_start, new.period_end) == (START, APR_14, MAY_14)
    assert (new.billing_month, new.changed_at) == (1, changed_at)
    assert status.next_change_at == MAY_14
    assert balance(member) == 17


def test_after_a_plan_change_allowances_keep_the_billing_anchor(clock, member):
    subscribe(member)
    clock.move_to(START + timedelta(days=10))
    services.subscription_change(member=member, plan=plan("recruiter-lite"))
    assert balance(member) == 30

    clock.move_to(APR_14 - SECOND)
    assert balance(member) == 30
    clock.move_to(APR_14)
    assert balance(member) == 60
    assert CreditGrant.objects.filter(granted_at=APR_14, amount=30).exists()


def test_downgrading_grants_nothing_more_this_month(clock, member):
    subscribe(member, "premium-pro")
    spend(member, 12)

    status = services.subscription_change(member=member, plan=plan("premium-essentials"))

    assert status.balance == 3
    assert entries(member)[-1] == (Reason.GRANT, 0, 3, START)
    assert last_entry(member).note == (
        "Changed from Premium Pro to Premium Essentials: this month's allowance of 15 already "
        "covers its 5"
    )
    clock.move_to(APR_14)
    assert balance(member) == 8


def test_downgrading_forfeits_the_credits_above_the_new_plans_cap(clock, member):
    subscribe(member, "sales-navigator-core")

    status = services.subscription_change(member=member, plan=plan("premium-essentials"))

    assert status.balance == 15
    assert entries(member)[-2:] == [(Reason.FORFEIT, -35, 15, START), (Reason.GRANT, 0, 15, START)]
    assert LedgerEntry.objects.get(reason=Reason.FORFEIT).note == (
        "Changed from Sales Navigator Core to Premium Essentials: above its cap of 15"
    )
    assert balance(member) == 15


def test_a_second_change_in_a_billing_month_is_refused_until_the_next(clock, member):
    subscribe(member)
    clock.move_to(START + timedelta(days=3))
    services.subscription_change(member=member, plan=plan("premium-pro"))

    with refused(
        "You've already changed your plan this billing month. "
        "You can change your plan again on Apr 14, 2026.",
        Conflict,
    ):
        services.subscription_change(member=member, plan=plan("premium-business"))

    clock.move_to(APR_14 - SECOND)
    with refused(
        "You've already changed your plan this billing month. "
        "You can change your plan again on Apr 14, 2026.",
        Conflict,
    ):
        services.subscription_change(member=member, plan=plan("premium-essentials"))
    clock.move_to(APR_14)
    status = services.subscription_change(member=member, plan=plan("premium-business"))
    assert status.next_change_at == MAY_14


def test_starting_a_plan_is_not_a_change(clock, member):
    status = subscribe(member)

    assert status.next_change_at is None
    assert services.subscription_change(member=member, plan=plan("premium-pro")).balance == 15


def test_switching_plans_to_farm_credits_yields_one_allowance_a_month(clock, member):
    """The farming of issue 10: start, spend, switch, spend, switch… within seconds."""
    subscribe(member)
    spend(member, 5)
    services.subscription_change(member=member, plan=plan("premium-pro"))
    spend(member, 10)

    for slug in ("premium-business", "recruiter-lite", "sales-navigator-core"):
        with pytest.raises(Conflict):
            services.subscription_change(member=member, plan=plan(slug))

    assert balance(member) == 0
    spent = LedgerEntry.objects.filter(member=member, reason=Reason.SPEND).count()
    assert spent == plan("premium-pro").monthly_credits


def test_cancelling_and_reactivating_neither_grants_nor_allows_another_change(clock, member):
    subscribe(member)
    services.subscription_change(member=member, plan=plan("premium-pro"))
    services.subscription_cancel(member=member)
    services.subscription_reactivate(member=member)

    assert balance(member) == 15
    with refused(
        "You've already changed your plan this billing month. "
        "You can change your plan again on Apr 14, 2026.",
        Conflict,
    ):
        services.subscription_change(member=member, plan=plan("recruiter-lite"))


def test_a_cancelled_plan_changed_this_month_cannot_change_again(clock, member):
    subscribe(member)
    services.subscription_change(member=member, plan=plan("premium-pro"))
    services.subscription_cancel(member=member)

    with refused(
        "You've already changed your plan this billing month. "
        "You can change your plan again on Apr 14, 2026.",
        Conflict,
    ):
        services.subscription_change(member=member, plan=plan("premium-business"))


def test_starting_again_after_a_plan_lapsed_is_a_new_billing_month(clock, member):
    subscribe(member)
    services.subscription_change(member=member, plan=plan("premium-pro"))
    services.subscription_cancel(member=member)
    clock.move_to(APR_14 + timedelta(days=2))
    assert balance(member) == 0

    status = services.subscription_start(member=member, plan=plan("premium-business"))

    assert status.balance == 15
    assert status.next_change_at is None
    assert status.subscription.started_at == APR_14 + timedelta(days=2)


def test_staff_may_override_the_one_change_rule_without_a_second_allowance(clock, member, staff):
    subscribe(member)
    services.subscription_change(member=member, plan=plan("premium-pro"))

    status = services.subscription_change(
        member=member, plan=plan("sales-navigator-core"), actor=staff, override=True
    )

    assert status.balance == 50
    assert entries(member)[-1] == (Reason.GRANT, 35, 50, START)
    assert last_entry(member).actor == staff
    status = services.subscription_change(
        member=member, plan=plan("premium-pro"), actor=staff, override=True
    )
    # Pro holds up to 45: the 5 above are forfeited, and nothing more is granted.
    assert (status.balance, entries(member)[-2:]) == (
        45,
        [(Reason.FORFEIT, -5, 45, START), (Reason.GRANT, 0, 45, START)],
    )


def test_changing_a_cancelled_plan_to_another_plan_starts_it_active(clock, member):
    subscribe(member)
    services.subscription_cancel(member=member)

    status = services.subscription_change(member=member, plan=plan("premium-pro"))

    assert status.subscription.status == "active"
    assert status.next_allowance_at == APR_14
    assert Subscription.objects.get(plan__slug="premium-essentials").end_reason == "changed"


def test_changing_to_the_current_plan_is_refused(clock, member):
    subscribe(member)

    with refused("You're already on Premium Essentials.", Conflict):
        services.subscription_change(member=member, plan=plan("premium-essentials"))


def test_changing_a_cancelled_plan_to_itself_is_refused_with_a_hint_to_reactivate(clock, member):
    subscribe(member)
    services.subscription_cancel(member=member)

    with refused("You're already on Premium Essentials. Reactivate it to keep it.", Conflict):
        services.subscription_change(member=member, plan=plan("premium-essentials"))


def test_changing_to_an_inactive_plan_is_refused(clock, member):
    subscribe(member)
    Plan.objects.filter(slug="premium-pro").update(is_active=False)

    with refused("Premium Pro is no longer offered. Choose another plan."):
        services.subscription_change(member=member, plan=plan("premium-pro"))


def test_changing_plan_without_a_plan_is_refused(clock, member):
    with refused("You don't have a Premium plan to change. Choose one to start.", Conflict):
        services.subscription_change(member=member, plan=plan("premium-pro"))


# --- subscription_start refusals -----------------------------------------------------------


def test_subscribing_when_already_subscribed_is_refused(clock, member):
    subscribe(member)

    with refused("You already have Premium Essentials. Change your plan instead.", Conflict):
        services.subscription_start(member=member, plan=plan("premium-pro"))


def test_subscribing_to_an_inactive_plan_is_refused(clock, member):
    Plan.objects.filter(slug="premium-pro").update(is_active=False)

    with refused("Premium Pro is no longer offered. Choose another plan."):
        services.subscription_start(member=member, plan=plan("premium-pro"))


def test_member_already_on_a_plan_made_inactive_keeps_it_and_its_allowances(clock, member):
    subscribe(member)
    Plan.objects.filter(slug="premium-essentials").update(is_active=False)

    clock.move_to(APR_14)

    assert balance(member) == 10
    assert live(member).plan.slug == "premium-essentials"


# --- subscription_cancel / subscription_reactivate -----------------------------------------


def test_cancelled_plan_and_its_credits_last_until_the_end_of_the_billing_month(clock, member):
    subscribe(member)
    services.open_profile_set(member=member, enabled=True)
    clock.move_to(APR_14)
    cancelled_at = APR_14 + timedelta(days=3)
    clock.move_to(cancelled_at)

    status = services.subscription_cancel(member=member)

    assert status.plan == plan("premium-essentials")
    assert status.balance == 10
    assert status.ends_at == MAY_14
    assert status.next_allowance_at is None
    sub = live(member)
    assert (sub.status, sub.cancelled_at, sub.ended_at) == ("cancelled", cancelled_at, None)

    clock.move_to(MAY_14 - SECOND)
    spend(member, 4)
    assert balance(member) == 6
    assert Member.objects.get(pk=member.pk).open_profile is True


def test_cancelled_plan_ends_on_the_anniversary_with_its_credits_forfeited(clock, member):
    subscribe(member)
    services.open_profile_set(member=member, enabled=True)
    clock.move_to(APR_14)
    spend(member, 1)
    services.subscription_cancel(member=member)

    clock.move_to(MAY_14)
    status = services.premium_status(member=member)

    assert status.subscription is None
    assert status.balance == 0
    assert balance(member) == 0
    assert entries(member)[-1] == (Reason.FORFEIT, -9, 0, MAY_14)
    forfeit = last_entry(member)
    assert forfeit.note == "Premium Essentials ended"
    # Ended by the passing of time, not by anyone.
    assert forfeit.actor is None
    # No allowance for the month that never began.
    assert not CreditGrant.objects.filter(member=member, billing_month=2).exists()
    sub = Subscription.objects.get(member=member)
    assert (sub.status, sub.ended_at, sub.end_reason) == ("ended", MAY_14, "cancelled")
    assert Member.objects.get(pk=member.pk).open_profile is False
    assert not CreditGrant.objects.filter(member=member, remaining__gt=0).exists()


def test_credits_expiring_before_a_cancelled_plan_ends_are_written_off_as_expired(clock, member):
    subscribe(member)
    clock.move_to(MAY_14)
    services.subscription_cancel(member=member)

    clock.move_to(JUL_14)
    services.premium_status(member=member)

    # The first lot expired on Jun 12, before the plan ended on Jun 14; the others were forfeited.
    assert entries(member)[-2:] == [
        (Reason.EXPIRY, -5, 10, JUN_12),
        (Reason.FORFEIT, -10, 0, JUN_14),
    ]
    assert balance(member) == 0


def test_cancelling_twice_is_refused_naming_the_end_date(clock, member):
    subscribe(member)
    services.subscription_cancel(member=member)

    with refused("Premium Essentials is already cancelled; it ends on Apr 14, 2026.", Conflict):
        services.subscription_cancel(member=member)


def test_cancelling_without_a_plan_is_refused(clock, member):
    with refused("There is no Premium plan to cancel.", Conflict):
        services.subscription_cancel(member=member)


def test_reactivating_keeps_the_billing_months_and_forfeits_nothing(clock, member):
    subscribe(member)
    services.subscription_cancel(member=member)
    clock.move_to(START + timedelta(days=20))

    status = services.subscription_reactivate(member=member)

    assert status.subscription.status == "active"
    assert status.subscription.cancelled_at is None
    assert status.next_allowance_at == APR_14
    clock.move_to(APR_14)
    assert balance(member) == 10
    assert live(member).started_at == START
    assert not LedgerEntry.objects.filter(reason=Reason.FORFEIT).exists()


@pytest.mark.parametrize("situation", ["never subscribed", "active plan", "ended plan"])
def test_reactivating_without_a_cancelled_plan_is_refused(clock, member, situation):
    if situation != "never subscribed":
        subscribe(member)
    if situation == "ended plan":
        services.subscription_cancel(member=member)
        clock.move_to(APR_14)
        services.premium_status(member=member)

    with refused("There is no cancelled plan to reactivate.", Conflict):
        services.subscription_reactivate(member=member)


def test_member_can_subscribe_again_after_a_cancelled_plan_ended(clock, member):
    subscribe(member)
    services.subscription_cancel(member=member)
    again = APR_14 + timedelta(days=5)
    clock.move_to(again)

    status = services.subscription_start(member=member, plan=plan("premium-pro"))

    assert status.balance == 15
    assert status.next_allowance_at == datetime(2026, 5, 19, 9, 30, tzinfo=UTC)
    assert entries(member)[-2:] == [
        (Reason.FORFEIT, -5, 0, APR_14),
        (Reason.GRANT, 15, 15, again),
    ]
    assert Subscription.objects.filter(member=member).count() == 2
    assert balance(member) == 15


# --- credits_spend -------------------------------------------------------------------------


def test_spend_takes_the_credit_that_expires_soonest(clock, member):
    subscribe(member)
    clock.move_to(APR_14)
    services.credits_return(member=member)
    first, second, credit_back = CreditGrant.objects.filter(member=member).order_by("expires_at")

    taken = [services.credits_spend(member=member, note=f"InMail {n}").grant for n in range(11)]

    assert taken == [first] * 5 + [second] * 5 + [credit_back]
    entry = last_entry(member)
    assert (entry.reason, entry.amount, entry.balance_after) == (Reason.SPEND, -1, 0)
    assert (entry.note, entry.actor) == ("InMail 10", member)


def test_spending_at_zero_is_refused_naming_the_next_allowance(clock, member):
    subscribe(member)
    spend(member, 5)

    with refused("You have no InMail credits left. Your next 5 arrive on Apr 14, 2026.", Conflict):
        services.credits_spend(member=member)


def test_spending_at_zero_names_the_next_allowance_of_the_current_plan(clock, member):
    subscribe(member, "recruiter-lite")
    spend(member, 30)
    clock.move_to(APR_14 + timedelta(days=2))
    spend(member, 30)

    with refused("You have no InMail credits left. Your next 30 arrive on May 14, 2026.", Conflict):
        services.credits_spend(member=member)


def test_spending_at_zero_on_a_cancelled_plan_says_no_more_credits_will_come(clock, member):
    subscribe(member)
    spend(member, 5)
    services.subscription_cancel(member=member)

    with refused(
        "You have no InMail credits left, and your Premium Essentials plan ends on "
        "Apr 14, 2026 without another allowance.",
        Conflict,
    ):
        services.credits_spend(member=member)


def test_spending_without_a_plan_is_refused(clock, member):
    with refused(services.NO_PLAN, NotAllowed):
        services.credits_spend(member=member)


def test_spending_after_a_cancelled_plan_ended_is_refused_and_writes_nothing(clock, member):
    subscribe(member)
    services.subscription_cancel(member=member)
    clock.move_to(APR_14 + timedelta(days=1))

    # Not even the end of the plan: a refusal rolls back the settlement it started with.
    with refused(services.NO_PLAN, NotAllowed):
        services.credits_spend(member=member)

    assert balance(member) == 0


# --- credits_return ------------------------------------------------------------------------


def test_credit_back_adds_a_new_lot_expiring_90_days_later(clock, member):
    subscribe(member)
    spend(member, 2)
    returned_at = START + timedelta(days=40)
    clock.move_to(returned_at)

    entry = services.credits_return(member=member, note="Grace replied")

    lot = entry.grant
    assert (lot.kind, lot.amount, lot.remaining, lot.subscription) == ("credit_back", 1, 1, None)
    assert (lot.granted_at, lot.expires_at) == (returned_at, returned_at + CREDIT_LIFETIME)
    assert (entry.reason, entry.amount, entry.balance_after) == (Reason.CREDIT_BACK, 1, 9)
    assert entry.note == "Grace replied"
    assert balance(member) == 9

    # The credit back outlives the allowance whose credit it replaces.
    clock.move_to(JUN_12)
    assert CreditGrant.objects.get(pk=lot.pk).remaining == 1
    clock.move_to(returned_at + CREDIT_LIFETIME)
    balance(member)
    assert CreditGrant.objects.get(pk=lot.pk).remaining == 0


def test_credit_back_without_a_plan_does_nothing(clock, member):
    before = snapshot()

    assert services.credits_return(member=member, note="Grace replied") is None

    assert snapshot() == before


def test_credit_back_at_the_cap_records_a_credit_back_of_zero(clock, member):
    subscribe(member)
    clock.move_to(MAY_14)
    assert balance(member) == 15

    entry = services.credits_return(member=member, note="Grace replied")

    assert (entry.reason, entry.amount, entry.balance_after) == (Reason.CREDIT_BACK, 0, 15)
    assert entry.note == "Grace replied (balance at its cap of 15)"
    assert entry.grant is None
    assert CreditGrant.objects.filter(member=member).count() == 3
    assert balance(member) == 15


def test_credit_back_on_a_cancelled_plan_before_it_ends_is_returned(clock, member):
    subscribe(member)
    spend(member)
    services.subscription_cancel(member=member)

    entry = services.credits_return(member=member)

    assert entry.amount == 1
    assert balance(member) == 5


# --- credits_adjust ------------------------------------------------------------------------


def test_staff_adjustment_adds_credits_expiring_in_90_days_with_the_reason(clock, member, staff):
    subscribe(member)
    spend(member, 3)

    entry = services.credits_adjust(
        member=member, amount=4, reason="  Refund for a bounced InMail ", actor=staff
    )

    assert (entry.reason, entry.amount, entry.balance_after) == (Reason.ADJUSTMENT, 4, 6)
    assert (entry.note, entry.actor) == ("Refund for a bounced InMail", staff)
    lot = entry.grant
    assert (lot.kind, lot.amount, lot.remaining, lot.billing_month) == ("adjustment", 4, 4, None)
    assert lot.expires_at == START + CREDIT_LIFETIME
    assert balance(member) == 6


def test_staff_adjustment_removes_the_credits_that_expire_soonest(clock, member, staff):
    subscribe(member)
    clock.move_to(APR_14)
    spend(member, 2)
    first, second = CreditGrant.objects.filter(member=member).order_by("expires_at")

    entry = services.credits_adjust(member=member, amount=-4, reason="Abuse", actor=staff)

    assert (entry.reason, entry.amount, entry.balance_after) == (Reason.ADJUSTMENT, -4, 4)
    assert (entry.note, entry.actor) == ("Abuse", staff)
    # Two lots changed: one entry for both, tied to neither.
    assert entry.grant is None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.remaining, second.remaining) == (0, 4)
    assert balance(member) == 4


def test_staff_adjustment_up_to_exactly_the_cap_is_accepted(clock, member, staff):
    subscribe(member)

    services.credits_adjust(member=member, amount=10, reason="Goodwill", actor=staff)

    assert balance(member) == 15


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_staff_adjustment_without_a_reason_is_refused(clock, member, staff, reason):
    subscribe(member)

    with refused("Give a reason for the adjustment; the member sees it in their history."):
        services.credits_adjust(member=member, amount=1, reason=reason, actor=staff)


def test_staff_adjustment_with_a_too_long_reason_is_refused(clock, member, staff):
    subscribe(member)

    with refused("The reason can be at most 200 characters."):
        services.credits_adjust(member=member, amount=1, reason="x" * 201, actor=staff)


def test_staff_adjustment_of_zero_is_refused(clock, member, staff):
    subscribe(member)

    with refused("An adjustment must add or remove at least one credit."):
        services.credits_adjust(member=member, amount=0, reason="Nothing", actor=staff)


def test_staff_adjustment_below_zero_is_refused(clock, member, staff):
    subscribe(member)
    spend(member, 3)

    with refused("Ada Lovelace has 2 credits; removing 3 would take the balance below zero."):
        services.credits_adjust(member=member, amount=-3, reason="Abuse", actor=staff)


def test_staff_adjustment_below_zero_from_one_credit_says_credit_in_the_singular(
    clock, member, staff
):
    subscribe(member)
    spend(member, 4)

    with refused("Ada Lovelace has 1 credit; removing 2 would take the balance below zero."):
        services.credits_adjust(member=member, amount=-2, reason="Abuse", actor=staff)


def test_staff_adjustment_past_the_cap_is_refused(clock, member, staff):
    subscribe(member)

    with refused(
        "Ada Lovelace has 5 of at most 15 credits on Premium Essentials; adding 11 would pass "
        "the cap."
    ):
        services.credits_adjust(member=member, amount=11, reason="Goodwill", actor=staff)


@pytest.mark.parametrize("amount", [1, -1])
def test_staff_adjustment_for_a_member_without_a_plan_is_refused(clock, member, staff, amount):
    message = {
        1: "Ada Lovelace has no Premium plan: credits come only with a plan.",
        -1: "Ada Lovelace has 0 credits; removing 1 would take the balance below zero.",
    }[amount]

    with refused(message):
        services.credits_adjust(member=member, amount=amount, reason="Goodwill", actor=staff)


# --- plans edited by staff -----------------------------------------------------------------


def test_editing_a_plans_monthly_credits_applies_from_the_next_allowance(clock, member, other):
    subscribe(member)
    subscribe(other)
    spend(other, 5)
    essentials = plan("premium-essentials")
    essentials.monthly_credits = 8
    essentials.save()

    clock.move_to(APR_14 - SECOND)
    assert balance(member) == 5
    with refused("You have no InMail credits left. Your next 8 arrive on Apr 14, 2026.", Conflict):
        services.credits_spend(member=other)

    clock.move_to(APR_14)
    assert balance(member) == 13
    assert balance(other) == 8
    assert CreditGrant.objects.get(member=member, billing_month=0).amount == 5


def test_lowering_a_plans_cap_keeps_credits_held_but_grants_nothing_above_it(clock, member):
    subscribe(member)
    clock.move_to(APR_14)
    assert balance(member) == 10
    Plan.objects.filter(slug="premium-essentials").update(balance_cap=8)

    clock.move_to(MAY_14)
    status = services.premium_status(member=member)

    assert status.balance == 10
    assert entries(member)[-1] == (Reason.GRANT, 0, 10, MAY_14)
    assert services.credits_return(member=member).amount == 0


# --- settling: lazily, by premium_status, by grant_credits ---------------------------------


def grant_credits():
    out = StringIO()
    call_command("grant_credits", stdout=out)
    return out.getvalue()


def test_reading_the_status_again_and_again_writes_nothing_more(clock, member):
    subscribe(member)
    clock.move_to(JUL_14 + timedelta(days=3))
    first = services.premium_status(member=member)
    ledger = entries(member)
    subscriptions = list(Subscription.objects.values_list())

    for _ in range(5):
        assert services.premium_status(member=member) == first

    assert entries(member) == ledger
    assert list(Subscription.objects.values_list()) == subscriptions


def test_grant_credits_run_twice_at_the_same_moment_settles_nobody_the_second_time(
    clock, member, other
):
    subscribe(member)
    subscribe(other, "premium-pro")
    clock.move_to(MAY_14)

    first = grant_credits()
    second = grant_credits()

    assert first.startswith("Settled 2 members: 4 ledger entries written")
    assert second.startswith("Settled 0 members: 0 ledger entries written")
    assert balance(member) == 15
    assert balance(other) == 45


def test_grant_credits_counts_one_member_and_one_entry_in_the_singular(clock, member):
    subscribe(member)
    clock.move_to(APR_14)

    assert grant_credits().startswith("Settled 1 member: 1 ledger entry written")


def test_grant_credits_skips_members_with_nothing_due(clock, member, other):
    subscribe(member)
    clock.move_to(START + timedelta(days=1))

    assert grant_credits().startswith("Settled 0 members: 0 ledger entries written")


def test_grant_credits_enqueue_hands_the_settlement_to_the_task_worker(clock, member):
    subscribe(member)
    clock.move_to(APR_14)
    out = StringIO()

    # The tests' immediate backend runs the task as it is enqueued; in production the worker does.
    call_command("grant_credits", "--enqueue", stdout=out)

    assert out.getvalue().startswith("Enqueued the credit settlement (task ")
    assert entries(member)[-1] == (Reason.GRANT, 5, 10, APR_14)


def attempt(service, **arguments):
    # A refusal (no credits left) is part of the story: it must be refused in every run.
    try:
        service(**arguments)
    except DomainError as error:
        return error.message
    return None


class _Rollback(Exception):
    pass


def history_settled(settle):
    """Three members' ledgers over eight months, settled by `settle(day, members)` between
    their own actions; everything is rolled back afterwards so that each way starts afresh."""
    with time_machine.travel(START, tick=False) as clock:
        try:
            with transaction.atomic():
                ada, grace, alan = members = [MemberFactory() for _ in range(3)]
                subscribe(ada)
                clock.shift(timedelta(days=2))
                subscribe(grace, "recruiter-lite")
                spend(ada, 4)
                for day in range(3, 245):
                    clock.move_to(START + timedelta(days=day, hours=day % 7))
                    if day == 17:
                        subscribe(alan, "premium-pro")
                    if day % 9 == 0:
                        attempt(services.credits_spend, member=ada)
                        for _ in range(3):
                            attempt(services.credits_spend, member=grace)
                    if day % 13 == 0:
                        services.credits_return(member=grace)
                    if day == 40:
                        services.subscription_cancel(member=alan)
                    if day == 100:
                        services.subscription_change(member=ada, plan=plan("premium-business"))
                    if day == 120:
                        services.subscription_start(member=alan, plan=plan("premium-essentials"))
                    settle(day, members)
                for each in members:
                    balance(each)
                ledgers = [
                    [
                        # Members differ from run to run: the actor is the member or nobody.
                        (*row[:-1], "member" if row[-1] == each.pk else row[-1])
                        for row in LedgerEntry.objects.filter(member=each)
                        .order_by("created_at", "id")
                        .values_list(
                            "reason", "amount", "balance_after", "created_at", "note", "actor"
                        )
                    ]
                    for each in members
                ]
                raise _Rollback
        except _Rollback:
            pass
    return ledgers


def test_grant_credits_in_any_order_writes_the_same_ledger_as_settling_lazily(db):
    def lazily(day, members):
        pass

    def command_daily_and_twice(day, members):
        grant_credits()
        grant_credits()

    def command_after_jumps(day, members):
        if day % 61 == 0:
            grant_credits()

    def members_in_reverse(day, members):
        if day % 5 == 0:
            for each in reversed(members):
                services.premium_status(member=each)
            for each in members:
                balance(each)

    lazy = history_settled(lazily)

    assert sum(len(ledger) for ledger in lazy) > 60
    assert {row[0] for ledger in lazy for row in ledger} == {
        Reason.GRANT,
        Reason.SPEND,
        Reason.CREDIT_BACK,
        Reason.EXPIRY,
        Reason.FORFEIT,
    }
    assert history_settled(command_daily_and_twice) == lazy
    assert history_settled(command_after_jumps) == lazy
    assert history_settled(members_in_reverse) == lazy


def test_grant_credits_after_months_away_settles_every_member_like_reading_their_status(
    clock, member, other
):
    subscribe(member)
    subscribe(other, "sales-navigator-core")
    services.subscription_cancel(member=other)
    third = MemberFactory()
    subscribe(third, "premium-pro")
    clock.move_to(datetime(2026, 12, 1, tzinfo=UTC))

    grant_credits()
    after_command = {each.pk: entries(each) for each in (member, other, third)}
    grant_credits()

    assert {each.pk: entries(each) for each in (member, other, third)} == after_command
    assert balance(member) == 15
    assert balance(other) == 0
    assert balance(third) == 45
    assert {each.pk: entries(each) for each in (member, other, third)} == after_command


# --- open_profile_set ----------------------------------------------------------------------


def test_turning_on_open_profile_without_a_plan_is_refused(clock, member):
    with refused(services.OPEN_PROFILE_NEEDS_PREMIUM, NotAllowed):
        services.open_profile_set(member=member, enabled=True)

    assert member.open_profile is False


def test_premium_member_can_turn_open_profile_on_and_off(clock, member):
    subscribe(member)

    services.open_profile_set(member=member, enabled=True)
    assert Member.objects.get(pk=member.pk).open_profile is True
    assert member.open_profile is True

    services.open_profile_set(member=member, enabled=False)
    assert Member.objects.get(pk=member.pk).open_profile is False


def test_turning_open_profile_off_is_allowed_without_a_plan(clock, member):
    Member.objects.filter(pk=member.pk).update(open_profile=True)

    services.open_profile_set(member=member, enabled=False)

    assert Member.objects.get(pk=member.pk).open_profile is False


def test_the_first_allowance_records_who_started_the_plan(member, staff):
    services.subscription_start(
        member=member, plan=Plan.objects.get(slug="premium-pro"), actor=staff
    )

    grant = LedgerEntry.objects.get(member=member)
    assert (grant.reason, grant.amount, grant.actor) == (LedgerEntry.Reason.GRANT, 15, staff)
