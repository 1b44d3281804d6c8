"""The compose window in Chromium: a real modal dialog that keeps a draft per recipient."""

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_inside(page, selector):
    return page.evaluate(f"document.querySelector({selector!r}).contains(document.activeElement)")


def test_the_window_is_a_modal_that_keeps_the_draft_until_it_is_sent(page):
    priya = MemberFactory(first_name="Priya", last_name="Raman", email="priya@example.com")
    subscribe(priya)
    zelda = MemberFactory(first_name="Zelda", last_name="Quintero")

    sign_in(page, "priya@example.com", PASSWORD)
    page.goto(zelda.get_absolute_url())
    message = page.locator(".profile__head .actions").get_by_role("link", name="Message")
    message.click()

    window = page.get_by_role("dialog", name="New InMail")
    expect(window).to_be_visible()
    assert page.evaluate("document.getElementById('overlay').matches(':modal')")
    expect(window.get_by_label("Subject")).to_be_focused()

    # Tab goes round the window's controls and never leaves it, both ways.
    for _ in range(12):
        page.keyboard.press("Tab")
        assert focused_inside(page, "#overlay")
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        assert focused_inside(page, "#overlay")

    window.get_by_label("Subject").fill("A role at Contoso")
    window.get_by_label("Message", exact=True).fill("Hello Zelda")
    page.keyboard.press("Escape")
    expect(window).to_be_hidden()
    expect(message).to_be_focused()

    # Reopened, the draft is still there; sent, it is gone.
    message.click()
    expect(window.get_by_label("Subject")).to_have_value("A role at Contoso")
    expect(window.get_by_label("Message", exact=True)).to_have_value("Hello Zelda")
    expect(window.locator("[data-counter-for=compose_body]")).to_have_text("11/2,000")
    window.get_by_role("button", name="Send").click()
    sent = page.get_by_role("dialog", name="Sent")
    expect(sent.get_by_text("InMail sent to Zelda")).to_be_visible()
    sent.get_by_role("link", name="Close").click()
    expect(sent).to_be_hidden()
    expect(message).to_be_focused()
    drafts = page.evaluate(
        "Object.keys(sessionStorage).filter((key) => key.startsWith('inmail-draft:'))"
    )
    assert drafts == []


def open_window_to_zelda(page):
    """Priya, a Premium member, signed in with the compose window open on Zelda's profile."""
    subscribe(MemberFactory(first_name="Priya", last_name="Raman", email="priya@example.com"))
    zelda = MemberFactory(first_name="Zelda", last_name="Quintero")
    sign_in(page, "priya@example.com", PASSWORD)
    page.goto(zelda.get_absolute_url())
    page.locator(".profile__head .actions").get_by_role("link", name="Message").click()
    return page.get_by_role("dialog", name="New InMail"), zelda


def test_the_character_counter_speaks_only_at_thresholds(page):
    window, _zelda = open_window_to_zelda(page)
    body = window.get_by_label("Message", exact=True)
    counter = window.locator("[data-counter-for=compose_body]")
    live = window.locator("[data-counter-live]")

    body.fill("x" * 10)
    expect(counter).to_have_text("10/2,000")
    expect(counter).not_to_have_attribute("aria-live", "polite")
    expect(live).to_have_count(0)  # not a word on every keystroke

    body.fill("x" * 1700)
    expect(live).to_have_text("300 characters left")
    expect(live).to_have_attribute("aria-live", "polite")
    body.fill("x" * 1750)
    expect(counter).to_have_text("1,750/2,000")
    expect(live).to_have_text("300 characters left")  # same threshold: nothing new to say
    body.fill("x" * 2000)
    expect(live).to_have_text("Character limit reached")


# A member who types the moment a refusal shows (here: in the same frame) writes into a form
# htmx has already wired. With htmx's default 20 ms settle delay, the new form was inert for
# that long: Send there was a plain form post, and the window's focus moved to the first field
# in the middle of the typing.
TYPE_AND_SEND_AS_THE_REFUSAL_SHOWS = """() => {
  new MutationObserver((records, observer) => {
    const window = document.querySelector("#overlay #compose-window");
    if (!window || !window.querySelector("[role=alert]")) return;
    observer.disconnect();
    window.querySelector("textarea[name=body]").focus();
    document.execCommand("insertText", false, "Hello Zelda");
    window.querySelector("button[type=submit]").click();
  }).observe(document.getElementById("overlay"), { childList: true, subtree: true });
}"""


def test_a_refused_window_takes_typing_and_send_the_moment_it_shows(page):
    window, zelda = open_window_to_zelda(page)
    expect(window.get_by_label("Subject")).to_be_focused()

    page.evaluate(TYPE_AND_SEND_AS_THE_REFUSAL_SHOWS)
    window.get_by_role("button", name="Send").click()

    expect(window.get_by_role("alert")).to_have_text("Add a subject: an InMail needs one.")
    expect(window.get_by_label("Message", exact=True)).to_have_value("Hello Zelda")
    assert page.url.endswith(zelda.get_absolute_url())
