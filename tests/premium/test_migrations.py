"""The premium data migrations' functions, run against today's models."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from premium.models import Plan, Subscription
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

changes_migration = importlib.import_module("premium.migrations.0004_subscription_changed_at")
caps_migration = importlib.import_module("premium.migrations.0005_recruiter_lite_cap")

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def cap(slug):
    return Plan.objects.get(slug=slug).balance_cap


def test_recruiter_lite_at_the_old_default_cap_moves_to_four_months():
    Plan.objects.filter(slug="recruiter-lite").update(balance_cap=90)

    assert caps_migration.recruiter_caps_at_four_months(apps, None) == 1

    assert cap("recruiter-lite") == 120


def test_a_cap_staff_edited_is_kept():
    Plan.objects.filter(slug="recruiter-lite").update(balance_cap=100)

    assert caps_migration.recruiter_caps_at_four_months(apps, None) == 0

    assert cap("recruiter-lite") == 100


def test_the_default_follows_the_monthly_credits_staff_set():
    Plan.objects.filter(slug="recruiter-lite").update(monthly_credits=40, balance_cap=120)

    caps_migration.recruiter_caps_at_four_months(apps, None)

    assert cap("recruiter-lite") == 160


def test_premium_and_sales_navigator_keep_three_months():
    before = dict(Plan.objects.values_list("slug", "balance_cap"))

    caps_migration.recruiter_caps_at_four_months(apps, None)

    after = dict(Plan.objects.values_list("slug", "balance_cap"))
    assert {slug: after[slug] for slug in after if slug != "recruiter-lite"} == {
        slug: before[slug] for slug in before if slug != "recruiter-lite"
    }
    assert after["premium-pro"] == 45
    assert after["sales-navigator-core"] == 150


def test_a_database_seeded_today_already_has_four_months_and_is_left_alone():
    assert caps_migration.recruiter_caps_at_four_months(apps, None) == 0
    assert cap("recruiter-lite") == 120


def test_reversing_moves_only_the_new_default_back():
    caps_migration.recruiter_caps_at_three_months(apps, None)
    assert cap("recruiter-lite") == 90

    Plan.objects.filter(slug="recruiter-lite").update(balance_cap=100)
    caps_migration.recruiter_caps_at_three_months(apps, None)
    assert cap("recruiter-lite") == 100


def subscription(member, slug, started_at, **fields):
    return Subscription.objects.create(
        member=member,
        plan=Plan.objects.get(slug=slug),
        started_at=started_at,
        period_start=started_at,
        period_end=started_at + timedelta(days=31),
        **fields,
    )


def test_subscriptions_that_began_with_a_plan_change_are_marked_changed():
    member, other = MemberFactory(), MemberFactory()
    changed_at = START + timedelta(days=5)
    subscription(
        member,
        "premium-essentials",
        START,
        status="ended",
        ended_at=changed_at,
        end_reason="changed",
    )
    replacement = subscription(member, "premium-pro", changed_at)
    started = subscription(other, "premium-pro", changed_at)

    changes_migration.mark_earlier_changes(apps, None)

    replacement.refresh_from_db()
    started.refresh_from_db()
    assert replacement.changed_at == changed_at
    assert started.changed_at is None
