"""Live messaging in Chromium, two members' browsers against the real ASGI server (uvicorn):
what one does shows on the other's open pages without a reload (typing, the answer, the credit
back, the message, the row at the top, "Seen"), and a third member's pages get none of it. Then two
server processes sharing Redis: a message sent through one reaches a page of the other."""

import os
import re
import uuid

import pytest
from playwright.sync_api import expect

from inmail import services
from tests.e2e.pages import sign_in
from tests.e2e.servers import AsgiServer, environment
from tests.factories import PASSWORD, MemberFactory, connect, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


# Four browsers and their streams on one server, in a CI run where the other half of the
# suite runs beside it: a page's first live event, or a sign-in, can take longer there than
# the 5 and 10 s the other browser tests wait (the development mode's server the longest).
PATIENCE_MS = 20_000


@pytest.fixture(autouse=True)
def _patient_expectations():
    expect.set_options(timeout=PATIENCE_MS)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests after these


def signed_in(open_page, server, member, path):
    page = open_page(server.url)
    page.context.set_default_timeout(PATIENCE_MS)
    sign_in(page, member.email, PASSWORD)
    page.goto(path)
    # The stream is open once its first event (the catch-up) has come.
    expect(page.locator("html[data-live-events]")).to_be_attached()
    page.evaluate("window.notReloaded = true")
    return page


def assert_not_reloaded(page):
    assert page.evaluate("window.notReloaded") is True


def thread(page, conversation):
    return page.locator(f"#messages-{conversation.pk}")


def test_the_other_members_typing_answer_and_message_show_without_a_reload(asgi_server, open_page):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")
    dan = MemberFactory(first_name="Dan", last_name="Brown")
    alan = MemberFactory(first_name="Alan", last_name="Turing", email="alan@example.com")
    subscribe(ada)  # 5 credits
    inmail = services.message_send(
        sender=ada, recipient=grace, subject="A role at Analytical Engines", body="Interested?"
    ).conversation
    connect(dan, grace)
    dans = services.message_send(sender=dan, recipient=grace, body="Lunch on Friday?").conversation
    connect(dan, alan)
    alans = services.message_send(sender=dan, recipient=alan, body="Hi Alan").conversation

    grace_page = signed_in(open_page, asgi_server, grace, inmail.get_absolute_url())
    ada_page = signed_in(open_page, asgi_server, ada, inmail.get_absolute_url())
    ada_credits = ada_page.context.new_page()
    ada_credits.goto("/premium/")
    expect(ada_credits.locator(".credits-big")).to_have_text("4 InMail credits left")
    alan_page = signed_in(open_page, asgi_server, alan, "/messaging/")

    # Grace types: Ada's open thread says so, and stops saying so 6 s later.
    grace_page.get_by_label("Write a message").press_sequentially("Let me ")
    typing = ada_page.locator(f"#typing-{inmail.pk}")
    expect(typing).to_have_text("Grace is typing…")
    expect(typing.get_by_text("Grace is typing…")).to_be_hidden(timeout=10_000)

    # Grace answers: Ada's thread shows the answer and lets her write again; her other tab
    # shows the credit that came back.
    grace_page.get_by_role("button", name="Interested", exact=True).click()
    expect(thread(ada_page, inmail)).to_contain_text("Interested — thanks for reaching out")
    expect(ada_page.get_by_label("Write a message")).to_be_visible()
    expect(ada_credits.locator(".credits-big")).to_have_text("5 InMail credits left")

    # Grace writes to Dan in another tab: in this one, Dan's conversation goes to the top of
    # the list, read (she wrote in it).
    rows = grace_page.locator("#conversations > li")
    grace_dan = grace_page.context.new_page()
    grace_dan.goto(dans.get_absolute_url())
    grace_dan.get_by_label("Write a message").fill("See you Friday")
    grace_dan.get_by_role("button", name="Send").click()
    expect(rows.first).to_contain_text("You: See you Friday")
    expect(grace_page.locator("#unread-badge")).to_have_class("badge-count is-empty")

    # Ada writes: the message arrives at the bottom of Grace's open thread, the conversation
    # goes back to the top of her list, and as she is reading it, it is not counted unread.
    ada_page.get_by_label("Write a message").fill("Wonderful. Monday at ten?")
    ada_page.get_by_role("button", name="Send").click()
    expect(thread(grace_page, inmail).locator("li").last).to_contain_text(
        "Wonderful. Monday at ten?"
    )
    expect(rows.first).to_contain_text("Ada Lovelace")
    expect(rows.first).to_contain_text("Wonderful. Monday at ten?")
    expect(rows.first).to_have_class("conversation-row is-current")
    expect(grace_page.locator("#unread-badge")).to_have_class("badge-count is-empty")
    expect(grace_dan.locator(f"#conversation-{inmail.pk}")).to_have_class("conversation-row")
    # Ada's own page shows her message once, and as Grace is reading it, "Seen" under it.
    expect(thread(ada_page, inmail).get_by_text("Wonderful. Monday at ten?")).to_have_count(1)
    expect(thread(ada_page, inmail).locator("li").last.locator(".message__receipt")).to_have_text(
        re.compile(r"^Seen \d")
    )
    expect(ada_page.locator(".message__receipt")).to_have_count(1)

    assert_not_reloaded(grace_page)
    assert_not_reloaded(ada_page)

    # Alan's page got nothing of theirs: the first event after his catch-up is his own.
    alan_second_tab = alan_page.context.new_page()
    alan_second_tab.goto(alans.get_absolute_url())
    alan_second_tab.get_by_role("button", name="Mark unread").click()
    expect(alan_page.locator(f"#conversation-{alans.pk}")).to_have_class(
        "conversation-row is-unread"
    )
    events = alan_page.evaluate("window.liveEvents")
    assert not [event for event in events if "Grace" in event or "Ada" in event]
    assert all(f"conversation-{inmail.pk}" not in event for event in events)


def test_a_message_through_one_server_process_reaches_a_page_of_the_other(
    site_mode, premium_plans, open_page
):
    prefix = f"test-{uuid.uuid4()}"
    servers = [
        AsgiServer(environment(mode=site_mode, redis_url=TEST_REDIS_URL, prefix=prefix), wait=False)
        for _ in range(2)
    ]
    try:
        for server in servers:
            server.wait_until_up()
        ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
        grace = MemberFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")
        connect(ada, grace)
        conversation = services.message_send(
            sender=grace, recipient=ada, body="Hello Ada"
        ).conversation
        ada_page = signed_in(open_page, servers[0], ada, conversation.get_absolute_url())
        grace_page = signed_in(open_page, servers[1], grace, "/messaging/")

        ada_page.get_by_label("Write a message").fill("Hello Grace, from the other server")
        ada_page.get_by_role("button", name="Send").click()

        row = grace_page.locator(f"#conversation-{conversation.pk}")
        expect(row).to_contain_text("Hello Grace, from the other server")
        expect(row).to_have_class("conversation-row is-unread")
        expect(grace_page.locator("#unread-badge")).to_have_text("1")
        assert_not_reloaded(grace_page)
    finally:
        for server in servers:
            server.stop()
