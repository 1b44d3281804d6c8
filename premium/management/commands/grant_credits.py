"""Settle every member's credits up to now: expiries, monthly allowances, ended plans.

Balances also settle lazily whenever they are read, so this is not needed for correctness;
run it daily (cron, a scheduler) so that the admin's balance columns and the ledger stay
current for members who have not signed in. Safe to run any number of times, in parallel too.
"""

import time

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from accounts.models import Member
from premium import services
from premium.models import CreditGrant, LedgerEntry, Subscription


def members_due(now):
    """Members with an anniversary, a plan end or an expiry that has come."""
    due = Subscription.objects.live().filter(period_end__lte=now).values("member")
    expiring = CreditGrant.objects.filter(remaining__gt=0, expires_at__lte=now).values("member")
    return Member.objects.filter(Q(pk__in=due) | Q(pk__in=expiring)).order_by("pk").only("pk")


class Command(BaseCommand):
    help = "Grant the monthly InMail credits that are due and write off expired ones."

    def handle(self, *args, **options):
        started = time.perf_counter()
        entries_before = LedgerEntry.objects.count()
        settled = 0
        # One transaction per member, so a long run never holds many locks at once.
        for member in members_due(timezone.now()).iterator(chunk_size=500):
            services.premium_status(member=member)
            settled += 1
        written = LedgerEntry.objects.count() - entries_before
        self.stdout.write(
            f"Settled {settled} member{'s' if settled != 1 else ''}: "
            f"{written} ledger entr{'ies' if written != 1 else 'y'} written "
            f"in {time.perf_counter() - started:.1f} s."
        )
