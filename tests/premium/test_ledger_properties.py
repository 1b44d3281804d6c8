"""Whatever members, staff and the passing of time do, the ledger explains the balance exactly,
and no billing month ever grants more than one allowance.

Hypothesis drives random sequences of operations on one member. After every step the balance
is settled inside a savepoint that is then rolled back, so that the checks change nothing and
the next operation still finds the member unsettled, as a real request would.
"""

from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from core.errors import DomainError
from premium import services
from premium.models import CreditGrant, LedgerEntry, Plan, Subscription, add_months
from tests.factories import MemberFactory

STARTS = [
    # The 31st, so that billing months run through the short months too.
    datetime(2026, 1, 31, 8, 45, tzinfo=UTC),
    # Dec 1 + 90 days is Mar 1: the first allowance expires on the third anniversary.
    datetime(2025, 12, 1, 8, 45, tzinfo=UTC),
    datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC),
]
SLUGS = [
    "premium-essentials",
    "premium-pro",
    "premium-business",
    "recruiter-lite",
    "sales-navigator-core",
]

operations = st.one_of(
    st.just(("grant",)),
    st.just(("spend",)),
    st.just(("credit_back",)),
    # An index among the active plans other than the member's own.
    st.tuples(st.just("change"), st.integers(min_value=0, max_value=len(SLUGS) - 2)),
    # Switching again and again is how credits were farmed: drawn more often.
    st.tuples(st.just("change"), st.integers(min_value=0, max_value=len(SLUGS) - 2)),
    # Staff changing the plan from the admin, past the one-change-a-month rule.
    st.tuples(st.just("override"), st.integers(min_value=0, max_value=len(SLUGS) - 2)),
    st.just(("cancel",)),
    st.just(("reactivate",)),
    st.tuples(st.just("subscribe"), st.sampled_from(SLUGS)),
    st.tuples(
        st.just("adjust"),
        st.integers(min_value=-20, max_value=20),
        st.sampled_from(["Goodwill", "  ", ""]),
    ),
    # Adjustments to just below, at and just past zero or the cap: the edges of the rules.
    st.tuples(
        st.just("adjust_to"),
        st.sampled_from(["zero", "cap"]),
        st.integers(min_value=-1, max_value=1),
    ),
    # Credits back at the cap and spends at zero: drawn more often, they are where bugs hide.
    st.just(("credit_back",)),
    st.just(("spend",)),
    st.tuples(
        st.just("wait"),
        st.integers(min_value=0, max_value=120),
        st.integers(min_value=0, max_value=23),
    ),
    st.just(("grant_credits",)),
)


class _Rollback(Exception):
    pass


def snapshot():
    return {
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list()),
        "grants": list(CreditGrant.objects.order_by("pk").values_list()),
        "subscriptions": list(Subscription.objects.order_by("pk").values_list()),
    }


def ledger_total(member):
    total = LedgerEntry.objects.filter(member=member).aggregate(total=Sum("amount"))["total"]
    return total or 0


def lots_total(member, **filters):
    lots = CreditGrant.objects.filter(member=member, **filters)
    return lots.aggregate(total=Sum("remaining"))["total"] or 0


def check_allowances(member, anchors, now):
    """The allowances granted within any billing month never exceed the largest monthly
    allowance among the plans the member held in that month.

    The billing months are the test's own: a month from each moment the member started a plan
    (a plan change keeps them), whatever the services store.
    """
    grants = list(
        CreditGrant.objects.filter(member=member, kind=CreditGrant.Kind.MONTHLY).values_list(
            "granted_at", "amount"
        )
    )
    held = [
        (sub.changed_at or sub.started_at, sub.ended_at or now, sub.plan.monthly_credits)
        for sub in Subscription.objects.filter(member=member).select_related("plan")
    ]
    for anchor in anchors:
        month = 0
        while (start := add_months(anchor, month)) <= now:
            end = add_months(anchor, month + 1)
            granted = sum(amount for at, amount in grants if start <= at < end)
            largest = max(
                (credits for since, until, credits in held if since < end and until >= start),
                default=0,
            )
            assert granted <= largest, f"{granted} granted from {start}, at most {largest}"
            month += 1


def check_invariants(member, status, anchors):
    now = timezone.now()
    balance = status.balance
    assert balance >= 0
    assert balance <= (status.plan.balance_cap if status.plan else 0)
    assert balance == lots_total(member, expires_at__gt=now)
    assert balance == ledger_total(member)
    latest = LedgerEntry.objects.filter(member=member).order_by("-created_at", "-id").first()
    assert balance == (latest.balance_after if latest else 0)
    assert not CreditGrant.objects.filter(member=member, remaining__gt=0, expires_at__lte=now)
    check_allowances(member, anchors, now)


def settled_state(member, anchors):
    """The member's status as settling now finds it, checked, then rolled back.

    Rolling back keeps the check from settling anything itself: the next operation finds
    the member as a real request would, with expiries and anniversaries still to settle.
    """
    # Even unsettled, the ledger explains what is left in the lots to the credit.
    assert ledger_total(member) == lots_total(member)
    try:
        with transaction.atomic():
            status = services.premium_status(member=member)
            check_invariants(member, status, anchors)
            sub = status.subscription
            # Read while settled: the allowances of this billing month so far.
            granted = sub and lots_granted_since(member.pk, sub.period_start)
            raise _Rollback
    except _Rollback:
        pass
    return status, granted


def change_target(plans, status, index):
    others = [slug for slug in SLUGS if status.plan is None or slug != status.plan.slug]
    return plans[others[index % len(others)]]


def changed_this_month(status, changes):
    sub = status.subscription
    return sub is not None and any(at >= sub.period_start for at in changes)


def balance_after_change(status, granted, target):
    """What a change leaves: the credits under the new cap, and this month's allowance (of
    which `granted` so far) topped up to the new plan's, never granted twice."""
    kept = min(status.balance, target.balance_cap)
    return kept + max(0, min(target.monthly_credits - granted, target.balance_cap - kept))


def lots_granted_since(member_id, since):
    lots = CreditGrant.objects.filter(
        member_id=member_id, kind=CreditGrant.Kind.MONTHLY, granted_at__gte=since
    )
    return lots.aggregate(total=Sum("amount"))["total"] or 0


def expectation(operation, status, granted, plans, changes):
    """Whether the rules allow `operation` now, and the balance it leaves (None: unchecked).

    `granted`: this billing month's allowances so far; `changes`: when the member's plan was
    changed, by anyone.
    """
    plan, balance, sub = status.plan, status.balance, status.subscription
    match operation:
        case ("spend",):
            return plan is not None and balance > 0, balance - 1
        case ("credit_back",):
            # Without a plan it is not refused: nothing happens, and it returns None.
            if plan is None:
                return True, 0
            return True, balance + 1 if balance < plan.balance_cap else balance
        case ("change", index):
            if plan is None:
                return False, None
            allowed = not changed_this_month(status, changes)
            return allowed, balance_after_change(
                status, granted, change_target(plans, status, index)
            )
        case ("override", index):
            if plan is None:
                return False, None
            return True, balance_after_change(status, granted, change_target(plans, status, index))
        case ("cancel",):
            return plan is not None and not sub.is_cancelled, balance
        case ("reactivate",):
            return sub is not None and sub.is_cancelled, balance
        case ("subscribe", slug):
            return plan is None, plans[slug].monthly_credits
        case ("adjust", amount, reason):
            return adjustment_allowed(status, amount, reason), balance + amount
        case ("adjust_to", _edge, _offset):
            amount = adjustment_to(operation, status)
            return adjustment_allowed(status, amount, "Goodwill"), balance + amount
    return True, None


def adjustment_allowed(status, amount, reason):
    plan, balance = status.plan, status.balance
    allowed = bool(reason.strip()) and amount != 0 and balance + amount >= 0
    if amount > 0:
        allowed = allowed and plan is not None and balance + amount <= plan.balance_cap
    return allowed


def adjustment_to(operation, status):
    """The amount that takes the balance to `offset` from zero or from the cap."""
    _name, edge, offset = operation
    cap = status.plan.balance_cap if status.plan else 0
    return (0 if edge == "zero" else cap) + offset - status.balance


def perform(operation, *, member, staff, clock, status, plans):
    match operation:
        case ("grant",):
            # To the next anniversary, or a month on for a member without a plan.
            if status.subscription is not None:
                clock.move_to(status.subscription.period_end)
            else:
                clock.shift(timedelta(days=30))
        case ("wait", days, hours):
            clock.shift(timedelta(days=days, hours=hours))
        case ("grant_credits",):
            call_command("grant_credits", stdout=StringIO())
        case ("spend",):
            services.credits_spend(member=member)
        case ("credit_back",):
            entry = services.credits_return(member=member)
            assert (entry is None) == (status.plan is None)
        case ("change", index):
            target = change_target(plans, status, index)
            services.subscription_change(member=member, plan=target, actor=member)
        case ("override", index):
            target = change_target(plans, status, index)
            services.subscription_change(member=member, plan=target, actor=staff, override=True)
        case ("cancel",):
            services.subscription_cancel(member=member)
        case ("reactivate",):
            services.subscription_reactivate(member=member)
        case ("subscribe", slug):
            services.subscription_start(member=member, plan=plans[slug])
        case ("adjust", amount, reason):
            services.credits_adjust(member=member, amount=amount, reason=reason, actor=staff)
        case ("adjust_to", _edge, _offset):
            amount = adjustment_to(operation, status)
            services.credits_adjust(member=member, amount=amount, reason="Goodwill", actor=staff)
        case _:
            raise AssertionError(f"Unknown operation {operation}")


class LedgerPropertyTests(TestCase):
    @settings(max_examples=80, deadline=None)
    @given(
        start=st.sampled_from(STARTS),
        first_plan=st.none() | st.sampled_from(SLUGS),
        steps=st.lists(operations, min_size=1, max_size=25),
    )
    def test_ledger_explains_every_balance_after_every_step(self, start, first_plan, steps):
        plans = {plan.slug: plan for plan in Plan.objects.all()}
        # When the member started a plan (their billing anchors) and when it was changed.
        anchors, changes = [], []
        with time_machine.travel(start, tick=False) as clock:
            member = MemberFactory()
            staff = MemberFactory(is_staff=True)
            if first_plan:
                services.subscription_start(member=member, plan=plans[first_plan])
                anchors.append(timezone.now())
            status, granted = settled_state(member, anchors)
            for operation in steps:
                allowed, balance = expectation(operation, status, granted, plans, changes)
                before = snapshot()
                try:
                    perform(
                        operation,
                        member=member,
                        staff=staff,
                        clock=clock,
                        status=status,
                        plans=plans,
                    )
                except DomainError:
                    assert not allowed, f"{operation} was refused"
                    assert snapshot() == before, f"the refused {operation} stored something"
                    balance = status.balance
                else:
                    assert allowed, f"{operation} should have been refused"
                    if operation[0] == "subscribe":
                        anchors.append(timezone.now())
                    elif operation[0] in ("change", "override"):
                        changes.append(timezone.now())
                # Nothing happens between steps: what this one leaves is what the next finds.
                status, granted = settled_state(member, anchors)
                if balance is not None:
                    assert status.balance == balance, operation
