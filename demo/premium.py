"""The demo's Premium members: who subscribes to which plan, when, and what they spent since.

About a quarter of the generated members are Premium, mostly on Essentials, a few of them with
an Open Profile: each subscribed within the billing month in progress, so their whole history
is the first allowance and maybe a few credits spent, written in bulk by `premium.bulk`
exactly as the services would have written it. The demo accounts other than free and admin
subscribe through `premium.services.subscription_start`, as a member would.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.management.base import CommandError

from accounts.models import Member
from core.errors import DomainError
from demo.text import DEMO_ACCOUNTS, PREMIUM_DEMO_ACCOUNTS
from premium import services as premium_services
from premium.bulk import NewSubscription, subscriptions_bulk_create
from premium.models import Plan

PREMIUM_SHARE = 0.25  # of the generated members
PLAN_WEIGHTS = {
    "premium-essentials": 45,
    "premium-pro": 20,
    "premium-business": 12,
    "recruiter-lite": 13,
    "sales-navigator-core": 10,
}
OPEN_PROFILE_RATE = 0.2  # of the Premium members (and at least one)
CANCELLED_RATE = 0.08  # of the Premium members (and at least one): running to the month's end
# Every generated subscription started within its first billing month: no month is shorter
# than 28 days, so the first anniversary is still to come and nothing is left to settle.
SUBSCRIBED_MAX_DAYS = 27
SUBSCRIBED_MAX_MINUTES = timedelta(days=SUBSCRIBED_MAX_DAYS) // timedelta(minutes=1)


@dataclass(frozen=True)
class Subscriber:
    """A generated member's plan, subscribed within the billing month in progress."""

    member: int  # index into profiles
    plan: str  # slug
    started: int  # minutes ago
    # Credits spent since, at most the whole allowance (None: all of it, however many).
    spent: int | None
    cancelled: int | None  # minutes ago, after `started`
    open_profile: bool


def draw_subscribers(rng: random.Random, *, generated: range) -> list[Subscriber]:
    members = sorted(rng.sample(generated, round(len(generated) * PREMIUM_SHARE)))
    # Shares rather than independent draws, so that even a small crowd has the mix.
    shares = _apportion(PLAN_WEIGHTS, len(members))
    plans = [slug for slug, count in shares.items() for _ in range(count)]
    rng.shuffle(plans)
    open_profiles = set(rng.sample(members, _share(OPEN_PROFILE_RATE, len(members))))
    cancelled = set(rng.sample(members, _share(CANCELLED_RATE, len(members))))
    subscribers = []
    for member, plan in zip(members, plans, strict=True):
        started = rng.randrange(60, SUBSCRIBED_MAX_MINUTES)
        draw = rng.random()
        # Many have not written an InMail yet, a few have used their whole allowance.
        spent = 0 if draw < 0.45 else None if draw >= 0.9 else rng.randint(1, 3)
        subscribers.append(
            Subscriber(
                member=member,
                plan=plan,
                started=started,
                spent=spent,
                cancelled=rng.randrange(1, started) if member in cancelled else None,
                open_profile=member in open_profiles,
            )
        )
    return subscribers


def _share(rate: float, total: int) -> int:
    """`rate` of `total`, and at least one of any."""
    return max(1, round(rate * total)) if total else 0


def _apportion(weights: dict[str, int], total: int) -> dict[str, int]:
    """`total` split in proportion to `weights`, the largest remainders rounded up."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(share) for key, share in exact.items()}
    by_remainder = sorted(exact, key=lambda key: counts[key] - exact[key])
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def demo_plans() -> dict[str, Plan]:
    """The plans of the demo data by slug; refused, before anything is written, if one is gone."""
    wanted = set(PLAN_WEIGHTS) | {account.plan for account in PREMIUM_DEMO_ACCOUNTS}
    plans = Plan.objects.in_bulk(wanted, field_name="slug")
    if missing := sorted(wanted - set(plans)):
        raise CommandError(
            f"The plans {', '.join(missing)} are missing: the migrations create them "
            "(manage.py migrate). Nothing was written."
        )
    return plans


def write_subscribers(
    subscribers: Sequence[Subscriber], *, pks: list[int], plans: dict[str, Plan], now: datetime
) -> None:
    """Each subscription with its first allowance and the credits spent from it since, spread
    evenly between the subscription's start and now, oldest first."""
    subscriptions = []
    for subscriber in subscribers:
        plan = plans[subscriber.plan]
        spent = plan.monthly_credits
        if subscriber.spent is not None:
            spent = min(subscriber.spent, spent)
        subscriptions.append(
            NewSubscription(
                member_id=pks[subscriber.member],
                plan=plan,
                started_at=now - timedelta(minutes=subscriber.started),
                cancelled_at=None
                if subscriber.cancelled is None
                else now - timedelta(minutes=subscriber.cancelled),
                spent_at=tuple(
                    now - timedelta(minutes=subscriber.started * (spent + 1 - number) / (spent + 1))
                    for number in range(1, spent + 1)
                ),
            )
        )
    subscriptions_bulk_create(subscriptions)


def subscribe_demo_accounts(pks: list[int], plans: dict[str, Plan]) -> None:
    """The demo accounts subscribe as members do: exactly one month's credits, starting now."""
    index = {account.email: pks[i] for i, account in enumerate(DEMO_ACCOUNTS)}
    members = Member.objects.in_bulk([index[account.email] for account in PREMIUM_DEMO_ACCOUNTS])
    for account in PREMIUM_DEMO_ACCOUNTS:
        try:
            premium_services.subscription_start(
                member=members[index[account.email]], plan=plans[account.plan]
            )
        except DomainError as error:  # a plan that staff made inactive, say
            raise CommandError(f"{account.email}: {error} Nothing was written.") from error
