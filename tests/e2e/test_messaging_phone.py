"""Messaging on a phone (390 × 844): the list and a conversation are separate screens.

However a conversation is opened — by a tap on its row, by its address, from the link in an
email (signed in or not), after a refresh, after Back or Forward — the phone shows the
conversation alone with a back arrow to the list; /messaging/ shows the list alone. In both
site modes (DEBUG on adds django-htmx's debug script).
"""

import re

import pytest
from playwright.sync_api import expect

from inmail import services
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, connect, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREAD_URL = re.compile(r"/messaging/thread/\d+/$")
INBOX_URL = re.compile(r"/messaging/$")


@pytest.fixture
def phone(browser, live_server, premium_plans):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, has_touch=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def ada(db):
    return MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")


@pytest.fixture
def conversation(ada):
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    connect(ada, grace)
    return services.message_send(sender=grace, recipient=ada, body="Lunch on Friday?").conversation


def rows(page):
    return page.get_by_role("list", name="Conversations")


def expect_the_list_alone(page):
    expect(page).to_have_url(INBOX_URL)
    expect(rows(page)).to_be_visible()
    expect(page.locator("#thread-pane")).to_be_hidden()
    expect(page.get_by_role("heading", name="Messaging", level=1)).to_be_visible()


def expect_the_conversation_alone(page, body="Lunch on Friday?"):
    expect(page).to_have_url(THREAD_URL)
    expect(page.locator("#thread-pane").get_by_text(body)).to_be_visible()
    expect(page.get_by_role("link", name="Back to conversations")).to_be_visible()
    expect(rows(page)).to_be_hidden()
    # The page keeps one <h1> (the list's, out of sight) for screen readers.
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def tap_conversation(page, name="Grace Hopper"):
    rows(page).get_by_role("link", name=re.compile(name)).tap()
    expect_the_conversation_alone(page)
    expect(page.locator("#thread-heading")).to_be_focused()


def test_by_a_tap_and_back_by_the_arrow(phone, ada, conversation):
    page = phone
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    expect_the_list_alone(page)

    tap_conversation(page)
    expect(page).to_have_url(re.compile(rf"/messaging/thread/{conversation.pk}/$"))

    page.get_by_role("link", name="Back to conversations").tap()
    expect_the_list_alone(page)


def test_by_its_address_and_after_a_refresh(phone, ada, conversation):
    page = phone
    sign_in(page, "ada@example.com", PASSWORD)

    page.goto(conversation.get_absolute_url())
    expect_the_conversation_alone(page)

    page.reload()
    expect_the_conversation_alone(page)


def test_after_a_tap_a_refresh_keeps_the_conversation(phone, ada, conversation):
    page = phone
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    tap_conversation(page)

    page.reload()
    expect_the_conversation_alone(page)


def test_back_and_forward_after_a_tap(phone, ada, conversation):
    page = phone
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    tap_conversation(page)

    page.go_back()
    expect_the_list_alone(page)

    page.go_forward()
    expect_the_conversation_alone(page)


def test_back_from_a_profile_opened_in_the_conversation(phone, ada, conversation):
    page = phone
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    tap_conversation(page)
    page.locator("#thread-heading").get_by_role("link", name="Grace Hopper").tap()
    expect(page.get_by_role("heading", name=re.compile("Grace Hopper"), level=1)).to_be_visible()

    page.go_back()
    expect_the_conversation_alone(page)

    page.get_by_role("link", name="Back to conversations").tap()
    expect_the_list_alone(page)
    page.go_back()
    expect_the_conversation_alone(page)


@pytest.fixture
def emailed_link(settings, live_server, mailoutbox, ada):
    """The link in the email of Grace's InMail to Ada, to this server."""
    settings.SITE_URL = live_server.url
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    subscribe(grace)
    services.message_send(
        sender=grace, recipient=ada, subject="A role", body="Would you like to talk?"
    )
    [email] = mailoutbox
    return re.search(r"^http\S+/messaging/thread/\d+/$", email.body, flags=re.MULTILINE).group()


def test_from_the_email_link_signed_in(phone, emailed_link):
    page = phone
    sign_in(page, "ada@example.com", PASSWORD)

    page.goto(emailed_link)
    expect_the_conversation_alone(page, "Would you like to talk?")
    expect(page.get_by_role("button", name="Interested", exact=True)).to_be_visible()


def test_from_the_email_link_signed_out_after_signing_in(phone, emailed_link):
    page = phone

    page.goto(emailed_link)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(emailed_link)
    expect_the_conversation_alone(page, "Would you like to talk?")
