"""Reads of plans, credits and the ledger.

Balances here are read as they stand in the database; call `services.premium_status` first
where the balance must be settled up to now (My Premium does).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Member
from core import queries, shared_cache
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription, add_months

HISTORY_PAGE_SIZE = 20
EXPIRING_SOON_DAYS = 30


def plans_offered() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True).order_by("order", "id")


PLANS_KEY = "premium:plans-offered:v1"
PLANS_SECONDS = 60 * 60


def plans_on_offer() -> list[Plan]:
    """`plans_offered()`, as every My Premium shows them: kept in the shared cache (Redis in
    production) until a plan is saved or deleted (`forget_plans`, on Plan's signals: the
    admin saves and deletes one plan at a time), and for an hour at most."""
    return cache.get_or_set(PLANS_KEY, lambda: list(plans_offered()), PLANS_SECONDS)


def forget_plans(**_signal) -> None:
    shared_cache.forget(PLANS_KEY)


def plan_offered(*, slug: str) -> Plan | None:
    return plans_offered().filter(slug=slug).first()


@dataclass(frozen=True)
class CheckoutPreview:
    """What starting or switching to a plan now would give: credits today, the next allowance
    (a month later for a start, the billing month's anniversary for a switch), and today's
    credits expiring 90 days from now."""

    next_allowance_at: datetime
    expires_at: datetime


def checkout_preview(*, subscription: Subscription | None = None) -> CheckoutPreview:
    """The dates the checkout page promises, were the member to confirm now. A change of plan
    keeps the billing month of the member's `subscription`: its next allowance is on time."""
    now = timezone.now()
    next_allowance_at = subscription.period_end if subscription else add_months(now, 1)
    return CheckoutPreview(next_allowance_at=next_allowance_at, expires_at=now + CREDIT_LIFETIME)


def credit_history(*, member: Member) -> QuerySet[LedgerEntry]:
    """The member's ledger, newest first, with who made each change."""
    return (
        LedgerEntry.objects.filter(member=member)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


# My Premium's first page of history: built and compiled by the ORM once per process.
_history_first_page = queries.Compiled(
    lambda *, member_id: credit_history(member=Member(pk=member_id))[:HISTORY_PAGE_SIZE],
    member_id=int,
)


def credit_history_first_page(*, member: Member) -> list[LedgerEntry]:
    return _history_first_page.instances(member_id=member.pk)


def credits_expiring(*, lots, limit: int = 6) -> list[dict]:
    """Credits left per expiry date, soonest first: `[{"day": date, "credits": n}, …]`.

    From `lots`, the member's lots with credits left soonest first (`PremiumStatus.lots`,
    already read for the balance), so the page needs no query of its own.
    """
    days: dict = {}
    now = timezone.now()
    for lot in lots:
        if lot.remaining > 0 and lot.expires_at > now:
            day = timezone.localdate(lot.expires_at)
            days[day] = days.get(day, 0) + lot.remaining
    return [{"day": day, "credits": credits} for day, credits in sorted(days.items())[:limit]]


def allowance_granted(*, member_id: int, since: datetime) -> int:
    """The monthly allowance credits granted to the member since `since`, spent or not.

    Credits back and staff adjustments are not allowances: they do not count.
    """
    total = CreditGrant.objects.filter(
        member_id=member_id, kind=CreditGrant.Kind.MONTHLY, granted_at__gte=since
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def is_premium(ref: str = "pk", *, moment: datetime | None = None) -> Exists:
    """For annotating members (`OuterRef(ref)` is the member): whether they are Premium now
    (or at `moment`)."""
    moment = queries.now() if moment is None else moment
    return Exists(
        Subscription.objects.premium_at(moment).filter(
            # The second condition, always true, refers to the member outside an equality:
            # PostgreSQL then reads each member's subscription through the index on member,
            # rather than hashing every Premium subscription of the site once per query
            # (2,500 rows at 10,000 members, 25,000 at 100,000: growing with the site).
            member=OuterRef(ref),
            member__gte=OuterRef(ref),
        )
    )


def member_is_premium(*, member: Member) -> bool:
    return Subscription.objects.premium_at(timezone.now()).filter(member=member).exists()


def _live_subscriptions():
    return Subscription.objects.live().filter(member=OuterRef("pk"))


def with_plan_and_balance(queryset: QuerySet[Member]) -> QuerySet[Member]:
    """Annotate members with `plan_name` and `credit_balance` (unexpired credits left).

    Correlated subqueries, so a page of members costs one query. The balance is as of the
    last settlement: `grant_credits` keeps everyone's current.
    """
    return queryset.annotate(
        plan_name=Subquery(_live_subscriptions().values("plan__name")[:1]),
        credit_balance=_balance_of(OuterRef("pk")),
    )


def plans_with_subscriber_counts(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    return queryset.annotate(
        subscriber_count=Count(
            "subscriptions",
            filter=Q(subscriptions__status__in=Subscription.LIVE_STATUSES),
        )
    )


def subscriptions_with_balance(queryset: QuerySet[Subscription]) -> QuerySet[Subscription]:
    """Annotate subscriptions with their member's `credit_balance`, as `with_plan_and_balance`.

    The balance is the member's, whichever of their subscriptions the row is.
    """
    return queryset.annotate(credit_balance=_balance_of(OuterRef("member_id")))


def _balance_of(member: OuterRef) -> Coalesce:
    """The unexpired credits left of the member `member` points at, as a correlated subquery."""
    total = (
        CreditGrant.objects.filter(member=member, remaining__gt=0, expires_at__gt=timezone.now())
        .order_by()
        .values("member")
        .annotate(total=Sum("remaining"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _due(plan: Plan | None) -> tuple[QuerySet[Subscription], QuerySet[CreditGrant]]:
    """The live subscriptions whose anniversary has come, and the lots expired with credits
    left (none when asked for a plan's members)."""
    now = timezone.now()
    due = Subscription.objects.live().filter(period_end__lte=now)
    if plan is not None:
        return due.filter(plan=plan), CreditGrant.objects.none()
    return due, CreditGrant.objects.filter(remaining__gt=0, expires_at__lte=now)


def members_due(*, plan: Plan | None = None) -> QuerySet[Member]:
    """Members with an anniversary, a plan end or an expiry that has come and is not settled.

    With `plan`: the members on that plan whose anniversary has come.
    """
    due, expiring = _due(plan)
    return (
        Member.objects.filter(Q(pk__in=due.values("member")) | Q(pk__in=expiring.values("member")))
        .order_by("pk")
        .only("pk")
    )


def member_ids_due(*, plan: Plan | None = None) -> list[int]:
    """The ids of `members_due`, in order.

    Read from the two indexes of what is due, not by testing every member: the cost follows
    what is due, not the number of members.
    """
    due, expiring = _due(plan)
    ids = (
        due.order_by()
        .values_list("member", flat=True)
        .union(expiring.order_by().values_list("member", flat=True))
        .order_by("member")
    )
    return list(ids)
