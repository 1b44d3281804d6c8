"""Writes for subscriptions and credits. Each service is one transaction.

Every service first locks the member's row, then settles the member's credits up to now:
lots that expired are written off, the allowances of billing months that began since the last
settlement are granted, and a cancelled subscription past its end is ended. Settling is
idempotent, so it runs lazily whenever a balance is read and from `grant_credits` for everyone,
in any order, any number of times. The lock makes concurrent spends take turns: 20 spends at
once on a balance of 5 succeed exactly 5 times.
"""

from bisect import insort
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from accounts.models import Member
from core.errors import Conflict, DomainError, Invalid, NotAllowed
from core.queries import Compiled, first_row
from premium import selectors
from premium.models import (
    CREDIT_LIFETIME,
    LEDGER_NOTE_MAX_LENGTH,
    CreditGrant,
    LedgerEntry,
    Plan,
    Subscription,
    add_months,
)


def display_date(moment: datetime) -> str:
    """A date as messages show it, in the site's DATE_FORMAT: "Dec 26, 2026"."""
    return date_format(timezone.localtime(moment))


@dataclass(frozen=True)
class PremiumStatus:
    """A member's Premium state, settled up to now."""

    subscription: Subscription | None
    balance: int
    # The lots with credits left, soonest to expire first (for "When your credits expire").
    lots: tuple[CreditGrant, ...] = field(default=(), repr=False, compare=False)

    @property
    def plan(self) -> Plan | None:
        return self.subscription.plan if self.subscription else None

    @property
    def next_allowance_at(self) -> datetime | None:
        sub = self.subscription
        return sub.period_end if sub and not sub.is_cancelled else None

    @property
    def ends_at(self) -> datetime | None:
        sub = self.subscription
        return sub.period_end if sub and sub.is_cancelled else None

    @property
    def next_change_at(self) -> datetime | None:
        """When the member may change plan again, if not now: the next billing month."""
        sub = self.subscription
        return sub.period_end if sub and sub.changed_this_month else None


@dataclass(frozen=True)
class PlanChange:
    """What moving to `plan` now does to the balance: the checkout page says it first.

    A change keeps the billing month, so it never grants a second allowance: the month's is
    topped up to the new plan's (an upgrade adds the difference, a downgrade adds nothing), and
    credits above the new plan's cap are forfeited.
    """

    plan: Plan
    granted_this_month: int
    forfeited: int
    top_up: int


def _lot_order(lot):
    # Soonest expiry first; a lot written later (or not yet written: no id) after an older one.
    return lot.expires_at, lot.pk is None, lot.pk or 0


class _Credits:
    """A member's lots with credits left, loaded under the member's lock, and their ledger.

    The rules of taking, expiring and granting live here; each change is written at once.
    `premium.settlement` settles many members with the same rules and writes their changes
    together, by overriding the writes (the methods from `_new_lot` on).
    """

    def __init__(self, member_id: int, lots: list):
        self.member_id = member_id
        self.lots = lots
        self.balance = sum(lot.remaining for lot in self.lots)

    @classmethod
    def load(cls, member: Member) -> "_Credits":
        return cls(member.pk, _lots_left.instances(member_id=member.pk))

    def record(self, *, amount, reason, at, note="", actor=None, grant=None) -> LedgerEntry:
        self.balance += amount
        return self._new_entry(
            member_id=self.member_id,
            grant=grant,
            amount=amount,
            reason=reason,
            note=note[:LEDGER_NOTE_MAX_LENGTH],
            actor=actor,
            created_at=at,
            balance_after=self.balance,
        )

    def add(self, *, kind, amount, at, reason, subscription=None, billing_month=None, **entry):
        lot = self._new_lot(
            member_id=self.member_id,
            subscription=subscription,
            kind=kind,
            billing_month=billing_month,
            amount=amount,
            remaining=amount,
            granted_at=at,
            expires_at=at + CREDIT_LIFETIME,
        )
        if amount:
            insort(self.lots, lot, key=_lot_order)
        return self.record(amount=amount, reason=reason, at=at, grant=lot, **entry)

    def take(self, count: int, *, at, reason, **entry) -> LedgerEntry:
        """Take `count` credits from the lots that expire soonest: one entry for them all."""
        taken, left = [], count
        while left:
            lot = self.lots[0]
            used = min(left, lot.remaining)
            lot.remaining -= used
            left -= used
            taken.append(lot)
            if not lot.remaining:
                self.lots.pop(0)
        self._save_remaining(taken)
        grant = taken[0] if len(taken) == 1 else None
        return self.record(amount=-count, reason=reason, at=at, grant=grant, **entry)

    def expire_first(self) -> None:
        lot = self.lots.pop(0)
        amount, lot.remaining = lot.remaining, 0
        self._save_remaining([lot])
        self.record(amount=-amount, reason=LedgerEntry.Reason.EXPIRY, at=lot.expires_at, grant=lot)

    def forfeit(self, *, at, note, actor=None) -> int:
        amount = self.balance
        if amount:
            self.take(amount, at=at, reason=LedgerEntry.Reason.FORFEIT, note=note, actor=actor)
        return amount

    # The writes.

    def _new_lot(self, **fields) -> CreditGrant:
        return CreditGrant.objects.create(**fields)

    def _new_entry(self, **fields) -> LedgerEntry:
        return LedgerEntry.objects.create(**fields)

    def _save_remaining(self, lots: list) -> None:
        for lot in lots:
            lot.save(update_fields=["remaining"])

    def save_subscription(self, sub: Subscription, fields: list[str]) -> None:
        sub.save(update_fields=fields)

    def open_profile_off(self) -> None:
        Member.objects.filter(pk=self.member_id).update(open_profile=False)


def _lock(member: Member) -> None:
    # One member's credit writes take turns; different members never wait for each other.
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk").get()


def _live_subscription(member: Member) -> Subscription | None:
    return _live.instance(member_id=member.pk)


def _live_query(*, member_id: int):
    return first_row(Subscription.objects.live().select_related("plan").filter(member_id=member_id))


# Every page that shows a Premium status reads both (premium_status): built and compiled by
# the ORM once per process (core.queries.Compiled).
_live = Compiled(_live_query, member_id=int)
_lots_left = Compiled(
    lambda *, member_id: CreditGrant.objects.filter(member_id=member_id, remaining__gt=0).order_by(
        "expires_at", "id"
    ),
    member_id=int,
)


def _grant_month(sub: Subscription, credits: _Credits, *, actor: Member | None = None) -> None:
    """The allowance of the billing month in progress, as much of it as fits under the cap."""
    plan = sub.plan
    amount = max(0, min(plan.monthly_credits, plan.balance_cap - credits.balance))
    note = plan.name if amount == plan.monthly_credits else f"Balance capped at {plan.balance_cap}"
    credits.add(
        kind=CreditGrant.Kind.MONTHLY,
        amount=amount,
        at=sub.period_start,
        reason=LedgerEntry.Reason.GRANT,
        note=note,
        subscription=sub,
        billing_month=sub.billing_month,
        actor=actor,
    )


def _end(sub: Subscription, credits: _Credits, *, at, reason) -> None:
    sub.status = Subscription.Status.ENDED
    sub.ended_at = at
    sub.end_reason = reason
    credits.save_subscription(sub, ["status", "ended_at", "end_reason"])
    if reason == Subscription.EndReason.CANCELLED:
        credits.forfeit(at=at, note=f"{sub.plan.name} ended")
        credits.open_profile_off()


def _settle(sub: Subscription | None, credits: _Credits, now: datetime) -> Subscription | None:
    """Replay, in order of time, every expiry and anniversary due by `now` for the member of
    `credits`, whose live subscription is `sub`; return the one still live."""
    while True:
        expiry = credits.lots[0].expires_at if credits.lots else None
        boundary = sub.period_end if sub else None
        if expiry is not None and expiry <= now and (boundary is None or expiry <= boundary):
            # Credits expiring at the anniversary itself are gone before the new allowance.
            credits.expire_first()
        elif boundary is not None and boundary <= now:
            if sub.is_cancelled:
                _end(sub, credits, at=boundary, reason=Subscription.EndReason.CANCELLED)
                sub = None
            else:
                sub.billing_month += 1
                sub.period_start = boundary
                sub.period_end = sub.month_start(sub.billing_month + 1)
                credits.save_subscription(sub, ["billing_month", "period_start", "period_end"])
                _grant_month(sub, credits)
        else:
            return sub


def _settled(member: Member) -> tuple[_Credits, Subscription | None, datetime]:
    _lock(member)
    now = timezone.now()
    credits = _Credits.load(member)
    return credits, _settle(_live_subscription(member), credits, now), now


def _status(credits: _Credits, sub: Subscription | None) -> PremiumStatus:
    return PremiumStatus(subscription=sub, balance=credits.balance, lots=tuple(credits.lots))


def _is_due(credits: _Credits, sub: Subscription | None, now: datetime) -> bool:
    """Whether settling would change anything: a lot expired, or a billing month ended."""
    expired = bool(credits.lots) and credits.lots[0].expires_at <= now
    return expired or (sub is not None and sub.period_end <= now)


def premium_status(*, member: Member) -> PremiumStatus:
    """The member's plan and balance, settled up to now.

    Pages read it on every visit, and almost always nothing is due: then it is two plain
    reads. Only when an expiry or an anniversary has come does it settle, under the member's
    lock like every write. A write never trusts a status read before it: it settles again
    under the lock.
    """
    credits, sub = _Credits.load(member), _live_subscription(member)
    if _is_due(credits, sub, timezone.now()):
        return _settled_status(member)
    return _status(credits, sub)


@transaction.atomic
def _settled_status(member: Member) -> PremiumStatus:
    credits, sub, _now = _settled(member)
    return _status(credits, sub)


def credits_balance(*, member: Member) -> int:
    return premium_status(member=member).balance


# Subscriptions


def _start(member: Member, plan: Plan, credits: _Credits, *, at, actor) -> Subscription:
    sub = Subscription.objects.create(
        member=member, plan=plan, started_at=at, period_start=at, period_end=add_months(at, 1)
    )
    # The first allowance is granted by whoever started the plan: the member or staff.
    _grant_month(sub, credits, actor=actor)
    return sub


def checkout_refusal(
    *, status: PremiumStatus, plan: Plan, override: bool = False
) -> DomainError | None:
    """Why the member cannot move to `plan` now, if they cannot: the checkout page asks first.

    `override` lifts the one-change-a-month rule: staff changing a plan from the admin.
    """
    if not plan.is_active:
        return Invalid(f"{plan.name} is no longer offered. Choose another plan.")
    sub = status.subscription
    if sub is not None and sub.plan_id == plan.pk:
        hint = " Reactivate it to keep it." if sub.is_cancelled else ""
        return Conflict(f"You're already on {plan.name}.{hint}")
    if status.next_change_at is not None and not override:
        return Conflict(change_refused_message(status.next_change_at))
    return None


def change_refused_message(next_change_at: datetime) -> str:
    return (
        "You've already changed your plan this billing month. "
        f"You can change your plan again on {display_date(next_change_at)}."
    )


def plan_change_preview(*, status: PremiumStatus, plan: Plan) -> PlanChange:
    """What changing the member's plan to `plan` now would grant and forfeit."""
    sub = status.subscription
    granted = selectors.allowance_granted(member_id=sub.member_id, since=sub.period_start)
    kept = min(status.balance, plan.balance_cap)
    return PlanChange(
        plan=plan,
        granted_this_month=granted,
        forfeited=status.balance - kept,
        top_up=max(0, min(plan.monthly_credits - granted, plan.balance_cap - kept)),
    )


def _change_note(old: Plan, change: PlanChange) -> str:
    plan, granted = change.plan, change.granted_this_month
    what = f"Changed from {old.name} to {plan.name}"
    if change.top_up == 0 and granted >= plan.monthly_credits:
        return (
            f"{what}: this month's allowance of {granted} already covers its {plan.monthly_credits}"
        )
    if granted + change.top_up == plan.monthly_credits:
        return f"{what}: this month's allowance topped up from {granted} to {plan.monthly_credits}"
    return f"{what}: balance capped at {plan.balance_cap}"


def cancel_refusal(*, status: PremiumStatus) -> DomainError | None:
    sub = status.subscription
    if sub is None:
        return Conflict("There is no Premium plan to cancel.")
    if sub.is_cancelled:
        return Conflict(
            f"{sub.plan.name} is already cancelled; it ends on {display_date(sub.period_end)}."
        )
    return None


def reactivate_refusal(*, status: PremiumStatus) -> DomainError | None:
    sub = status.subscription
    if sub is None or not sub.is_cancelled:
        return Conflict("There is no cancelled plan to reactivate.")
    return None


def start_refusal(*, status: PremiumStatus, plan: Plan) -> DomainError | None:
    """Why the member cannot start `plan` now, if they cannot: the admin's add form asks first."""
    if (refusal := checkout_refusal(status=status, plan=plan)) is not None:
        return refusal
    if status.subscription is not None:
        return Conflict(f"You already have {status.plan.name}. Change your plan instead.")
    return None


def _raise(refusal: DomainError | None) -> None:
    if refusal is not None:
        raise refusal


@transaction.atomic
def subscription_start(*, member: Member, plan: Plan, actor: Member | None = None) -> PremiumStatus:
    """Subscribe a member without a plan: the first month's credits at once."""
    credits, sub, now = _settled(member)
    _raise(start_refusal(status=_status(credits, sub), plan=plan))
    return _status(credits, _start(member, plan, credits, at=now, actor=actor))


@transaction.atomic
def subscription_change(
    *, member: Member, plan: Plan, actor: Member | None = None, override: bool = False
) -> PremiumStatus:
    """Move to another plan at once, within the same billing month. Once a billing month.

    No payment is taken, so a change must never be a refill: this month's allowance is topped
    up to the new plan's, never granted again (see `PlanChange`). Only staff, with `override`,
    may change a plan a second time in a month; the top-up rule holds for them too.
    """
    credits, sub, now = _settled(member)
    if sub is None:
        raise Conflict("You don't have a Premium plan to change. Choose one to start.")
    status = _status(credits, sub)
    _raise(checkout_refusal(status=status, plan=plan, override=override))
    change = plan_change_preview(status=status, plan=plan)
    if change.forfeited:
        credits.take(
            change.forfeited,
            at=now,
            reason=LedgerEntry.Reason.FORFEIT,
            note=f"Changed from {sub.plan.name} to {plan.name}: "
            f"above its cap of {plan.balance_cap}",
            actor=actor,
        )
    _end(sub, credits, at=now, reason=Subscription.EndReason.CHANGED)
    # The new plan carries on the member's billing months: same anchor, same month.
    new = Subscription.objects.create(
        member=member,
        plan=plan,
        started_at=sub.started_at,
        billing_month=sub.billing_month,
        period_start=sub.period_start,
        period_end=sub.period_end,
        changed_at=now,
    )
    credits.add(
        kind=CreditGrant.Kind.MONTHLY,
        amount=change.top_up,
        at=now,
        reason=LedgerEntry.Reason.GRANT,
        note=_change_note(sub.plan, change),
        subscription=new,
        billing_month=new.billing_month,
        actor=actor,
    )
    return _status(credits, new)


@transaction.atomic
def subscription_cancel(*, member: Member) -> PremiumStatus:
    """Cancel at the end of the billing month; the credits stay usable until then."""
    credits, sub, now = _settled(member)
    _raise(cancel_refusal(status=_status(credits, sub)))
    sub.status = Subscription.Status.CANCELLED
    sub.cancelled_at = now
    sub.save(update_fields=["status", "cancelled_at"])
    return _status(credits, sub)


@transaction.atomic
def subscription_reactivate(*, member: Member) -> PremiumStatus:
    """Undo a cancellation before the plan ends: the billing months carry on as before."""
    credits, sub, now = _settled(member)
    _raise(reactivate_refusal(status=_status(credits, sub)))
    sub.status = Subscription.Status.ACTIVE
    sub.cancelled_at = None
    sub.save(update_fields=["status", "cancelled_at"])
    return _status(credits, sub)


# Credits


def _no_credits_message(sub: Subscription) -> str:
    if sub.is_cancelled:
        return (
            f"You have no InMail credits left, and your {sub.plan.name} plan ends on "
            f"{display_date(sub.period_end)} without another allowance."
        )
    return (
        f"You have no InMail credits left. Your next {sub.plan.monthly_credits} arrive on "
        f"{display_date(sub.period_end)}."
    )


NO_PLAN = "InMail credits come with Premium. Choose a plan on My Premium to get them."


def spend_refusal(*, status: PremiumStatus) -> DomainError | None:
    """Why the member cannot spend a credit now, if they cannot: the compose window asks first."""
    if status.subscription is None:
        return NotAllowed(NO_PLAN)
    if status.balance == 0:
        return Conflict(_no_credits_message(status.subscription))
    return None


@transaction.atomic
def credits_spend(*, member: Member, note: str = "") -> LedgerEntry:
    """Spend one credit, the one that expires soonest. Refused at zero, naming the next date."""
    credits, sub, now = _settled(member)
    _raise(spend_refusal(status=_status(credits, sub)))
    return credits.take(1, at=now, reason=LedgerEntry.Reason.SPEND, note=note, actor=member)


@transaction.atomic
def credits_return(*, member: Member, note: str = "") -> LedgerEntry | None:
    """Credit back one credit as a new grant expiring 90 days from now.

    Nothing comes back to a member whose plan has ended (their credits went with it). At the
    plan's cap the entry records a credit back of zero, so the history still explains it.
    """
    credits, sub, now = _settled(member)
    if sub is None:
        return None
    if credits.balance >= sub.plan.balance_cap:
        return credits.record(
            amount=0,
            reason=LedgerEntry.Reason.CREDIT_BACK,
            at=now,
            note=f"{note} (balance at its cap of {sub.plan.balance_cap})".strip(),
        )
    return credits.add(
        kind=CreditGrant.Kind.CREDIT_BACK,
        amount=1,
        at=now,
        reason=LedgerEntry.Reason.CREDIT_BACK,
        note=note,
    )


@transaction.atomic
def credits_adjust(*, member: Member, amount: int, reason: str, actor: Member) -> LedgerEntry:
    """A staff adjustment with a reason: added credits expire in 90 days like any grant."""
    reason = reason.strip()
    if not reason:
        raise Invalid("Give a reason for the adjustment; the member sees it in their history.")
    if len(reason) > LEDGER_NOTE_MAX_LENGTH:
        raise Invalid(f"The reason can be at most {LEDGER_NOTE_MAX_LENGTH} characters.")
    if amount == 0:
        raise Invalid("An adjustment must add or remove at least one credit.")
    credits, sub, now = _settled(member)
    if amount < 0:
        if credits.balance + amount < 0:
            raise Invalid(
                ngettext(
                    "%(member)s has %(count)d credit; "
                    "removing %(removed)d would take the balance below zero.",
                    "%(member)s has %(count)d credits; "
                    "removing %(removed)d would take the balance below zero.",
                    credits.balance,
                )
                % {"member": member, "count": credits.balance, "removed": -amount}
            )
        return credits.take(
            -amount, at=now, reason=LedgerEntry.Reason.ADJUSTMENT, note=reason, actor=actor
        )
    if sub is None:
        raise Invalid(f"{member} has no Premium plan: credits come only with a plan.")
    if credits.balance + amount > sub.plan.balance_cap:
        raise Invalid(
            f"{member} has {credits.balance} of at most {sub.plan.balance_cap} credits on "
            f"{sub.plan.name}; adding {amount} would pass the cap."
        )
    return credits.add(
        kind=CreditGrant.Kind.ADJUSTMENT,
        amount=amount,
        at=now,
        reason=LedgerEntry.Reason.ADJUSTMENT,
        note=reason,
        actor=actor,
    )


# Settings


OPEN_PROFILE_NEEDS_PREMIUM = (
    "Open Profile comes with Premium. Choose a plan on My Premium to turn it on."
)


@transaction.atomic
def open_profile_set(*, member: Member, enabled: bool) -> None:
    _credits, sub, _now = _settled(member)
    if enabled and sub is None:
        raise NotAllowed(OPEN_PROFILE_NEEDS_PREMIUM)
    Member.objects.filter(pk=member.pk).update(open_profile=enabled)
    member.open_profile = enabled
