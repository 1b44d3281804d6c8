"""What the eye checks on screenshots, measured: every pill's label sits in its middle, and
My Premium's plan cards keep each line on one line at 1280 px with their last line (a button
or the "Your plan" label) at one height."""

import pytest
from playwright.sync_api import expect

from inmail import services
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, InvitationFactory, MemberFactory, connect, subscribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PILLS = ".badge-count:not(.is-empty), .credits-badge, .chip, .filter, .tag, .inmail-label"
# Buttons are pills too; those whose label is plain text (no icon) are measured the same way.
BUTTONS = ".btn:not(:has(*))"

# For each visible pill: the space above its label's capitals and below their baseline, inside
# the border, from the font's own metrics (the capitals are what the eye centres).
CAP_SPACE = """(selector) => {
  const context = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll(selector)].filter((el) => el.offsetParent).map((el) => {
    const style = getComputedStyle(el);
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const metrics = context.measureText("H");
    const range = document.createRange();
    range.selectNodeContents(el);
    const baseline = range.getBoundingClientRect().top + metrics.fontBoundingBoxAscent;
    const box = el.getBoundingClientRect();
    const inside = [box.top + parseFloat(style.borderTopWidth),
                    box.bottom - parseFloat(style.borderBottomWidth)];
    return {
      pill: `${el.className}: ${el.textContent.trim()}`,
      above: baseline - metrics.actualBoundingBoxAscent - inside[0],
      below: inside[1] - baseline,
    };
  });
}"""


def test_every_pill_label_is_vertically_centred(page):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    subscribe(ada)
    zelda = MemberFactory(first_name="Zelda", last_name="Quintero", headline="Gardener")
    grace = MemberFactory(first_name="Grace", last_name="Hopper", headline="Gardener")
    connect(ada, grace)
    InvitationFactory(sender=MemberFactory(), recipient=ada)
    services.message_send(sender=ada, recipient=zelda, subject="Gardens", body="Hello!")
    omar = MemberFactory(first_name="Omar", last_name="Haddad")  # to whom Ada may send an InMail

    sign_in(page, "ada@example.com", PASSWORD)
    seen = set()
    for url in ["/search/?q=gardener", "/messaging/", omar.get_absolute_url()]:
        page.goto(url)
        expect(page.locator(PILLS).first).to_be_visible()
        for pill in page.evaluate(CAP_SPACE, f"{PILLS}, {BUTTONS}"):
            seen.add(pill["pill"].split(":")[0].split()[0])
            assert abs(pill["above"] - pill["below"]) <= 1, (url, pill)

    # The pills measured: counts, chips, filters, the InMail label, the credit badge, buttons.
    assert {"badge-count", "chip", "filter", "inmail-label", "credits-badge", "btn"} <= seen


LINE_HEIGHTS = """() => [...document.querySelectorAll(".plan")].map((card) => ({
  wrapped: [...card.children].filter((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    // A second line starts at least a font size below the first.
    const tops = [...range.getClientRects()].map((rect) => rect.top);
    return Math.max(...tops) - Math.min(...tops) >= parseFloat(getComputedStyle(el).fontSize);
  }).map((el) => el.textContent.trim()),
  last: card.lastElementChild.getBoundingClientRect().height,
}))"""


def test_plan_cards_keep_every_line_on_one_line_and_their_last_lines_level(page):
    ada = MemberFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    subscribe(ada, "premium-pro")

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/premium/")
    expect(page.locator(".plan__current")).to_have_text("✓Your plan")

    cards = page.evaluate(LINE_HEIGHTS)
    assert len(cards) == 5
    assert [card["wrapped"] for card in cards] == [[]] * 5
    assert len({card["last"] for card in cards}) == 1, cards
    # "Your plan" is a label, not a button look-alike: no border, no background.
    current = page.locator(".plan__current")
    assert current.evaluate("el => getComputedStyle(el).borderTopStyle") == "none"
    assert current.evaluate("el => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"
