"""Messaging on a phone (390 px): the list and a conversation are separate screens."""

import re

import pytest
from playwright.sync_api import expect

from inmail import services
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, connect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server, premium_plans):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_list_and_the_conversation_are_separate_screens(phone):
    page = phone
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    connect(ada, grace)
    conversation = services.message_send(
        sender=grace, recipient=ada, body="Lunch on Friday?"
    ).conversation

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    rows = page.get_by_role("list", name="Conversations")
    expect(rows).to_be_visible()
    expect(page.locator("#thread-pane")).to_be_hidden()

    rows.get_by_role("link", name=re.compile("Grace Hopper")).click()
    heading = page.locator("#thread-heading")
    expect(heading).to_be_focused()
    expect(page.locator("#thread-pane").get_by_text("Lunch on Friday?")).to_be_visible()
    expect(rows).to_be_hidden()

    page.get_by_role("link", name="Back to conversations").click()
    expect(rows).to_be_visible()
    expect(page.locator("#thread-pane")).to_be_hidden()

    # By its address, and after a reload, the conversation is the screen, with the way back.
    page.goto(conversation.get_absolute_url())
    expect(page.locator("#thread-pane").get_by_text("Lunch on Friday?")).to_be_visible()
    expect(page.get_by_role("link", name="Back to conversations")).to_be_visible()
    expect(rows).to_be_hidden()
