"""Settle every member's credits up to now: expiries, monthly allowances, ended plans.

Balances also settle lazily whenever they are read, so this is not needed for correctness;
run it daily so that the admin's balance columns and the ledger stay current for members
who have not signed in. Safe to run any number of times, in parallel too.

With --enqueue it hands the settlement to the task worker (premium.tasks.settle_credits)
instead of running it here: that is what the daily cron line in the README does.
"""

import time

from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils.translation import ngettext

from premium import settlement, tasks
from premium.models import LedgerEntry


class Command(BaseCommand):
    help = "Grant the monthly InMail credits that are due and write off expired ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the settlement as a task for the worker instead of running it here.",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.settle_credits.enqueue()
            self.stdout.write(f"Enqueued the credit settlement (task {result.id}).")
            return
        started = time.perf_counter()
        # The entries written since the newest one before the run: read through the primary
        # key, never by counting a ledger that only grows.
        newest = LedgerEntry.objects.aggregate(newest=Max("pk"))["newest"] or 0
        settled = settlement.settle_due()
        written = LedgerEntry.objects.filter(pk__gt=newest).count()
        members = ngettext("Settled %(count)d member", "Settled %(count)d members", settled)
        entries = ngettext(
            "%(count)d ledger entry written", "%(count)d ledger entries written", written
        )
        self.stdout.write(
            f"{members % {'count': settled}}: {entries % {'count': written}} "
            f"in {time.perf_counter() - started:.1f} s."
        )
