"""`manage.py seed_demo`: the demo data of the whole site (see `demo.seed`).

`make run` calls `seed_demo --if-empty` on every start, so a fresh database comes up with
something to look at.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Member
from demo.seed import DEFAULT_MEMBERS, DEFAULT_SEED, seed_demo
from demo.text import DEMO_EMAILS, DEMO_PASSWORD, PREMIUM_DEMO_ACCOUNTS


class Command(BaseCommand):
    help = (
        "Create the demo accounts (password inmail-demo-2026) with their Premium plans and "
        "conversations, realistic members, some of them Premium, connections and pending "
        "invitations. Deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"Members to generate besides the demo accounts (default {DEFAULT_MEMBERS}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has members (used by `make run`).",
        )

    def handle(self, *args, seed, members, if_empty, **options):
        started = time.perf_counter()
        if members < 0:
            raise CommandError("--members must be zero or more.")
        if if_empty and Member.objects.exists():
            self.stdout.write("The database already has members: no demo data seeded.")
            return
        seeded = seed_demo(seed=seed, members=members)
        data = seeded.data
        elapsed = time.perf_counter() - started
        premium = len(data.subscribers) + len(PREMIUM_DEMO_ACCOUNTS)
        open_profiles = sum(subscriber.open_profile for subscriber in data.subscribers)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(data.profiles):,} members ({premium:,} Premium, "
                f"{open_profiles:,} of them with an Open Profile), {len(data.edges):,} "
                f"connections, {len(data.invitations):,} invitations, {seeded.conversations:,} "
                f"conversations in {elapsed:.1f} s."
            )
        )
        self.stdout.write(f"Sign in as {', '.join(DEMO_EMAILS)} with password {DEMO_PASSWORD}.")
