from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Member
from premium import services
from premium.models import LedgerEntry, Plan, Subscription
from tests.assertions import text
from tests.factories import MemberFactory, subscribe

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
MY_PREMIUM = reverse("premium:my_premium")


def checkout_url(slug):
    return reverse("premium:checkout", kwargs={"slug": slug})


def ledger_size():
    return LedgerEntry.objects.count()


@pytest.fixture
def premium_member(member, clock):
    subscribe(member, "premium-essentials")
    return member


# My Premium


@pytest.mark.django_db
class TestMyPremium:
    def test_a_free_member_sees_the_plans_and_can_start_one(self, member_client):
        response = member_client.get(MY_PREMIUM)

        assert response.status_code == 200
        page = text(response)
        assert "You're on the free plan" in page
        for plan in Plan.objects.filter(is_active=True):
            assert f"Start {plan.name}" in page
            assert checkout_url(plan.slug) in page

    def test_a_premium_member_sees_plan_credits_next_allowance_and_history(
        self, member_client, premium_member
    ):
        response = member_client.get(MY_PREMIUM)

        page = text(response)
        assert "Premium Essentials" in page
        assert "5 InMail credits left" in page
        assert "Next allowance: <strong>5 credits on Apr 10, 2026</strong>" in page
        assert "5 credits</strong> expire on Jun 8, 2026" in page
        assert "Monthly allowance" in page
        assert "Switch to Premium Pro" in page
        assert "Your plan" in page
        assert "You can change your plan now, once a billing month." in page

    def test_after_a_change_my_premium_says_when_the_next_is_possible(
        self, member_client, premium_member, clock
    ):
        clock.shift(timedelta(days=3))
        services.subscription_change(
            member=premium_member, plan=Plan.objects.get(slug="premium-pro")
        )

        page = text(member_client.get(MY_PREMIUM))

        assert (
            "You've changed your plan this billing month. You can change your plan again on "
            "<strong>Apr 10, 2026</strong>." in page
        )
        assert "started Mar 10, 2026 · changed to Premium Pro on Mar 13, 2026" in page
        # On each other plan's card, a label rather than a button: the date fits on one line.
        assert (
            '<p class="plan__label muted">Switch from <time datetime="2026-04-10">Apr 10</time>'
            in page
        )
        assert "Switch to Premium Business" not in page
        assert checkout_url("premium-business") not in page

    def test_the_balance_is_settled_when_the_page_is_read(
        self, member_client, premium_member, clock
    ):
        clock.move_to(START + timedelta(days=32))

        response = member_client.get(MY_PREMIUM)

        assert "10 InMail credits left" in text(response)
        assert premium_member.credit_grants.count() == 2

    def test_at_zero_credits_it_offers_to_upgrade_the_plan(self, member_client, premium_member):
        upgrade = '<a class="btn btn--primary" href="#plans-heading">Upgrade my plan</a>'
        assert upgrade not in text(member_client.get(MY_PREMIUM))

        for _ in range(5):
            services.credits_spend(member=premium_member)

        page = text(member_client.get(MY_PREMIUM))
        assert "0 InMail credits left" in page
        assert upgrade in page

    def test_one_credit_reads_singular(self, member_client, premium_member):
        for _ in range(4):
            services.credits_spend(member=premium_member)

        assert "1 InMail credit left" in text(member_client.get(MY_PREMIUM))

    def test_credits_expiring_within_30_days_are_marked_soon(
        self, member_client, premium_member, clock
    ):
        clock.move_to(START + timedelta(days=70))

        page = text(member_client.get(MY_PREMIUM))

        assert '<li class="is-soon">' in page
        assert 'expire on Jun 8, 2026 <span class="tag">soon</span>' in page

    def test_history_pages_twenty_entries_and_swaps_alone_with_htmx(
        self, member_client, premium_member
    ):
        for _ in range(5):
            services.credits_spend(member=premium_member)
            services.credits_return(member=premium_member, note="Replied")
        # 1 grant + 10 entries so far; enough adjustments for a second page.
        staff = MemberFactory(is_staff=True)
        for n in range(12):
            services.credits_adjust(member=premium_member, amount=-1, reason=f"r{n}", actor=staff)
            services.credits_return(member=premium_member)

        first = text(member_client.get(MY_PREMIUM))
        second = member_client.get(MY_PREMIUM + "?page=2", HTTP_HX_REQUEST="true")

        assert "Page 1 of 2" in first
        assert 'href="?page=2" hx-get="?page=2"' in first
        assert first.count("<tr>") == 1 + 20  # the header row and twenty entries
        assert second.status_code == 200
        assert text(second).lstrip().startswith('<section class="card" id="history"')
        assert "Monthly allowance" in text(second)  # the oldest entry is on the last page
        assert "<html" not in text(second)
        assert "HX-Request" in second["Vary"]

    def test_a_staff_adjustment_shows_its_reason_not_the_staff_name(
        self, member_client, premium_member
    ):
        staff = MemberFactory(first_name="Sally", last_name="Staff", is_staff=True)
        services.credits_adjust(
            member=premium_member, amount=-2, reason="Duplicate grant", actor=staff
        )

        page = text(member_client.get(MY_PREMIUM))

        assert "Adjustment" in page
        assert "Duplicate grant" in page
        assert "by InMail staff" in page
        assert "Sally" not in page

    def test_a_cancelled_plan_shows_its_end_and_reactivate(self, member_client, premium_member):
        services.subscription_cancel(member=premium_member)

        page = text(member_client.get(MY_PREMIUM))

        assert "ends on <strong>Apr 10, 2026</strong>" in page
        assert reverse("premium:reactivate") in page
        assert "Next allowance" not in page

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get(MY_PREMIUM)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# Checkout: start and change


@pytest.mark.django_db
class TestCheckout:
    def test_the_confirmation_says_no_payment_is_taken(self, member_client, clock):
        response = member_client.get(checkout_url("premium-pro"))

        page = text(response)
        assert response.status_code == 200
        assert "no payment is taken and nothing is charged" in page
        assert "15 today, then 15 every month from Apr 10, 2026" in page
        assert not Subscription.objects.exists()

    def test_confirming_starts_the_plan(self, member_client, member, clock):
        response = member_client.post(checkout_url("premium-pro"))

        assert response.status_code == 302
        assert response.url == MY_PREMIUM
        status = services.premium_status(member=member)
        assert status.plan.slug == "premium-pro"
        assert status.balance == 15
        assert "You have 15 InMail credits to use" in text(member_client.get(MY_PREMIUM))

    def test_changing_plan_says_what_it_grants_and_when_the_next_change_is_possible(
        self, member_client, premium_member, clock
    ):
        services.credits_spend(member=premium_member)
        clock.shift(timedelta(days=5))

        response = member_client.get(checkout_url("recruiter-lite"))

        page = text(response)
        assert response.status_code == 200
        assert "Switch to Recruiter Lite" in page
        assert (
            "25 more today (30 a month; you've had 5 this billing month), then 30 every month "
            "from Apr 10, 2026" in page
        )
        assert "You keep your 4 unused InMail credits." in page
        assert (
            "You can change your plan once a billing month. After this change, you can change "
            "your plan again on <strong>Apr 10, 2026</strong>." in page
        )

    def test_a_downgrade_says_how_many_credits_are_forfeited(self, member_client, member, clock):
        subscribe(member, "sales-navigator-core")

        page = text(member_client.get(checkout_url("premium-pro")))

        assert "0 more today (15 a month; you've had 50 this billing month)" in page
        assert (
            "You have <strong>50 unused InMail credits</strong>; Premium Pro holds up to 45, so "
            "switching forfeits <strong>5</strong>." in page
        )

    def test_confirming_a_change_tops_up_the_months_allowance(self, member_client, premium_member):
        response = member_client.post(checkout_url("recruiter-lite"))

        assert response.status_code == 302
        status = services.premium_status(member=premium_member)
        assert status.plan.slug == "recruiter-lite"
        assert status.balance == 30
        grant = LedgerEntry.objects.filter(member=premium_member).first()
        assert (grant.reason, grant.amount, grant.actor) == ("grant", 25, premium_member)
        assert "Welcome to Recruiter Lite! You have 30 InMail credits to use." in text(
            member_client.get(MY_PREMIUM)
        )

    def test_a_second_change_in_the_billing_month_is_refused_and_changes_nothing(
        self, member_client, premium_member
    ):
        member_client.post(checkout_url("premium-pro"))
        before = ledger_size()

        for response in (
            member_client.get(checkout_url("premium-business")),
            member_client.post(checkout_url("premium-business")),
        ):
            assert response.status_code == 409
            assert (
                "You've already changed your plan this billing month. "
                "You can change your plan again on Apr 10, 2026." in text(response)
            )
        assert ledger_size() == before
        assert services.premium_status(member=premium_member).plan.slug == "premium-pro"

    def test_the_next_change_is_possible_again_in_the_next_billing_month(
        self, member_client, premium_member, clock
    ):
        member_client.post(checkout_url("premium-pro"))
        clock.move_to(datetime(2026, 4, 10, 9, 30, tzinfo=UTC))

        response = member_client.post(checkout_url("premium-business"))

        assert response.status_code == 302
        assert services.premium_status(member=premium_member).plan.slug == "premium-business"

    def test_changing_to_the_current_plan_is_refused_and_changes_nothing(
        self, member_client, premium_member
    ):
        before = ledger_size()

        for response in (
            member_client.get(checkout_url("premium-essentials")),
            member_client.post(checkout_url("premium-essentials")),
        ):
            assert response.status_code == 409
            assert "You're already on Premium Essentials." in text(response)
        assert ledger_size() == before
        assert Subscription.objects.filter(member=premium_member).count() == 1

    def test_an_inactive_plan_is_refused_and_changes_nothing(self, member_client, member):
        Plan.objects.filter(slug="premium-business").update(is_active=False)

        for response in (
            member_client.get(checkout_url("premium-business")),
            member_client.post(checkout_url("premium-business")),
        ):
            assert response.status_code == 400
            assert "Premium Business is no longer offered. Choose another plan." in text(response)
        assert not Subscription.objects.exists()
        assert "Start Premium Business" not in text(member_client.get(MY_PREMIUM))

    def test_an_unknown_plan_is_404(self, member_client):
        assert member_client.get(checkout_url("gold")).status_code == 404

    def test_a_resubmitted_start_subscribes_once(self, member_client, member):
        member_client.post(checkout_url("premium-pro"))
        again = member_client.post(checkout_url("premium-pro"))

        assert again.status_code == 409
        assert Subscription.objects.filter(member=member).count() == 1
        assert services.premium_status(member=member).balance == 15


# Cancel and reactivate


@pytest.mark.django_db
class TestCancelAndReactivate:
    def test_cancel_confirmation_says_when_the_plan_ends(self, member_client, premium_member):
        page = text(member_client.get(reverse("premium:cancel")))

        assert "Your plan stays until <strong>Apr 10, 2026</strong>" in page
        assert "5 InMail credits left" in page

    def test_cancelling_keeps_the_plan_to_the_end_of_the_month(
        self, member_client, premium_member, clock
    ):
        response = member_client.post(reverse("premium:cancel"))

        assert response.status_code == 302
        assert "It stays yours, credits included, until Apr 10, 2026." in text(
            member_client.get(MY_PREMIUM)
        )
        clock.move_to(START + timedelta(days=31))
        assert services.premium_status(member=premium_member).balance == 0
        assert "You're on the free plan" in text(member_client.get(MY_PREMIUM))

    def test_cancelling_without_a_plan_is_refused(self, member_client):
        for response in (
            member_client.get(reverse("premium:cancel")),
            member_client.post(reverse("premium:cancel")),
        ):
            assert response.status_code == 409
            assert "There is no Premium plan to cancel." in text(response)

    def test_reactivating_undoes_the_cancellation(self, member_client, premium_member):
        services.subscription_cancel(member=premium_member)

        response = member_client.post(reverse("premium:reactivate"))

        assert response.status_code == 302
        assert services.premium_status(member=premium_member).ends_at is None

    def test_reactivating_an_active_plan_is_refused(self, member_client, premium_member):
        response = member_client.post(reverse("premium:reactivate"))

        assert response.status_code == 409
        assert "There is no cancelled plan to reactivate." in text(response)


# Open Profile and the Premium badge


@pytest.mark.django_db
class TestOpenProfile:
    url = reverse("premium:open_profile")

    def test_a_free_member_is_offered_premium_instead_of_the_setting(self, member_client):
        page = text(member_client.get(reverse("accounts:settings")))

        assert "It comes with Premium." in page
        assert 'name="open_profile"' not in page

    def test_turning_it_on_without_a_plan_is_refused(self, member_client, member):
        response = member_client.post(self.url, {"open_profile": "on"})

        assert response.status_code == 403
        assert "Open Profile comes with Premium." in text(response)
        member.refresh_from_db()
        assert not member.open_profile

    def test_a_premium_member_turns_it_on_and_off(self, member_client, premium_member):
        assert 'name="open_profile"' in text(member_client.get(reverse("accounts:settings")))

        response = member_client.post(self.url, {"open_profile": "on"})

        assert response.status_code == 302
        premium_member.refresh_from_db()
        assert premium_member.open_profile
        member_client.post(self.url, {})
        premium_member.refresh_from_db()
        assert not premium_member.open_profile

    def test_it_is_post_only(self, member_client, premium_member):
        assert member_client.get(self.url).status_code == 405


@pytest.mark.django_db
def test_premium_members_wear_the_badge_on_profiles_and_in_search(member_client, other):
    subscribe(other, "sales-navigator-core")
    free = MemberFactory(first_name="Free", last_name="Hopper")

    profile = text(member_client.get(other.get_absolute_url()))
    results = text(member_client.get(reverse("accounts:search") + "?q=hopper"))

    assert 'title="Premium member"' in profile
    assert results.count('title="Premium member"') == 1
    assert free.full_name in results


@pytest.mark.django_db
def test_the_badge_goes_when_a_cancelled_plan_ends(member_client, other):
    with time_machine.travel(START, tick=False) as traveller:
        subscribe(other)
        services.subscription_cancel(member=other)
        traveller.move_to(START + timedelta(days=31))

        assert 'title="Premium member"' not in text(member_client.get(other.get_absolute_url()))


@pytest.mark.django_db
def test_the_top_bar_links_to_my_premium(member_client):
    page = text(member_client.get(reverse("home")))

    assert f'href="{MY_PREMIUM}"' in page
    assert Member.objects.count() == 1


@pytest.mark.django_db
def test_my_premium_reads_the_plans_once_and_shows_a_plans_change_at_once(member_client):
    """The plans are kept in the shared cache for every member's My Premium, until one is saved
    or deleted (as staff do in the admin)."""
    member_client.get(MY_PREMIUM)
    plan = Plan.objects.get(slug="premium-pro")

    with CaptureQueriesContext(connection) as cached:
        member_client.get(MY_PREMIUM)
    plan.monthly_price = Decimal("12.34")
    plan.save()
    repriced = member_client.get(MY_PREMIUM).content.decode()
    Plan.objects.get(slug="premium-business").delete()
    withdrawn = member_client.get(MY_PREMIUM).content.decode()

    assert not [q for q in cached.captured_queries if 'FROM "premium_plan"' in q["sql"]]
    assert "$12.34" in repriced
    assert "Premium Business" in repriced
    assert "Premium Business" not in withdrawn
