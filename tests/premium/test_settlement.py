"""grant_credits' batches write exactly what settling each member lazily writes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from accounts.models import Member
from premium import selectors, services, settlement
from premium.models import CreditGrant, LedgerEntry, Plan, Subscription
from tests.factories import MemberFactory, subscribe

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
# When the population is settled: a month and a day after most of it subscribed.
SETTLED_AT = START + timedelta(days=32)
DAY = timedelta(days=1)
Reason = LedgerEntry.Reason


class _Rollback(Exception):
    pass


def _population(clock) -> dict[str, Member]:
    """Members in every state settling meets, each left unsettled since its last request."""
    staff = MemberFactory(is_staff=True)
    members = {}

    def at(moment, name, slug=None):
        clock.move_to(moment)
        members[name] = member = MemberFactory()
        if slug:
            subscribe(member, slug)
        return member

    # Several months unsettled: five anniversaries, with lots expiring between them (the
    # first one's before the third anniversary's allowance), spends and a credit back.
    absent = at(START - timedelta(days=150), "five months unsettled", "premium-pro")
    clock.move_to(START - timedelta(days=140))
    services.credits_spend(member=absent)
    services.credits_return(member=absent)
    # A cancelled plan that ended two months ago, then its credits expired to nothing.
    gone = at(START - timedelta(days=70), "ended long ago", "recruiter-lite")
    services.subscription_cancel(member=gone)
    # Only an expiry due: a credit back of 95 days ago, the next anniversary still to come.
    expiring = at(SETTLED_AT - 116 * DAY, "only an expiry due", "premium-essentials")
    clock.move_to(SETTLED_AT - 95 * DAY)
    services.credits_return(member=expiring)
    clock.move_to(SETTLED_AT - 14 * DAY)
    services.premium_status(member=expiring)

    clock.move_to(START)
    for name, slug in [
        ("one allowance due", "premium-essentials"),
        ("spent some", "recruiter-lite"),
        ("at the cap", "premium-pro"),
        ("near the cap", "premium-essentials"),
        ("cancelled, with an Open Profile", "premium-business"),
        ("changed plan this month", "premium-essentials"),
        ("changed plan, then cancelled", "sales-navigator-core"),
    ]:
        members[name] = MemberFactory()
        subscribe(members[name], slug)
    services.credits_spend(member=members["spent some"])
    services.credits_adjust(member=members["at the cap"], amount=30, reason="Goodwill", actor=staff)
    services.credits_adjust(
        member=members["near the cap"], amount=8, reason="Goodwill", actor=staff
    )
    services.open_profile_set(member=members["cancelled, with an Open Profile"], enabled=True)
    services.subscription_cancel(member=members["cancelled, with an Open Profile"])
    clock.move_to(START + 10 * DAY)
    pro = Plan.objects.get(slug="premium-pro")
    services.subscription_change(member=members["changed plan this month"], plan=pro)
    changed = members["changed plan, then cancelled"]
    services.subscription_change(member=changed, plan=pro)
    services.subscription_cancel(member=changed)
    members["staff"] = staff
    at(START + 20 * DAY, "not due yet", "recruiter-lite")
    at(START + 20 * DAY, "free member")
    clock.move_to(SETTLED_AT)
    return members


def _state(members: dict[str, Member]):
    """Everything settling writes, with the members named and the lots by their content."""
    name = {member.pk: key for key, member in members.items()}
    lot_of = {
        lot.pk: (lot.kind, lot.billing_month, lot.amount, lot.granted_at)
        for lot in CreditGrant.objects.all()
    }
    ledger = [
        (name[member], reason, amount, balance_after, created_at, note, lot_of.get(grant))
        for member, reason, amount, balance_after, created_at, note, grant in (
            LedgerEntry.objects.order_by("member", "created_at", "id").values_list(
                "member", "reason", "amount", "balance_after", "created_at", "note", "grant"
            )
        )
    ]
    lots = sorted(
        (name[member], *rest)
        for member, *rest in CreditGrant.objects.values_list(
            "member", "kind", "billing_month", "amount", "remaining", "granted_at", "expires_at"
        )
    )
    subscriptions = sorted(
        (name[member], *rest)
        for member, *rest in Subscription.objects.values_list(
            "member",
            "plan__slug",
            "status",
            "billing_month",
            "period_start",
            "period_end",
            "ended_at",
            "end_reason",
        )
    )
    open_profiles = sorted(
        name[pk] for pk in Member.objects.filter(open_profile=True).values_list("pk", flat=True)
    )
    return ledger, lots, subscriptions, open_profiles


def settled_by(settle):
    """The population settled by `settle(members)` at SETTLED_AT: what it returned and wrote.
    Rolled back afterwards, so that each way of settling starts from the same population."""
    with time_machine.travel(START, tick=False) as clock:
        try:
            with transaction.atomic():
                members = _population(clock)
                assert members["cancelled, with an Open Profile"].open_profile
                settled = settle(list(members.values()))
                state = _state(members)
                raise _Rollback
        except _Rollback:
            return settled, *state


def one_by_one(members):
    due = selectors.members_due().count()
    for member in members:
        services.premium_status(member=member)
    return due


def test_batches_write_what_the_lazy_settlement_writes():
    batched = settled_by(lambda members: settlement.settle_due(batch_size=3))
    lazily = settled_by(one_by_one)

    assert batched == lazily
    settled, ledger, lots, subscriptions, open_profiles = batched

    # Everyone but the staff member, the free member and the one not due yet.
    assert settled == 10
    assert open_profiles == []

    def history(name):
        return [entry[1:4] for entry in ledger if entry[0] == name]

    def plans(name):
        return [sub[1:4] for sub in subscriptions if sub[0] == name]

    # What each member of the population meets, settled the same either way.
    assert history("one allowance due")[-1] == (Reason.GRANT, 5, 10)
    assert history("at the cap")[-1] == (Reason.GRANT, 0, 45)
    assert history("near the cap")[-1] == (Reason.GRANT, 2, 15)
    assert history("only an expiry due")[-1] == (Reason.EXPIRY, -1, 14)
    assert plans("only an expiry due") == [("premium-essentials", "active", 3)]
    assert history("changed plan this month")[-1] == (Reason.GRANT, 15, 30)
    assert history("cancelled, with an Open Profile")[-1] == (Reason.FORFEIT, -15, 0)
    assert plans("changed plan, then cancelled") == [
        ("premium-pro", "ended", 0),
        ("sales-navigator-core", "ended", 0),
    ]
    assert history("ended long ago")[-1] == (Reason.FORFEIT, -30, 0)
    # Six allowances (one capped) with five lots expiring between them.
    absent = history("five months unsettled")
    grants = [amount for reason, amount, _ in absent if reason == Reason.GRANT]
    assert grants == [15, 15, 15, 14, 15, 15, 15]
    assert [amount for reason, amount, _ in absent if reason == Reason.EXPIRY] == [
        -14, -1, -15, -15, -14
    ]  # fmt: skip
    assert plans("five months unsettled") == [("premium-pro", "active", 6)]
    assert plans("not due yet") == [("recruiter-lite", "active", 0)]


def test_a_second_run_finds_nothing_due(member, other):
    with time_machine.travel(START, tick=False) as clock:
        subscribe(member)
        subscribe(other, "premium-pro")
        clock.move_to(START + timedelta(days=32))

        assert settlement.settle_due() == 2
        assert settlement.settle_due() == 0

        assert services.premium_status(member=member).balance == 10
        assert services.premium_status(member=other).balance == 30
