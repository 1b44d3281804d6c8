"""Messaging in Chromium, in both site modes, at desktop and phone widths: New message with its
member picker, search, report spam with a reason, archive in place with Undo."""

import re

import pytest
from playwright.sync_api import expect

from inmail import services
from inmail.models import Participant
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, connect, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(params=WIDTHS)
def sized(request, page):
    page.set_viewport_size({"width": WIDTHS[request.param], "height": 844})
    page.width_name = request.param
    return page


@pytest.fixture
def ada_and_grace(db):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    connect(ada, grace)
    conversation = services.message_send(
        sender=grace, recipient=ada, body="Lunch on Friday?"
    ).conversation
    return ada, grace, conversation


def test_report_spam_asks_why_and_stores_the_reason(sized, site_mode, ada_and_grace):
    page = sized
    ada, _grace, conversation = ada_and_grace
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())

    page.locator(".spam-report summary").click()
    reasons = page.get_by_role(
        "group", name="Why are you reporting your conversation with Grace Hopper?"
    )
    expect(reasons).to_be_visible()
    assert_accessible(page, f"report spam reasons at {page.width_name} ({site_mode})")
    reasons.get_by_label("Harassment").check()
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_text("You reported this conversation as spam.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?filter=spam$"))
    participant = Participant.objects.get(member=ada, conversation=conversation)
    assert (participant.folder, participant.spam_reason) == ("spam", "harassment")


def test_archive_shows_archived_with_undo_in_place_and_undo_restores_it(
    sized, site_mode, ada_and_grace
):
    page = sized
    _ada, _grace, conversation = ada_and_grace
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    page.evaluate("window.__marker = 1")
    rows = page.get_by_role("list", name="Conversations")
    rows.get_by_role("link", name=re.compile("Grace Hopper")).click()
    expect(page.locator("#thread-heading")).to_be_focused()

    page.get_by_role("button", name="Archive").click()

    row = page.locator(f"#conversation-{conversation.pk}")
    expect(row).to_contain_text("Archived · Undo")
    undo = row.get_by_role("button", name=re.compile("^Undo"))
    expect(undo).to_be_focused()
    expect(page).to_have_url(re.compile(r"/messaging/$"))
    expect(rows).to_be_visible()
    assert_accessible(page, f"archived row at {page.width_name} ({site_mode})")

    undo.click()
    expect(row.get_by_role("link", name=re.compile("Grace Hopper"))).to_be_visible()
    expect(row).not_to_contain_text("Archived")
    assert page.evaluate("window.__marker") == 1  # all in place: no page load


def test_new_message_picks_a_member_and_opens_the_compose_window_with_its_draft(
    sized, site_mode, ada_and_grace
):
    page = sized
    ada, _grace, _conversation = ada_and_grace
    subscribe(ada)
    MemberFactory(first_name="Zelda", last_name="Hopkins")
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    page.evaluate("window.__marker = 1")

    new_message = page.get_by_role("link", name="New message")
    new_message.click()
    picker = page.get_by_role("dialog", name="New message")
    expect(picker).to_be_visible()
    box = picker.get_by_label("To: type a name")
    expect(box).to_be_focused()
    box.press_sequentially("hop")
    found = picker.get_by_role("list", name="Members you can message").get_by_role("link")
    expect(found).to_have_count(2)
    expect(found.first).to_contain_text("Grace Hopper")  # connections first
    expect(found.nth(1)).to_contain_text("Zelda Hopkins")
    expect(picker.get_by_role("status")).to_have_text("2 members found")
    assert_accessible(page, f"new message picker at {page.width_name} ({site_mode})")

    # From the keyboard: the results follow the box and the Search button.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(found.first).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    window = page.get_by_role("dialog", name="New InMail")
    expect(window.get_by_label("Subject")).to_be_focused()
    window.get_by_label("Subject").fill("Coffee?")
    page.keyboard.press("Escape")
    expect(window).to_be_hidden()
    expect(new_message).to_be_focused()

    # Choosing her again brings the draft back.
    new_message.click()
    expect(box).to_be_focused()
    box.press_sequentially("zelda")  # keys, not one fill(): see the first search above
    picker.get_by_role("link", name=re.compile("Zelda Hopkins")).click()
    expect(window.get_by_label("Subject")).to_have_value("Coffee?")
    assert page.evaluate("window.__marker") == 1


def test_search_in_messaging_lists_matching_conversations_and_keeps_the_term(
    sized, site_mode, ada_and_grace
):
    page = sized
    ada, _grace, _conversation = ada_and_grace
    alan = MemberFactory(first_name="Alan", last_name="Turing")
    connect(ada, alan)
    services.message_send(sender=alan, recipient=ada, body="The machine is ready")
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/messaging/")
    rows = page.get_by_role("list", name="Conversations")
    expect(rows.get_by_role("listitem")).to_have_count(2)

    search = page.get_by_role("searchbox", name="Search messages")
    search.fill("lunch")
    search.press("Enter")

    expect(rows.get_by_role("listitem")).to_have_count(1)
    expect(rows).to_contain_text("Grace Hopper")
    expect(page).to_have_url(re.compile(r"/messaging/\?q=lunch$"))
    expect(page.get_by_role("searchbox", name="Search messages")).to_have_value("lunch")
    assert_accessible(page, f"messaging search at {page.width_name} ({site_mode})")

    search = page.get_by_role("searchbox", name="Search messages")
    search.fill("zeppelin")
    search.press("Enter")
    expect(page.get_by_text("No conversations match “zeppelin”.")).to_be_visible()
