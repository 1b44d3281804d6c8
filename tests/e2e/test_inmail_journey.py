"""InMail in Chromium: the issue's journey, the same send without JavaScript, the inbox's
panes and filters, and a Send that is double-clicked or posted twice at once."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Member
from demo.text import DEMO_PASSWORD
from inmail import services
from inmail.models import Conversation, Message
from premium.models import LedgerEntry
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, connect, subscribe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

THREAD_URL = re.compile(r"/messaging/thread/(\d+)/$")


def new_page(browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def mark_page(page):
    """Set a marker that only survives as long as the document does: no page load."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page):
    assert page.evaluate("window.__marker") == 1


def open_compose_window(page, member, title="New InMail"):
    page.goto(member.get_absolute_url())
    page.locator(".profile__head .actions").get_by_role("link", name="Message").click()
    window = page.get_by_role("dialog", name=title)
    expect(window).to_be_visible()
    return window


def test_essentials_member_sends_an_inmail_and_gets_the_credit_back_when_answered(
    page, browser, live_server
):
    call_command("seed_demo", "--members", "40", stdout=None)
    zelda = MemberFactory(
        first_name="Zelda",
        last_name="Quintero",
        headline="Head of Growth at Northwind",
        email="zelda@example.com",
    )
    priya = Member.objects.get(email="essentials@example.com")

    # The sender finds Zelda with the top bar's search and opens her profile.
    sign_in(page, "essentials@example.com", DEMO_PASSWORD)
    page.get_by_placeholder("Search people").fill("Quintero")
    page.get_by_placeholder("Search people").press("Enter")
    row = page.locator(".member-row", has_text="Zelda Quintero")
    expect(row.get_by_text("· 3rd+")).to_be_visible()
    row.get_by_role("link", name="Zelda Quintero").click()

    expect(page.get_by_role("heading", name=re.compile("Zelda Quintero"), level=1)).to_be_visible()
    expect(page.locator(".profile__head").get_by_text("· 3rd+")).to_be_visible()
    profile_url = page.url

    # Beside Message, the remaining-credit badge.
    badge = page.locator(".profile__head .credits-badge")
    expect(badge).to_have_text("5 InMail credits left")

    # Message opens the compose window over the profile, with the credit box.
    mark_page(page)
    page.locator(".profile__head .actions").get_by_role("link", name="Message").click()
    window = page.get_by_role("dialog", name="New InMail")
    expect(window).to_be_visible()
    box = window.get_by_label("Premium")
    expect(box.locator(".premium-box__label")).to_have_text("PREMIUM", use_inner_text=True)
    expect(box.get_by_text("5 InMail credits left")).to_be_visible()

    subject = "Growth lead role at Contoso"
    body = "Hi Zelda, your work at Northwind caught my eye. Could we talk this week?"
    subject_counter = window.locator("[data-counter-for=compose_subject]")
    body_counter = window.locator("[data-counter-for=compose_body]")
    expect(subject_counter).to_have_text("0/200")
    expect(body_counter).to_have_text("0/2,000")
    window.get_by_label("Subject").fill(subject)
    window.get_by_label("Message", exact=True).fill(body)
    expect(subject_counter).to_have_text(f"{len(subject)}/200")
    expect(body_counter).to_have_text(f"{len(body)}/2,000")

    window.get_by_role("button", name="Send").click()

    sent = page.get_by_role("dialog", name="Sent")
    expect(sent.get_by_text("InMail sent to Zelda")).to_be_visible()
    expect(sent.get_by_text(subject)).to_be_visible()
    expect(sent.get_by_text("4 InMail credits left")).to_be_visible()
    expect(badge).to_have_text("4 InMail credits left")  # updated in place, out of band
    assert_not_reloaded(page)
    assert page.url == profile_url
    conversation = Conversation.objects.get(starter=priya, recipient=zelda)
    assert (conversation.kind, conversation.subject) == ("inmail", subject)
    page.keyboard.press("Escape")
    expect(sent).to_be_hidden()

    # Zelda signs in elsewhere: the badge counts the new conversation.
    context, zelda_page = new_page(browser, live_server)
    try:
        sign_in(zelda_page, "zelda@example.com", PASSWORD)
        nav = zelda_page.get_by_role("navigation", name="Main")
        expect(nav.locator("#unread-badge")).to_have_text("1")
        expect(nav.get_by_label("1 unread conversation")).to_be_visible()
        nav.get_by_role("link", name=re.compile("Messaging")).click()

        row = zelda_page.locator(".conversation-row", has_text="Priya Raman")
        expect(row.locator(".inmail-label")).to_have_text("InMail")
        expect(row.get_by_text(subject)).to_be_visible()
        expect(row.get_by_text("Unread", exact=True)).to_be_attached()

        # Opening it swaps the thread pane in and pushes the thread's URL.
        mark_page(zelda_page)
        row.get_by_role("link").click()
        expect(zelda_page).to_have_url(re.compile(rf"/messaging/thread/{conversation.pk}/$"))
        pane = zelda_page.locator("#thread-pane")
        expect(pane.locator(".thread__subject")).to_contain_text(subject)
        expect(pane.get_by_text(body)).to_be_visible()
        expect(nav.locator("#unread-badge")).to_have_text("")
        assert_not_reloaded(zelda_page)

        pane.get_by_role("button", name="Interested", exact=True).click()
        expect(pane.get_by_text(services.INTERESTED_BODY)).to_be_visible()
        expect(pane.get_by_role("button", name="Interested", exact=True)).to_have_count(0)
        assert_not_reloaded(zelda_page)
    finally:
        context.close()

    # Back to the sender: the credit is back, and the history says why.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My Premium").click()
    expect(page.locator(".credits-big")).to_have_text("5 InMail credits left")
    credit_back = page.get_by_role("row").filter(has_text="Zelda Quintero answered your InMail")
    expect(credit_back.get_by_role("cell").nth(1)).to_have_text(
        re.compile(r"^Credit back\b.*Zelda Quintero answered your InMail")
    )
    expect(credit_back.get_by_role("cell").nth(2)).to_have_text("+1")
    conversation.refresh_from_db()
    assert conversation.response == "interested"


def test_inmail_sends_without_javascript(browser, live_server, premium_plans):
    sender = MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    subscribe(sender, "premium-essentials")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    context, page = new_page(browser, live_server, java_script_enabled=False)
    try:
        sign_in(page, "ada@example.com", PASSWORD)
        page.goto(grace.get_absolute_url())
        page.locator(".profile__head .actions").get_by_role("link", name="Message").click()

        expect(page).to_have_url(re.compile(rf"/messaging/compose/{grace.slug}/$"))
        # Without JavaScript the window is a page of its own, not a dialog.
        expect(page.get_by_role("heading", name="New InMail", level=1)).to_be_visible()
        window = page.get_by_role("region", name="New InMail")
        expect(window.get_by_text("5 InMail credits left")).to_be_visible()
        window.get_by_label("Subject").fill("Compilers")
        window.get_by_label("Message", exact=True).fill("Would you review my compiler notes?")
        window.get_by_role("button", name="Send").click()

        expect(page).to_have_url(THREAD_URL)
        expect(page.get_by_role("status")).to_have_text(
            "Sent to Grace Hopper. You have 4 InMail credits left."
        )
        pane = page.locator("#thread-pane")
        expect(pane.locator(".thread__subject")).to_contain_text("Compilers")
        expect(pane.get_by_text("Would you review my compiler notes?")).to_be_visible()
        thread_url = page.url
    finally:
        context.close()

    message = Message.objects.get()
    assert (message.author, message.body) == (sender, "Would you review my compiler notes?")
    assert thread_url.endswith(f"/messaging/thread/{message.conversation_id}/")
    assert LedgerEntry.objects.filter(member=sender, reason="spend").count() == 1


def test_inbox_filters_open_a_thread_go_back_and_archive_without_reloading(page):
    ada = MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    alan = MemberFactory(first_name="Alan", last_name="Turing")
    recruiter = MemberFactory(first_name="Rosa", last_name="Recruiter")
    connect(ada, grace)
    connect(ada, alan)
    subscribe(recruiter, "premium-essentials")
    services.message_send(sender=ada, recipient=alan, body="Lunch on Friday?")
    services.message_send(sender=grace, recipient=ada, body="Your notes on the engine are great.")
    services.message_send(
        sender=recruiter, recipient=ada, subject="A role for you", body="Are you open to offers?"
    )
    from_grace = Conversation.objects.get(starter=grace)

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    rows = page.locator("#conversation-list .conversation-row")
    expect(rows).to_have_count(3)
    filters = page.get_by_role("navigation", name="Filter conversations")

    # Unread: the list alone is replaced, and the URL is pushed.
    mark_page(page)
    filters.get_by_role("link", name="Unread").click()
    expect(page).to_have_url(re.compile(r"/messaging/\?filter=unread$"))
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Alan Turing")).to_have_count(0)
    expect(filters.get_by_role("link", name="Unread")).to_have_attribute("aria-current", "page")

    # InMail: only the recruiter's, labelled.
    filters.get_by_role("link", name="InMail").click()
    expect(page).to_have_url(re.compile(r"/messaging/\?filter=inmail$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Rosa Recruiter")
    expect(rows.first).to_contain_text("A role for you")

    # Back to Unread, then open Grace's conversation in the right pane.
    filters.get_by_role("link", name="Unread").click()
    expect(rows).to_have_count(2)
    rows.filter(has_text="Grace Hopper").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/messaging/thread/{from_grace.pk}/\?filter=unread$"))
    pane = page.locator("#thread-pane")
    expect(pane.get_by_text("Your notes on the engine are great.")).to_be_visible()
    expect(rows.filter(has_text="Grace Hopper")).not_to_have_class(re.compile("is-unread"))

    # The browser's Back returns to the filtered list, with no conversation open.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/messaging/\?filter=unread$"))
    expect(pane.get_by_text("Choose a conversation to read it")).to_be_visible()
    assert_not_reloaded(page)

    # Archive stays in the view: the row reads "Archived · Undo" and the pane empties.
    filters.get_by_role("link", name="All").click()
    expect(rows).to_have_count(3)
    rows.filter(has_text="Grace Hopper").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/messaging/thread/{from_grace.pk}/$"))
    pane.get_by_role("button", name="Archive").click()

    expect(page.locator(f"#conversation-{from_grace.pk}")).to_contain_text("Archived · Undo")
    expect(page).to_have_url(re.compile(r"/messaging/$"))
    expect(pane.get_by_text("Choose a conversation to read it")).to_be_visible()
    filters.get_by_role("link", name="Archived").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Grace Hopper")
    filters.get_by_role("link", name="All").click()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Grace Hopper")).to_have_count(0)
    assert_not_reloaded(page)
    assert from_grace.participants.get(member=ada).folder == "archived"


def write_an_inmail_to_grace(page):
    """A Premium member's compose window to a 3rd+ member, filled in and ready to send."""
    sender = MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    subscribe(sender, "premium-essentials")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")

    sign_in(page, "ada@example.com", PASSWORD)
    window = open_compose_window(page, grace)
    window.get_by_label("Subject").fill("Compilers")
    window.get_by_label("Message", exact=True).fill("Would you review my compiler notes?")
    return sender, window


def test_double_clicked_send_sends_once_and_spends_one_credit(page):
    sender, window = write_an_inmail_to_grace(page)
    window.get_by_role("button", name="Send").dblclick()

    sent = page.get_by_role("dialog", name="Sent")
    expect(sent.get_by_text("InMail sent to Grace")).to_be_visible()
    expect(sent.get_by_text("4 InMail credits left")).to_be_visible()
    assert Message.objects.count() == 1
    assert LedgerEntry.objects.filter(member=sender, reason="spend").count() == 1


def test_the_same_inmail_form_posted_twice_at_once_sends_once_and_spends_once(page):
    """Past the disabled button: two posts of one form (one token) race on the server, and
    both get the conversation."""
    sender, window = write_an_inmail_to_grace(page)
    responses = post_the_compose_form_twice_at_once(page)

    message = Message.objects.get()
    assert responses == [[200, message.conversation.get_absolute_url()]] * 2
    assert LedgerEntry.objects.filter(member=sender, reason="spend").count() == 1
    page.goto("/premium/")
    expect(page.locator(".credits-big")).to_have_text("4 InMail credits left")


def test_the_same_message_form_to_a_connection_posted_twice_at_once_sends_once(page):
    """A connection's messages are never held back by a pending InMail: only the form's token
    stops the second post."""
    sender = MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    connect(sender, grace)

    sign_in(page, "ada@example.com", PASSWORD)
    window = open_compose_window(page, grace, title="New message")
    window.get_by_label("Message", exact=True).fill("Coffee tomorrow?")
    responses = post_the_compose_form_twice_at_once(page)

    message = Message.objects.get()
    assert message.body == "Coffee tomorrow?"
    assert responses == [[200, message.conversation.get_absolute_url()]] * 2
    assert not LedgerEntry.objects.filter(member=sender, reason="spend").exists()


def post_the_compose_form_twice_at_once(page):
    """Post the open compose window's form twice in parallel, as a plain form post would
    (followed to the conversation): [[status, path], [status, path]]."""
    return page.evaluate(
        """async () => {
            const form = document.querySelector("#compose-window form");
            const post = () => fetch(form.action, {method: "POST", body: new FormData(form)});
            const responses = await Promise.all([post(), post()]);
            return responses.map((r) => [r.status, new URL(r.url).pathname]);
        }"""
    )
