"""axe-core on every page of the members' journeys, at desktop and phone widths, with the
compose window open too: no critical and no serious violation."""

import pytest
from playwright.sync_api import expect

from inmail import services
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, InvitationFactory, MemberFactory, connect, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(params=WIDTHS)
def sized_page(request, browser, live_server, premium_plans):
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def check(page, name):
    assert_accessible(page, f"{name} at {page.width_name}")


def test_every_page_of_the_journeys_has_no_serious_violation(sized_page):
    page = sized_page
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    subscribe(ada)
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    alan = MemberFactory(first_name="Alan", last_name="Turing")
    zelda = MemberFactory(first_name="Zelda", last_name="Quintero", headline="Head of Growth")
    connect(ada, grace)
    connect(grace, alan)
    InvitationFactory(sender=zelda, recipient=ada, note="Loved your notes.")
    conversation = services.message_send(
        sender=grace, recipient=ada, body="Lunch on Friday?"
    ).conversation
    # Ada's answer, read by Grace: the conversation shows "Seen" under it.
    services.message_send(sender=ada, recipient=grace, body="Friday works.")
    services.conversation_read(member=grace, conversation_id=conversation.pk)

    for name, url in [("landing", "/"), ("sign in", "/accounts/login/"), ("sign up", "/signup/")]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        check(page, name)

    sign_in(page, "ada@example.com", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check(page, "home")
    for name, url in [
        ("own profile", ada.get_absolute_url()),
        ("2nd-degree profile", alan.get_absolute_url()),
        ("1st-degree profile", grace.get_absolute_url()),
        ("search", "/search/?q=a"),
        ("search, 2nd-degree chip", "/search/?q=a&degree=2"),
        ("my network", "/mynetwork/"),
        ("messaging", "/messaging/"),
        ("conversation", conversation.get_absolute_url()),
        ("my premium", "/premium/"),
        ("checkout", "/premium/plans/premium-pro/"),
        ("settings", "/settings/"),
        ("edit profile", "/me/edit/"),
        ("compose page", f"/messaging/compose/{alan.slug}/"),
        ("messaging search", "/messaging/?q=lunch"),
        ("new message page", "/messaging/new/?q=a"),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        check(page, name)

    # The New message picker open over Messaging, with results.
    page.goto("/messaging/")
    page.get_by_role("link", name="New message").click()
    picker = page.get_by_role("dialog", name="New message")
    # Typed as a member types: a fill() is one input event, which can come before htmx has
    # wired the box that was just swapped in.
    box = picker.get_by_label("To: type a name")
    expect(box).to_be_focused()
    box.press_sequentially("an")
    expect(picker.get_by_role("status")).to_contain_text("found")
    check(page, "new message picker")
    page.keyboard.press("Escape")

    # A conversation's Report spam panel, asking why.
    page.goto(conversation.get_absolute_url())
    page.locator(".spam-report summary").click()
    expect(page.get_by_role("group", name="Why are you reporting")).to_be_visible()
    check(page, "report spam reasons")

    # The compose window open over a profile, and the profile's More menu open.
    page.goto(zelda.get_absolute_url())
    page.locator(".profile__head .actions").get_by_role("link", name="Message").click()
    expect(page.get_by_role("dialog", name="New InMail")).to_be_visible()
    check(page, "compose window")
    page.keyboard.press("Escape")
    page.locator(".profile__head .actions").get_by_text("More", exact=True).click()
    check(page, "profile with More open")


def test_keyboard_skip_link_focus_rings_menus_and_favicon(page):
    MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    sign_in(page, "ada@example.com", PASSWORD)
    page.goto(grace.get_absolute_url())

    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).status == 200

    # The first Tab reaches the skip link, which takes focus past the top bar.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Focus rings: 2 px, visible, on links and buttons reached with the keyboard.
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert ring == ["solid", "2px"]

    # Escape closes the Me and the More menus and gives focus back to their button.
    for menu in (page.locator(".topnav details.menu"), page.locator(".profile__head details.more")):
        menu.locator("summary").click()
        expect(menu).to_have_attribute("open", "")
        page.keyboard.press("Escape")
        expect(menu).not_to_have_attribute("open", "")
        expect(menu.locator("summary")).to_be_focused()
