"""Journeys through the real app in Chromium: sign up, search, invite, accept, see 1st."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Connection, Invitation, Member
from tests.e2e.pages import sign_in, sign_out
from tests.factories import PASSWORD, MemberFactory, connect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_signs_in_and_opens_a_profile(page):
    MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = MemberFactory(first_name="Grace", last_name="Hopper", headline="Rear admiral")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(grace.get_absolute_url())

    expect(page.get_by_role("heading", name=re.compile("Grace Hopper"))).to_be_visible()
    expect(page.get_by_text("· 3rd+")).to_be_visible()
    expect(page.get_by_text("Rear admiral")).to_be_visible()


def test_sign_up_search_invite_accept_and_see_first_degree(page):
    grace = MemberFactory(
        email="grace@example.com", first_name="Grace", last_name="Hopper", headline="Admiral"
    )
    friend = MemberFactory(first_name="Alan", last_name="Turing")
    connect(friend, grace)

    # A newcomer signs up and finds Grace: no shared connection yet, so 3rd+.
    page.goto("/")
    page.get_by_role("link", name="Join now").first.click()
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Park")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Agree & Join").click()
    expect(page.get_by_text("Welcome to InMail, Nina!")).to_be_visible()

    page.get_by_placeholder("Search people").fill("hopper")
    page.get_by_placeholder("Search people").press("Enter")
    row = page.locator(".member-row", has_text="Grace Hopper")
    expect(row.get_by_text("· 3rd+")).to_be_visible()

    # Connect swaps the button in place (htmx): no page load.
    page.evaluate("window.before_swap = true")
    row.get_by_role("button", name="Connect").click()
    expect(row.get_by_text("Invitation sent to Grace Hopper.")).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("Pending"))).to_be_visible()
    assert page.evaluate("window.before_swap") is True
    assert Invitation.objects.filter(recipient=grace, status="pending").count() == 1
    sign_out(page)

    # Grace accepts from My Network.
    sign_in(page, "grace@example.com", PASSWORD)
    page.get_by_role("link", name=re.compile("My Network")).click()
    invitation = page.locator(".member-row", has_text="Nina Park")
    invitation.get_by_role("button", name="Accept").click()
    expect(invitation.get_by_text("You're now connected with Nina Park.")).to_be_visible()
    sign_out(page)

    # Nina now sees Grace as a 1st-degree connection.
    sign_in(page, "nina@example.com", "a-long-enough-passphrase")
    page.goto(grace.get_absolute_url())
    expect(page.get_by_text("· 1st")).to_be_visible()
    nina = Member.objects.get(email="nina@example.com")
    assert Connection.objects.filter(member=nina, other=grace).exists()


@pytest.fixture
def page_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_connect_and_withdraw_work_without_javascript(page_without_javascript):
    page = page_without_javascript
    MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(grace.get_absolute_url())
    page.locator(".profile__head .actions").get_by_role("button", name="Connect").click()

    expect(page.get_by_text("Invitation sent to Grace Hopper.")).to_be_visible()
    expect(page).to_have_url(re.compile(grace.get_absolute_url()))
    page.get_by_role("button", name=re.compile("Pending")).click()
    expect(page.get_by_text("Invitation to Grace Hopper withdrawn.")).to_be_visible()
    assert not Invitation.objects.filter(status="pending").exists()


def test_connect_with_a_note_from_the_more_menu_then_the_note_is_gone(page):
    MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(grace.get_absolute_url())
    actions = page.locator(".profile__head .actions")
    # One row: the primary button, Message with its badge, and More.
    expect(actions.get_by_role("button", name="Connect")).to_be_visible()
    expect(actions.get_by_role("link", name="Message")).to_be_visible()
    expect(actions.get_by_role("link", name="Premium")).to_be_visible()
    rows = {
        round(box["y"] + box["height"] / 2)
        for box in (
            actions.get_by_role("button", name="Connect").bounding_box(),
            actions.get_by_role("link", name="Message").bounding_box(),
            actions.get_by_text("More", exact=True).bounding_box(),
        )
    }
    assert len(rows) == 1, rows

    actions.get_by_text("More", exact=True).click()
    actions.get_by_label("Connect with a note").fill("Loved your talk on compilers.")
    expect(actions.get_by_text("29/300")).to_be_visible()
    actions.get_by_role("button", name="Send invitation").click()

    expect(actions.get_by_text("Invitation sent to Grace Hopper.")).to_be_visible()
    expect(actions.get_by_role("button", name=re.compile("Pending"))).to_be_visible()
    assert Invitation.objects.get().note == "Loved your talk on compilers."
    actions.get_by_text("More", exact=True).click()
    expect(actions.get_by_role("button", name="Block Grace")).to_be_visible()
    expect(actions.get_by_label("Connect with a note")).to_have_count(0)
    expect(actions.get_by_role("link", name="Message")).to_be_visible()


def test_search_ranks_the_network_first_and_chips_keep_one_degree(page):
    ada = MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    zoe = MemberFactory(first_name="Zoe", last_name="Zimmer", headline="Gardener")
    yann = MemberFactory(first_name="Yann", last_name="Young", headline="Gardener")
    MemberFactory(first_name="Abe", last_name="Abbot", headline="Gardener")
    connect(ada, zoe)
    connect(zoe, yann)

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/search/?q=gardener")
    rows = page.locator("#results .member-row")
    expect(rows.locator(".member-row__name a")).to_have_text(
        ["Zoe Zimmer", "Yann Young", "Abe Abbot"]
    )
    expect(rows.locator(".degree")).to_have_text(["· 1st", "· 2nd", "· 3rd+"])

    # A chip swaps the results in place (htmx) and keeps the query in the address.
    chips = page.get_by_role("navigation", name="Connection degree")
    expect(chips.get_by_role("link", name="All")).to_have_attribute("aria-current", "true")
    page.evaluate("window.before_swap = true")
    chips.get_by_role("link", name="2nd").click()
    expect(page).to_have_url(re.compile(r"\?q=gardener&degree=2$"))
    expect(rows.locator(".member-row__name a")).to_have_text(["Yann Young"])
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    expect(chips.get_by_role("link", name="2nd")).to_have_attribute("aria-current", "true")
    expect(page.locator("[id=results]")).to_have_count(1)  # replaced, not nested
    assert page.evaluate("window.before_swap") is True

    # A new search from the box keeps the chip.
    page.locator("#search-q").fill("abbot")
    expect(page.get_by_text("None of your 2nd-degree connections match “abbot”.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=abbot&degree=2$"))
    expect(page.locator("[id=results]")).to_have_count(1)
    page.get_by_role("link", name="Search everyone").click()
    expect(rows.locator(".member-row__name a")).to_have_text(["Abe Abbot"])
    expect(chips.get_by_role("link", name="All")).to_have_attribute("aria-current", "true")


def test_search_chips_work_without_javascript(page_without_javascript):
    page = page_without_javascript
    ada = MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    zoe = MemberFactory(first_name="Zoe", last_name="Zimmer", headline="Gardener")
    MemberFactory(first_name="Abe", last_name="Abbot", headline="Gardener")
    connect(ada, zoe)

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/search/?q=gardener")
    chips = page.get_by_role("navigation", name="Connection degree")
    chips.get_by_role("link", name="3rd+").click()
    expect(page).to_have_url(re.compile(r"\?q=gardener&degree=3$"))
    names = page.locator("#results .member-row__name a")
    expect(names).to_have_text(["Abe Abbot"])

    # The form sends the chip along with the new query.
    page.locator("#search-q").fill("zimmer")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=zimmer&degree=3$"))
    expect(page.get_by_text("None of your 3rd-degree and further members match")).to_be_visible()


def test_after_connect_the_more_menu_no_longer_offers_a_note(page):
    MemberFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(grace.get_absolute_url())
    actions = page.locator(".profile__head .actions")
    actions.get_by_text("More", exact=True).click()
    expect(actions.get_by_label("Connect with a note")).to_be_visible()
    actions.get_by_text("More", exact=True).click()
    actions.get_by_role("button", name="Connect").click()
    expect(actions.get_by_text("Invitation sent to Grace Hopper.")).to_be_visible()

    # Swapped in place, then after a reload: the invitation is sent, no note to add.
    for _ in range(2):
        actions.get_by_text("More", exact=True).click()
        expect(actions.get_by_role("button", name="Block Grace")).to_be_visible()
        expect(actions.get_by_label("Connect with a note")).to_have_count(0)
        page.reload()
