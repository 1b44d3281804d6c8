"""Premium plans, subscriptions, credit grants and the ledger that explains every balance.

A member's balance is held in grants ("lots"): each grant of credits remembers how many of
its credits are left and when they expire. Spending takes from the lot that expires soonest.
Every change to a lot is also written to the append-only ledger, so the sum of the ledger's
amounts always equals the sum of what is left in the unexpired lots.
"""

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.db import LoadedFast

# Every grant of credits expires this long after it was granted.
CREDIT_LIFETIME = timedelta(days=90)
# The balance cap of a plan, when staff leave it blank: this many months of credits.
DEFAULT_CAP_MONTHS = 3
LEDGER_NOTE_MAX_LENGTH = 200
MAX_MONTHLY_CREDITS = 1000


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, on the month's last day when it is shorter.

    Always computed from the subscription's start, so a subscription started on the 31st is
    renewed on the 31st, 28th/29th, 31st, 30th… rather than drifting to the 28th for good.
    """
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class Plan(LoadedFast, models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    tagline = models.CharField(max_length=120, blank=True)
    monthly_price = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        help_text="Shown on My Premium in US dollars. Nothing is charged.",
    )
    monthly_credits = models.PositiveSmallIntegerField(
        # Bounded so that the default cap (3 ×) always fits the column.
        validators=[MaxValueValidator(MAX_MONTHLY_CREDITS)],
        help_text="InMail credits granted each billing month. A change applies from each "
        "subscriber's next allowance.",
    )
    balance_cap = models.PositiveSmallIntegerField(
        blank=True,
        help_text="The most credits a member on this plan can hold. "
        f"Leave blank for {DEFAULT_CAP_MONTHS} × the monthly credits.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Only active plans are offered. Members already on an inactive plan keep it.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position on My Premium.")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_credits__gt=0), name="plan_monthly_credits_positive"
            ),
            models.CheckConstraint(
                condition=Q(balance_cap__gte=F("monthly_credits")), name="plan_cap_holds_a_month"
            ),
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0), name="plan_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self._default_cap()
        super().save(*args, **kwargs)

    def clean(self):
        # Before the constraints are validated, so that a blank cap passes as its default.
        self._default_cap()

    def _default_cap(self):
        if self.balance_cap is None and self.monthly_credits:
            self.balance_cap = DEFAULT_CAP_MONTHS * self.monthly_credits


class SubscriptionQuerySet(models.QuerySet):
    def live(self):
        """Subscriptions not yet ended: at most one per member (a database constraint)."""
        return self.filter(status__in=Subscription.LIVE_STATUSES)

    def premium_at(self, moment: datetime):
        """Subscriptions that make their member Premium at `moment`.

        A cancelled subscription runs to the end of its billing month even before the
        lazy settlement marks it ended; an active one is Premium until it is ended.
        """
        return self.filter(
            Q(status=Subscription.Status.ACTIVE)
            | Q(status=Subscription.Status.CANCELLED, period_end__gt=moment)
        )


class Subscription(LoadedFast, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled, runs to the end of the billing month"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        CANCELLED = "cancelled", "Cancelled"
        CHANGED = "changed", "Changed plan"

    LIVE_STATUSES = (Status.ACTIVE, Status.CANCELLED)

    # The composite index below leads with the member: no single-column index.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        db_index=False,
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The billing anchor: every billing month starts on an anniversary of this moment. A plan
    # change keeps it: the new subscription carries on the member's billing months.
    started_at = models.DateTimeField(default=timezone.now)
    # When this subscription took over from the member's previous plan; empty when started.
    # At most one change a billing month: the next waits for `period_end`.
    changed_at = models.DateTimeField(null=True, blank=True)
    # The billing month in progress (0 is the first), whose allowance has been granted.
    billing_month = models.PositiveIntegerField(default=0)
    period_start = models.DateTimeField()
    # The next anniversary: the next allowance, or the end of a cancelled subscription.
    period_end = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["active", "cancelled"]),
                name="subscription_one_live_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "cancelled", "ended"]),
                name="subscription_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="subscription_period_forward"
            ),
            models.CheckConstraint(
                condition=Q(status="ended", ended_at__isnull=False)
                | (~Q(status="ended") & Q(ended_at__isnull=True)),
                name="subscription_ended_at_iff_ended",
            ),
            models.CheckConstraint(
                condition=Q(changed_at__isnull=True) | Q(changed_at__gte=F("started_at")),
                name="subscription_changed_after_its_anchor",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="subscription_member_idx"),
            # grant_credits finds the subscriptions whose next anniversary has come.
            models.Index(fields=["status", "period_end"], name="subscription_due_idx"),
            # The admin's list, newest first.
            models.Index(fields=["-started_at", "-id"], name="subscription_recent_idx"),
        ]

    def __str__(self):
        return f"{self.member} · {self.plan} ({self.get_status_display().split(',')[0]})"

    def month_start(self, month: int) -> datetime:
        return add_months(self.started_at, month)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def changed_this_month(self) -> bool:
        """Whether this billing month's plan change has been made: the next waits for the next."""
        return self.changed_at is not None and self.changed_at >= self.period_start


class CreditGrant(LoadedFast, models.Model):
    """A lot of credits: granted at one moment, expiring 90 days later, spent soonest-first."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly allowance"
        CREDIT_BACK = "credit_back", "Credit back"
        ADJUSTMENT = "adjustment", "Adjustment"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_grants"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, null=True, blank=True, related_name="grants"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Set for monthly allowances only: with the subscription, the key that makes granting
    # idempotent however often and in whatever order it runs.
    billing_month = models.PositiveIntegerField(null=True, blank=True)
    amount = models.PositiveSmallIntegerField()
    remaining = models.PositiveSmallIntegerField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "billing_month"],
                condition=Q(kind="monthly"),
                name="grant_one_per_billing_month",
            ),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("amount")), name="grant_remaining_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="grant_expires_after_granted"
            ),
            models.CheckConstraint(
                condition=Q(kind="monthly", billing_month__isnull=False, subscription__isnull=False)
                | (~Q(kind="monthly") & Q(billing_month__isnull=True)),
                name="grant_billing_month_iff_monthly",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["monthly", "credit_back", "adjustment"]),
                name="grant_kind_valid",
            ),
        ]
        indexes = [
            # The lots with credits left: spending, balances and expiry read only these.
            models.Index(
                fields=["member", "expires_at"],
                condition=Q(remaining__gt=0),
                name="grant_spendable_idx",
            ),
            models.Index(
                fields=["expires_at"], condition=Q(remaining__gt=0), name="grant_expiring_idx"
            ),
            # The admin's list, newest first.
            models.Index(fields=["-granted_at", "-id"], name="grant_recent_idx"),
        ]

    def __str__(self):
        return f"{self.amount} × {self.get_kind_display()} for {self.member}"


class LedgerEntry(LoadedFast, models.Model):
    """One change to a member's balance. Append-only: never updated, never deleted."""

    class Reason(models.TextChoices):
        GRANT = "grant", "Monthly allowance"
        SPEND = "spend", "InMail sent"
        CREDIT_BACK = "credit_back", "Credit back"
        EXPIRY = "expiry", "Expired"
        FORFEIT = "forfeit", "Forfeited"
        ADJUSTMENT = "adjustment", "Adjustment"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="credit_ledger",
        db_index=False,
    )
    # The lot this entry changed; empty when one entry covers several (a forfeit).
    # RESTRICT: a lot cannot be deleted from under its history, but deleting the member
    # deletes both.
    grant = models.ForeignKey(
        CreditGrant, on_delete=models.RESTRICT, null=True, blank=True, related_name="entries"
    )
    amount = models.IntegerField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.CharField(max_length=LEDGER_NOTE_MAX_LENGTH, blank=True)
    # Who made the change: the member, a staff member, or nobody (the passing of time).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the change took effect: an expiry is dated when the lot expired, even if it was
    # recorded later, when the balance was next read.
    created_at = models.DateTimeField(default=timezone.now)
    balance_after = models.IntegerField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            # A zero entry says an allowance or a credit back found the balance at its cap.
            models.CheckConstraint(
                condition=~Q(amount=0) | Q(reason__in=["grant", "credit_back"]),
                name="ledger_amount_nonzero",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(
                    reason__in=["grant", "spend", "credit_back", "expiry", "forfeit", "adjustment"]
                ),
                name="ledger_reason_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="ledger_member_idx"),
            models.Index(fields=["-created_at", "-id"], name="ledger_recent_idx"),
        ]

    def __str__(self):
        return f"{self.amount:+d} {self.get_reason_display()} for {self.member}"
