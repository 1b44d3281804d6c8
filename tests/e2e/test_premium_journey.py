"""Premium in Chromium: the demo account's My Premium, and a member choosing and switching plans."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.text import DEMO_PASSWORD
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_essentials_demo_account_sees_its_plan_and_five_credits(page):
    call_command("seed_demo", "--members", "40", stdout=None)

    sign_in(page, "essentials@example.com", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My Premium").click()

    expect(page.get_by_role("heading", name="Premium Essentials", level=1)).to_be_visible()
    expect(page.get_by_text("5 InMail credits left").first).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Monthly allowance"))).to_be_visible()


def test_free_member_starts_a_plan_then_switches_once_this_billing_month(page):
    MemberFactory(email="nina@example.com", first_name="Nina", last_name="Park")

    sign_in(page, "nina@example.com", PASSWORD)
    page.goto("/premium/")
    expect(page.get_by_text("You're on the free plan")).to_be_visible()
    page.get_by_role("link", name="Start Premium Essentials").click()
    expect(page.get_by_text("no payment is taken and nothing is charged")).to_be_visible()
    page.get_by_role("button", name="Start Premium Essentials").click()

    expect(page.get_by_text("Welcome to Premium Essentials!")).to_be_visible()
    expect(page.locator(".credits-big")).to_have_text("5 InMail credits left")

    page.get_by_role("link", name="Switch to Recruiter Lite").click()
    expect(page.get_by_text("You keep your 5 unused InMail credits.")).to_be_visible()
    expect(page.get_by_text("After this change, you can change your plan again on")).to_be_visible()
    page.get_by_role("button", name="Switch to Recruiter Lite").click()

    # This month's allowance topped up to Recruiter Lite's 30; no second change this month.
    expect(page.locator(".credits-big")).to_have_text("30 InMail credits left")
    expect(page.get_by_role("cell", name=re.compile("topped up from 5 to 30"))).to_be_visible()
    expect(page.get_by_text("You've changed your plan this billing month.")).to_be_visible()
    expect(page.get_by_role("link", name="Switch to Premium Pro")).to_have_count(0)

    # Open Profile is now offered in Settings.
    page.goto("/settings/")
    page.get_by_role("checkbox", name=re.compile("Open Profile")).check()
    page.get_by_role("button", name="Save Open Profile").click()
    expect(page.get_by_text("Open Profile is on")).to_be_visible()
