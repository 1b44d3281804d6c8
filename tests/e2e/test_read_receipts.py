"""Read receipts in Chromium: "Seen" under my message once the other member read it, and
the setting in /settings/ that turns them off (with htmx, and without JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Member
from inmail import services
from tests.e2e.pages import sign_in, sign_out
from tests.factories import PASSWORD, MemberFactory, connect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada_wrote_to_grace(db):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")
    connect(ada, grace)
    services.message_send(sender=ada, recipient=grace, body="Hi Grace")
    return services.message_send(sender=ada, recipient=grace, body="Lunch on Friday?").conversation


def open_conversation(page, name):
    page.goto("/messaging/")
    page.get_by_role("list", name="Conversations").get_by_role(
        "link", name=re.compile(name)
    ).click()
    expect(page.locator("#thread-heading")).to_contain_text(name)


def test_seen_appears_under_my_message_after_the_other_member_read_it(
    page, site_mode, ada_wrote_to_grace
):
    conversation = ada_wrote_to_grace
    receipt = page.locator(f"#read-receipt-{conversation.pk}")
    messages = page.get_by_role("list", name="Messages")

    sign_in(page, "ada@example.com", PASSWORD)
    open_conversation(page, "Grace Hopper")
    expect(messages.get_by_text("Lunch on Friday?")).to_be_visible()
    expect(receipt).to_have_count(0)  # Grace hasn't read it yet
    sign_out(page)

    sign_in(page, "grace@example.com", PASSWORD)
    open_conversation(page, "Ada Lovelace")
    expect(messages.get_by_text("Lunch on Friday?")).to_be_visible()
    sign_out(page)

    sign_in(page, "ada@example.com", PASSWORD)
    open_conversation(page, "Grace Hopper")
    last = messages.get_by_role("listitem").last
    expect(last).to_contain_text("Lunch on Friday?")
    expect(last.locator(f"#read-receipt-{conversation.pk}")).to_have_text(
        re.compile(r"^Seen \d{1,2}:\d\d [AP]M$")
    )
    expect(receipt.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(messages.get_by_text("Seen")).to_have_count(1)

    # Turned off in Settings (saved with htmx, the page stays), "Seen" is gone: both ways.
    page.goto("/settings/")
    checkbox = page.get_by_role("checkbox", name="Read receipts")
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").filter(has_text="Your settings were saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Save settings")).to_be_focused()
    expect(page.get_by_role("checkbox", name="Read receipts")).not_to_be_checked()
    assert Member.objects.get(email="ada@example.com").read_receipts is False

    page.goto(conversation.get_absolute_url())
    expect(messages.get_by_text("Lunch on Friday?")).to_be_visible()
    expect(receipt).to_have_count(0)


def test_read_receipts_turn_back_on_without_javascript(browser, live_server, premium_plans):
    MemberFactory(email="ada@example.com", read_receipts=False)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/settings/")
    page.get_by_role("checkbox", name="Read receipts").check()
    page.get_by_role("button", name="Save settings").click()

    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(page.get_by_text("Your settings were saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Read receipts")).to_be_checked()
    assert Member.objects.get(email="ada@example.com").read_receipts is True
    context.close()
