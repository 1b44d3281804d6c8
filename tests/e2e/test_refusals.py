"""Refusals in Chromium, in production and in development mode: a refused send, reply or
invitation is shown inside the form that was sent, never in place of the page."""

import pytest
from playwright.sync_api import expect

from inmail import services
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, connect, subscribe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def mark_page(page):
    page.evaluate("window.__marker = 1")


def assert_same_document(page):
    """No reload and no document swapped in: the marker and the stylesheet are both there."""
    assert page.evaluate("window.__marker") == 1
    expect(page.locator("header.topbar")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"


def test_refused_sends_show_in_the_compose_window_then_it_sends(page, site_mode):
    sender = MemberFactory(first_name="Priya", last_name="Raman", email="priya@example.com")
    subscribe(sender)
    zelda = MemberFactory(first_name="Zelda", last_name="Quintero")

    sign_in(page, "priya@example.com", PASSWORD)
    page.goto(zelda.get_absolute_url())
    mark_page(page)
    page.locator(".profile__head .actions").get_by_role("link", name="Message").click()
    window = page.get_by_role("dialog", name="New InMail")

    window.get_by_role("button", name="Send").click()
    expect(window.get_by_role("alert")).to_have_text("Write a message before sending.")
    assert_same_document(page)

    window.get_by_label("Message", exact=True).fill("Hello Zelda")
    window.get_by_role("button", name="Send").click()
    expect(window.get_by_role("alert")).to_have_text("Add a subject: an InMail needs one.")
    expect(window.get_by_label("Message", exact=True)).to_have_value("Hello Zelda")
    assert_same_document(page)

    window.get_by_label("Subject").fill("A role at Contoso")
    window.get_by_role("button", name="Send").click()
    sent = page.get_by_role("dialog", name="Sent")
    expect(sent.get_by_text("InMail sent to Zelda")).to_be_visible()
    assert_same_document(page)


def test_a_refused_reply_shows_in_the_thread_then_it_sends(page, site_mode):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    connect(ada, grace)
    services.message_send(sender=grace, recipient=ada, subject="", body="Lunch on Friday?")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    page.locator(".conversation-row", has_text="Grace Hopper").click()
    pane = page.locator("#thread-pane")
    expect(pane.get_by_text("Lunch on Friday?")).to_be_visible()
    mark_page(page)

    pane.get_by_role("button", name="Send").click()
    expect(pane.get_by_role("alert")).to_have_text("Write a message before sending.")
    assert_same_document(page)

    pane.get_by_label("Write a message").fill("Friday works.")
    pane.get_by_role("button", name="Send").click()
    expect(pane.locator(".message--mine", has_text="Friday works.")).to_be_visible()
    assert_same_document(page)


def test_a_refused_invitation_shows_beside_the_buttons(page, site_mode):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(grace.get_absolute_url())
    mark_page(page)
    # They connected in another tab after the page was drawn: this Connect is refused.
    connect(grace, ada)
    page.locator(".profile__head .actions").get_by_role("button", name="Connect").click()
    expect(page.locator(".profile__head").get_by_role("alert")).to_have_text(
        "You're already connected with Grace Hopper."
    )
    assert_same_document(page)
