"""`manage.py seed_demo` against the database.

Seeding takes a while, so the tests that only read the demo share one seeding per class
(`seeded`), rolled back after the class; each test runs in its own savepoint inside it, so
whatever a test writes (settling credits 100 days later, a refused second seeding) is undone
before the next. Tests that need another starting point seed for themselves.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Connection, Invitation, Member
from accounts.selectors import FIRST, SECOND, THIRD_PLUS, with_relationship
from accounts.slugs import slug_base
from demo.text import DEMO_EMAILS, DEMO_PASSWORD
from inmail.models import Conversation, Message, Participant
from premium.models import CREDIT_LIFETIME, CreditGrant, LedgerEntry, Plan, Subscription
from premium.selectors import member_is_premium
from premium.services import premium_status
from tests.factories import MemberFactory

MEMBERS = 60

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--members", str(MEMBERS), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "members": sorted(
            Member.objects.values_list(
                "email", "first_name", "last_name", "slug", "headline", "location", "about"
            )
        ),
        "connections": set(Connection.objects.values_list("member__email", "other__email")),
        "invitations": sorted(
            Invitation.objects.values_list("sender__email", "recipient__email", "note", "status")
        ),
        "plans": sorted(Subscription.objects.values_list("member__email", "plan__slug", "status")),
        "open_profiles": sorted(
            Member.objects.filter(open_profile=True).values_list("email", flat=True)
        ),
        "credits": sorted(CreditGrant.objects.values_list("member__email", "amount", "remaining")),
        "conversations": conversations(),
        "inboxes": sorted(
            Participant.objects.values_list("member__email", "other__email", "folder", "unread")
        ),
    }


def conversations():
    """Every message as (starter, recipient, subject, author, body), in the order written."""
    return list(
        Message.objects.order_by("conversation_id", "id").values_list(
            "conversation__starter__email",
            "conversation__recipient__email",
            "conversation__subject",
            "author__email",
            "body",
        )
    )


def wipe():
    # The ledger is append-only in the product and protects its lots from deletion.
    LedgerEntry.objects.all().delete()
    Member.objects.all().delete()


def counts():
    return (Member.objects.count(), Connection.objects.count(), Invitation.objects.count())


DEMO_PLANS = {
    "admin@example.com": None,
    "free@example.com": None,
    "essentials@example.com": "premium-essentials",
    "pro@example.com": "premium-pro",
    "business@example.com": "premium-business",
    "recruiter@example.com": "recruiter-lite",
    "sales@example.com": "sales-navigator-core",
}


def ledger_state():
    """Per member: (ledger sum, left in unexpired lots, latest balance_after)."""
    now = timezone.now()
    sums = dict(
        LedgerEntry.objects.values("member")
        .annotate(total=Sum("amount"))
        .values_list("member", "total")
    )
    left = dict(
        CreditGrant.objects.filter(expires_at__gt=now)
        .values("member")
        .annotate(left=Sum("remaining"))
        .values_list("member", "left")
    )
    latest = {}
    for member_id, balance in LedgerEntry.objects.order_by(
        "member", "created_at", "id"
    ).values_list("member", "balance_after"):
        latest[member_id] = balance
    return {
        pk: (sums.get(pk, 0), left.get(pk, 0), latest.get(pk, 0))
        for pk in Member.objects.values_list("pk", flat=True)
    }


def written():
    return (
        Subscription.objects.count(),
        CreditGrant.objects.count(),
        LedgerEntry.objects.count(),
        sorted(Subscription.objects.values_list("pk", "status", "billing_month", "period_end")),
        sorted(CreditGrant.objects.values_list("pk", "remaining")),
    )


INMAIL = Conversation.Kind.INMAIL
PENDING = Conversation.Response.PENDING


def degree(member, other):
    return with_relationship(Member.objects.filter(pk=other.pk), member).get().degree


def partner(conversation, member):
    return conversation.recipient if conversation.starter_id == member.pk else conversation.starter


def assert_essentials_keeps_its_five_credits(members):
    essentials = Member.objects.get(email="essentials@example.com")
    assert premium_status(member=essentials).balance == 5
    ledger = essentials.credit_ledger.order_by("created_at", "id")
    assert ledger.aggregate(total=Sum("amount"))["total"] == 5
    entries = list(ledger.values_list("reason", "amount", "balance_after"))
    if members:
        assert entries == [
            (LedgerEntry.Reason.GRANT, 5, 5),
            (LedgerEntry.Reason.SPEND, -1, 4),
            (LedgerEntry.Reason.CREDIT_BACK, 1, 5),
        ]
    else:
        assert entries == [(LedgerEntry.Reason.GRANT, 5, 5)]


@dataclass(frozen=True)
class Seeded:
    output: str
    started: datetime  # just before seeding


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The demo with MEMBERS generated members, seeded once for the class (see the module)."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        started = timezone.now()
        yield Seeded(output=seed(), started=started)
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Reseeded:
    first: dict  # the class's demo
    same: dict  # seeded again from scratch with the same seed
    other: dict  # with --seed 7


@pytest.fixture(scope="class")
def reseeded(seeded, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        first = snapshot()
        wipe()
        seed()
        same = snapshot()
        wipe()
        seed("--seed", "7")
        other = snapshot()
        transaction.set_rollback(True)
    return Reseeded(first=first, same=same, other=other)


@pytest.mark.usefixtures("seeded")
class TestSeededDemo:
    def test_demo_accounts_sign_in_with_the_demo_password(self, seeded):
        assert set(
            Member.objects.filter(email__in=DEMO_EMAILS).values_list("email", flat=True)
        ) == (set(DEMO_EMAILS))
        # django-axes checks every sign-in, so authenticate() needs the request it comes with.
        assert authenticate(
            RequestFactory().post("/"), username="pro@example.com", password=DEMO_PASSWORD
        ) == Member.objects.get(email="pro@example.com")
        # One hash for everyone: every member can sign in with the same password.
        assert Member.objects.values("password").distinct().count() == 1
        assert f"Seeded {MEMBERS + len(DEMO_EMAILS)} members" in seeded.output

    def test_admin_is_staff_and_superuser_and_nobody_else_is(self):
        admin = Member.objects.get(email="admin@example.com")
        assert admin.is_staff
        assert admin.is_superuser
        assert list(Member.objects.filter(is_staff=True)) == [admin]
        assert list(Member.objects.filter(is_superuser=True)) == [admin]

    def test_every_demo_account_has_1st_2nd_and_3rd_degree_members(self):
        for account in Member.objects.filter(email__in=DEMO_EMAILS):
            degrees = list(
                with_relationship(Member.objects.exclude(pk=account.pk), account).values_list(
                    "degree", flat=True
                )
            )
            assert {FIRST, SECOND, THIRD_PLUS} <= set(degrees), account.email
        essentials = Member.objects.get(email="essentials@example.com")
        third = with_relationship(Member.objects.exclude(pk=essentials.pk), essentials).filter(
            degree=THIRD_PLUS
        )
        assert third.count() > MEMBERS // 2

    def test_free_and_essentials_are_not_connected(self):
        assert not Connection.objects.filter(
            member__email="free@example.com", other__email="essentials@example.com"
        ).exists()

    def test_every_connection_has_its_mirror_row(self):
        assert Connection.objects.count() > MEMBERS * 2
        mirror = Connection.objects.filter(member=OuterRef("other"), other=OuterRef("member"))
        assert not Connection.objects.exclude(Exists(mirror)).exists()

    def test_invitations_are_pending_between_members_who_are_not_connected(self):
        invitations = Invitation.objects.all()
        assert invitations.exists()
        assert set(invitations.values_list("status", flat=True)) == {Invitation.Status.PENDING}
        connected = Connection.objects.filter(
            member=OuterRef("sender"), other=OuterRef("recipient")
        )
        assert not invitations.filter(Exists(connected)).exists()
        assert invitations.exclude(note="").exists()
        for email in DEMO_EMAILS:
            if email != "admin@example.com":
                assert invitations.filter(recipient__email=email).exists(), email
                assert invitations.filter(sender__email=email).exists(), email

    def test_slugs_and_emails_come_from_the_names(self):
        for member in Member.objects.all():
            base = slug_base(member.first_name, member.last_name)
            assert member.slug == base or member.slug.startswith(f"{base}-"), member.slug
        generated = Member.objects.exclude(email__in=DEMO_EMAILS)
        assert generated.count() == MEMBERS
        emails = generated.values_list("email", flat=True)
        assert all(email.endswith("@example.net") for email in emails)

    def test_the_same_seed_gives_the_same_data(self, reseeded):
        assert reseeded.same == reseeded.first

    def test_another_seed_gives_other_data(self, reseeded):
        assert reseeded.other["members"] != reseeded.first["members"]

    def test_if_empty_does_nothing_on_a_seeded_database(self):
        before = snapshot()

        output = seed("--if-empty")

        assert "no demo data" in output
        assert snapshot() == before

    def test_seeding_twice_is_refused_without_writing_anything(self):
        before = snapshot()

        with pytest.raises(CommandError, match="already exist"):
            seed()

        assert snapshot() == before

    # Plans and credits

    def test_demo_accounts_have_their_plans_and_a_month_of_credits_less_their_unanswered_inmails(
        self,
    ):
        for email, slug in DEMO_PLANS.items():
            member = Member.objects.get(email=email)
            status = premium_status(member=member)
            if slug is None:
                assert status.subscription is None, email
                assert status.balance == 0, email
                assert not member.credit_ledger.exists(), email
            else:
                assert status.plan == Plan.objects.get(slug=slug), email
                assert status.subscription.status == Subscription.Status.ACTIVE, email
                waiting = Conversation.objects.filter(
                    starter=member, credit_spent=True, response=Conversation.Response.PENDING
                ).count()
                assert status.balance == status.plan.monthly_credits - waiting, email
            assert not member.open_profile, email
        essentials = Member.objects.get(email="essentials@example.com")
        assert premium_status(member=essentials).balance == 5
        assert premium_status(member=Member.objects.get(email="pro@example.com")).balance == 14

    def test_generated_members_get_a_mix_of_plans(self, seeded):
        generated = Member.objects.exclude(email__in=DEMO_EMAILS)
        subscriptions = Subscription.objects.filter(member__in=generated)
        plans = Counter(subscriptions.values_list("plan__slug", flat=True))
        assert MEMBERS // 8 <= subscriptions.count() <= MEMBERS // 2
        assert set(plans) == set(Plan.objects.values_list("slug", flat=True))
        assert plans.most_common(1)[0][0] == "premium-essentials"
        assert generated.exclude(subscriptions__in=subscriptions).exists()
        # Premium members with an Open Profile, and an Open Profile only with Premium.
        open_profiles = generated.filter(open_profile=True)
        assert 0 < open_profiles.count() < subscriptions.count()
        assert not open_profiles.exclude(subscriptions__in=subscriptions).exists()
        # Some have spent credits, some have not.
        spent = LedgerEntry.objects.filter(reason=LedgerEntry.Reason.SPEND)
        assert spent.values("member").distinct().count() >= 2
        assert subscriptions.exclude(member__credit_ledger__in=spent).exists()
        premium = subscriptions.count() + 5
        assert (
            f"({premium} Premium, {open_profiles.count()} of them with an Open Profile)"
            in seeded.output
        )

    def test_generated_subscriptions_are_in_their_first_billing_month(self):
        now = timezone.now()

        for sub in Subscription.objects.select_related("plan"):
            assert sub.status in Subscription.LIVE_STATUSES
            assert sub.billing_month == 0
            assert sub.period_start == sub.started_at < now < sub.period_end == sub.month_start(1)
            assert (sub.cancelled_at is not None) == sub.is_cancelled
            if sub.is_cancelled:
                assert sub.started_at < sub.cancelled_at < now
            [lot] = sub.grants.all()
            assert (lot.member_id, lot.kind, lot.billing_month) == (
                sub.member_id,
                CreditGrant.Kind.MONTHLY,
                0,
            )
            assert lot.amount == sub.plan.monthly_credits
            assert lot.granted_at == sub.started_at
            assert lot.expires_at == lot.granted_at + CREDIT_LIFETIME
            entries = list(lot.entries.order_by("created_at", "id"))
            grant, *spends = entries
            assert (grant.reason, grant.amount, grant.balance_after) == (
                LedgerEntry.Reason.GRANT,
                lot.amount,
                lot.amount,
            )
            assert grant.created_at == lot.granted_at
            assert len(spends) == lot.amount - lot.remaining
            for entry in spends:
                assert (entry.reason, entry.amount, entry.actor_id) == (
                    LedgerEntry.Reason.SPEND,
                    -1,
                    sub.member_id,
                )
                assert lot.granted_at < entry.created_at < now
        assert Subscription.objects.filter(status=Subscription.Status.ACTIVE).exists()
        # Besides the allowances, only the credits back of answered InMails.
        monthly = CreditGrant.objects.filter(kind=CreditGrant.Kind.MONTHLY)
        assert monthly.count() == Subscription.objects.count()
        assert set(
            CreditGrant.objects.exclude(kind=CreditGrant.Kind.MONTHLY).values_list(
                "kind", flat=True
            )
        ) == {CreditGrant.Kind.CREDIT_BACK}
        assert not LedgerEntry.objects.filter(grant=None).exists()

    def test_every_ledger_entry_carries_the_running_balance(self):
        balances = Counter()
        entries = LedgerEntry.objects.order_by("created_at", "id")
        for member_id, amount, balance_after in entries.values_list(
            "member", "amount", "balance_after"
        ):
            balances[member_id] += amount
            assert balance_after == balances[member_id]
        assert LedgerEntry.objects.filter(reason=LedgerEntry.Reason.CREDIT_BACK).exists()

    def test_every_balance_is_explained_by_the_ledger_and_needs_no_settling(self):
        state = ledger_state()
        before = written()

        for member in Member.objects.all():
            status = premium_status(member=member)
            total, left, latest = state[member.pk]
            assert total == left == latest == status.balance, member.email

        assert written() == before
        assert ledger_state() == state
        assert any(total for total, _left, _latest in state.values())

    def test_seeded_plans_carry_on_through_the_months(self):
        with time_machine.travel(timezone.now() + timedelta(days=100)):
            for member in Member.objects.all():
                premium_status(member=member)
            state = ledger_state()

            for total, left, latest in state.values():
                assert total == left == latest
            active = Subscription.objects.filter(status=Subscription.Status.ACTIVE)
            assert active.exists()
            # Seeded up to 27 days after their start: the 4th or the 5th billing month by now.
            assert set(active.values_list("billing_month", flat=True)) <= {3, 4}
            for sub in active:
                assert sub.period_start == sub.month_start(sub.billing_month) <= timezone.now()
                assert timezone.now() < sub.period_end == sub.month_start(sub.billing_month + 1)
            # Cancelled plans ended with their first billing month, and their credits with them.
            ended = Subscription.objects.filter(status=Subscription.Status.ENDED)
            assert ended.exists()
            assert not ended.exclude(end_reason=Subscription.EndReason.CANCELLED).exists()
            for sub in ended:
                assert state[sub.member_id][0] == 0

    def test_another_seed_gives_other_plans(self, reseeded):
        assert reseeded.other["plans"] != reseeded.first["plans"]

    # Conversations

    def test_every_demo_account_talks_with_connections_and_has_inmails_some_unread(self, seeded):
        assert f", {Conversation.objects.count()} conversations in " in seeded.output
        for member in Member.objects.filter(email__in=DEMO_EMAILS):
            mine = Conversation.objects.filter(participants__member=member)
            chats = mine.filter(kind=Conversation.Kind.MESSAGE).select_related(
                "starter", "recipient"
            )
            assert 2 <= chats.count() <= 3, member.email
            for chat in chats:
                assert degree(member, partner(chat, member)) == FIRST, member.email
            received = mine.filter(kind=INMAIL, recipient=member).select_related("starter")
            # One answered, one waiting for an answer.
            assert received.filter(response=PENDING).count() == 1, member.email
            assert received.exclude(response=PENDING).count() == 1, member.email
            for inmail in received:
                assert inmail.credit_spent, member.email
                assert degree(member, inmail.starter) != FIRST, member.email
            assert Participant.objects.filter(member=member, unread=True).exists(), member.email
            assert Participant.objects.filter(member=member, unread=False).exists(), member.email
        # Some conversations between connections went back and forth, some are one message.
        authors = (
            Conversation.objects.filter(kind=Conversation.Kind.MESSAGE)
            .annotate(authors=Count("messages__author", distinct=True))
            .values_list("authors", flat=True)
        )
        assert set(authors) == {1, 2}

    def test_demo_accounts_send_paid_inmails_to_3rd_degree_members_and_free_ones_to_open_profiles(
        self,
    ):
        def sent(email):
            member = Member.objects.get(email=email)
            inmails = Conversation.objects.filter(kind=INMAIL, starter=member)
            return member, list(inmails.select_related("recipient").order_by("id"))

        assert sent("admin@example.com")[1] == []
        for email in ("free@example.com", "essentials@example.com"):
            member, [free, *_paid] = sent(email)
            assert not free.credit_spent, email
            assert free.response == PENDING, email
            assert free.recipient.open_profile, email
            assert free.recipient.accept_inmail, email
            assert member_is_premium(member=free.recipient), email
            assert degree(member, free.recipient) != FIRST, email
        member, [_free, paid] = sent("essentials@example.com")
        assert paid.credit_spent
        assert paid.response == Conversation.Response.REPLIED
        for email in (
            "pro@example.com",
            "business@example.com",
            "recruiter@example.com",
            "sales@example.com",
        ):
            member, inmails = sent(email)
            assert [(inmail.credit_spent, inmail.response) for inmail in inmails] == [
                (True, Conversation.Response.INTERESTED),
                (True, PENDING),
            ], email
            for inmail in inmails:
                assert degree(member, inmail.recipient) == THIRD_PLUS, email
                assert not inmail.recipient.open_profile, email

    def test_every_paid_inmail_is_spent_in_its_senders_ledger_and_every_answer_credits_it_back(
        self,
    ):
        inmails = Conversation.objects.filter(kind=INMAIL).select_related("starter", "recipient")
        assert inmails.filter(credit_spent=True, response=PENDING).exists()
        assert inmails.filter(credit_spent=True).exclude(response=PENDING).exists()
        assert inmails.filter(credit_spent=False).exists()
        for inmail in inmails:
            name = inmail.recipient.full_name
            ledger = LedgerEntry.objects.filter(member=inmail.starter)
            spent = ledger.filter(
                reason=LedgerEntry.Reason.SPEND,
                amount=-1,
                note=f"InMail to {name}: {inmail.subject}",
            )
            back = ledger.filter(
                reason=LedgerEntry.Reason.CREDIT_BACK, amount=1, note=f"{name} answered your InMail"
            )
            if inmail.credit_spent:
                assert spent.count() == 1, inmail
                assert back.count() == (inmail.response != PENDING), inmail
            else:
                assert not spent.exists(), inmail
                assert not back.exists(), inmail
                assert inmail.recipient.open_profile, inmail
        # Nothing else was spent or credited back through the services.
        services_spent = LedgerEntry.objects.filter(
            reason=LedgerEntry.Reason.SPEND, note__startswith="InMail to "
        )
        assert services_spent.count() == inmails.filter(credit_spent=True).count()
        assert LedgerEntry.objects.filter(reason=LedgerEntry.Reason.CREDIT_BACK).count() == (
            inmails.filter(credit_spent=True).exclude(response=PENDING).count()
        )

    def test_essentials_keeps_its_five_credits_and_its_ledger_explains_them(self):
        assert_essentials_keeps_its_five_credits(MEMBERS)

    def test_a_conversation_is_unread_only_for_whoever_did_not_write_last(self):
        participants = Participant.objects.select_related("conversation__last_message")
        assert participants.count() == 2 * Conversation.objects.count()
        for participant in participants:
            last = participant.conversation.last_message
            assert participant.unread == (last.author_id != participant.member_id)
            assert participant.last_message_at == last.created_at
            assert participant.folder == Participant.Folder.INBOX

    def test_conversations_between_connections_are_spread_over_the_last_two_weeks(self, seeded):
        started = seeded.started
        chats = Conversation.objects.filter(kind=Conversation.Kind.MESSAGE)
        for chat in chats:
            times = list(chat.messages.order_by("id").values_list("created_at", flat=True))
            assert times == sorted(set(times)), chat
            assert chat.created_at == times[0]
            connected = Connection.objects.get(member=chat.starter, other=chat.recipient).created_at
            assert connected < times[0]
            assert started - timedelta(days=14) < times[0]
            assert times[-1] < started
        assert len({chat.created_at.date() for chat in chats}) > 3
        # The InMails keep the times of their ledger entries: the seeding's own.
        inmail_messages = Message.objects.filter(conversation__kind=INMAIL)
        assert not inmail_messages.filter(created_at__lt=started).exists()
        assert not Conversation.objects.filter(kind=INMAIL, created_at__lt=started).exists()

    def test_the_same_seed_gives_the_same_conversations(self, reseeded):
        first = reseeded.first["conversations"]
        assert reseeded.same["conversations"] == first
        assert len(first) > 3 * len(DEMO_EMAILS)

    def test_another_seed_gives_other_conversations(self, reseeded):
        assert reseeded.other["conversations"] != reseeded.first["conversations"]


# Seeding from other starting points


def test_if_empty_seeds_an_empty_database():
    output = seed("--if-empty")

    assert "Seeded" in output
    assert Member.objects.count() == MEMBERS + len(DEMO_EMAILS)


def test_if_empty_does_nothing_when_any_member_exists():
    MemberFactory()

    output = seed("--if-empty")

    assert "no demo data" in output
    assert counts() == (1, 0, 0)


def test_seeding_is_refused_when_one_demo_account_exists():
    MemberFactory(email="recruiter@example.com")

    with pytest.raises(CommandError, match="recruiter@example.com"):
        seed()

    assert counts() == (1, 0, 0)


def test_seeding_beside_other_members_keeps_their_slugs():
    MemberFactory(first_name="Alex", last_name="Admin", slug="alex-admin")

    seed()

    assert Member.objects.get(email="admin@example.com").slug == "alex-admin-2"
    assert Member.objects.count() == MEMBERS + len(DEMO_EMAILS) + 1


def test_seeding_is_refused_without_writing_when_a_plan_is_missing():
    Plan.objects.filter(slug="recruiter-lite").delete()

    with pytest.raises(CommandError, match="recruiter-lite"):
        seed()

    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("members", [0, 40])
def test_essentials_keeps_its_five_credits_and_its_ledger_explains_them(members):
    call_command("seed_demo", "--members", str(members), stdout=StringIO())

    assert_essentials_keeps_its_five_credits(members)


def test_seeding_without_generated_members_writes_no_conversations():
    out = StringIO()
    call_command("seed_demo", "--members", "0", stdout=out)

    assert ", 0 conversations in " in out.getvalue()
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("premium_plans")
def test_seeding_emails_nobody(mailoutbox):
    seed()

    assert Conversation.objects.filter(kind=INMAIL).count() >= len(DEMO_EMAILS)
    assert mailoutbox == []
