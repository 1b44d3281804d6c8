"""What members see and what is stored: the compose window, sending, the inbox, a thread, the
folder actions, the 404 rule for other members' conversations, and HTML rendered as text."""

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from unittest.mock import Mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.models import Block, Member
from inmail import services
from inmail import urls as inmail_urls
from inmail.forms import STALE_FORM, MessageForm
from inmail.models import Conversation, Message, Participant
from premium import services as premium_services
from premium.models import LedgerEntry
from premium.services import NO_PLAN
from tests.assertions import text
from tests.factories import BlockFactory, MemberFactory, bulk_conversations, connect, subscribe

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
INBOX = reverse("inmail:inbox")
HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.usefixtures("clock")


def pane(target):
    """The headers of an htmx request that replaces one pane of the messaging page."""
    return {"HX-Request": "true", "HX-Target": target}


def compose_url(member):
    return reverse("inmail:compose", kwargs={"slug": member.slug})


def thread_url(conversation, name="thread"):
    return reverse(f"inmail:{name}", kwargs={"conversation_id": conversation.pk})


def token_of(page):
    """The token of the form the page rendered, as a browser would send it back."""
    return re.search(r'name="token" value="([0-9a-f-]{36})"', page).group(1)


def row_names(page):
    return re.findall(r'<span class="conversation-row__name">([^<]*)</span>', page)


def rows(page):
    """The conversation rows of a page, by conversation id."""
    found = re.findall(r'(<li id="conversation-(\d+)".*?</li>)', page, flags=re.DOTALL)
    return {int(pk): row for row, pk in found}


def row_ids(page):
    return [int(pk) for pk in re.findall(r'<li id="conversation-(\d+)"', page)]


def next_cursor(page):
    match = re.search(r'href="/messaging/\?(?:filter=\w+&)?cursor=([\w-]+)"', page)
    return match and match.group(1)


def stored():
    """Every row a send, a reply, an answer or a move could write."""
    return {
        "conversations": list(
            Conversation.objects.order_by("pk").values_list("pk", "response", "last_message")
        ),
        "messages": Message.objects.count(),
        "participants": list(
            Participant.objects.order_by("pk").values_list("pk", "folder", "unread")
        ),
        "ledger": LedgerEntry.objects.count(),
    }


def balance(member):
    return premium_services.premium_status(member=member).balance


def inmail(sender, recipient, *, subject="Role at Analytical Engines", body="Shall we talk?"):
    return services.message_send(
        sender=sender, recipient=recipient, subject=subject, body=body, token=uuid.uuid4()
    ).conversation


def message(sender, recipient, body):
    return services.message_send(sender=sender, recipient=recipient, body=body).conversation


@pytest.fixture
def premium_member(member):
    subscribe(member, "premium-essentials")
    return member


@pytest.fixture
def premium_other(other):
    subscribe(other, "premium-essentials")
    return other


def send_data(**fields):
    data = {"subject": "Quick question", "body": "Hello Grace, shall we talk?"}
    data["token"] = str(uuid.uuid4())
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


# A profile's Message button and remaining-credit badge


def profile_page(client, member):
    response = client.get(member.get_absolute_url())
    assert response.status_code == 200
    return text(response)


BADGE = re.compile(r'<(?:span|a) class="credits-badge[^"]*"[^>]*>([^<]*)</(?:span|a)>')


def badges(page):
    return BADGE.findall(page)


@pytest.mark.django_db
class TestProfileMessageButton:
    def test_a_premium_member_sees_their_credits_beside_message(
        self, member_client, premium_member, other
    ):
        page = profile_page(member_client, other)

        assert '<span class="credits-badge" data-credits-left>5 InMail credits left</span>' in page
        assert f'hx-get="{compose_url(other)}" hx-target="#overlay"' in page

    def test_an_open_profile_is_a_free_message_even_for_a_free_member(
        self, member_client, premium_other
    ):
        premium_services.open_profile_set(member=premium_other, enabled=True)

        assert badges(profile_page(member_client, premium_other)) == ["Free message · Open Profile"]

    def test_a_free_member_sees_premium_linking_to_the_plans(self, member_client, other):
        page = profile_page(member_client, other)

        assert (
            '<a class="credits-badge credits-badge--upsell" href="/premium/#plans-heading">'
            "Premium</a>" in page
        )

    def test_at_zero_credits_it_says_when_the_next_arrive(
        self, member_client, premium_member, other
    ):
        for _ in range(5):
            premium_services.credits_spend(member=premium_member)

        assert badges(profile_page(member_client, other)) == ["0 credits · next on Apr 10"]

    def test_no_badge_for_a_connection_or_on_your_own_profile(
        self, member_client, premium_member, other
    ):
        connect(premium_member, other)

        assert badges(profile_page(member_client, other)) == []
        assert badges(profile_page(member_client, premium_member)) == []

    def test_to_a_member_not_accepting_inmail_message_is_disabled_with_the_reason(
        self, member_client, premium_member, other
    ):
        other.accept_inmail = False
        other.save()

        page = profile_page(member_client, other)

        why = "Grace Hopper doesn't accept InMail. Connect with them to message them."
        assert (
            f'<button class="btn btn--outline" type="button" aria-disabled="true" '
            f'aria-describedby="message-why-{other.pk}" title="{why}">Message</button>' in page
        )
        assert f'<span class="visually-hidden" id="message-why-{other.pk}">{why}</span>' in page
        assert compose_url(other) not in page
        assert badges(page) == []

    def test_with_a_pending_inmail_message_opens_that_conversation(
        self, member_client, premium_member, other
    ):
        conversation = inmail(premium_member, other)

        page = profile_page(member_client, other)

        assert (
            f'<a class="btn btn--outline" href="{thread_url(conversation)}" '
            f'aria-describedby="message-why-{other.pk}">Message</a>' in page
        )
        assert "You've sent Grace an InMail. You can write again once they respond." in page
        assert compose_url(other) not in page


# The compose window


@pytest.mark.django_db
class TestComposeWindow:
    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_inmail_to_a_3rd_degree_member_shows_the_premium_box_with_credits_left(
        self, member_client, premium_member, other, headers
    ):
        response = member_client.get(compose_url(other), headers=headers)

        assert response.status_code == 200
        page = text(response)
        # In the page's dialog a second-level heading; as a page of its own, the page's <h1>.
        level = "h2" if headers else "h1"
        assert f'<{level} id="compose-title">New InMail</{level}>' in page
        assert "Grace Hopper" in page
        assert "· 3rd+" in page
        assert 'name="subject"' in page
        assert 'name="body"' in page
        assert 'data-counter-for="compose_subject" data-max="200"' in page
        assert 'data-counter-for="compose_body" data-max="2000"' in page
        assert '<p class="premium-box__label">Premium</p>' in page
        assert "5 InMail credits left" in page
        assert (
            "This InMail uses 1 credit. You get it back if Grace responds within 90 days." in page
        )
        assert f'hx-post="{compose_url(other)}"' in page
        if headers:
            assert page.lstrip().startswith('<section class="compose" id="compose-window"')
            assert "<html" not in page
        else:
            assert "<html" in page
            assert "<title>Message Grace Hopper | InMail</title>" in page

    def test_a_history_restore_of_the_compose_page_is_the_whole_page_with_its_h1(
        self, member_client, premium_member, other
    ):
        response = member_client.get(
            compose_url(other), headers={**HTMX, "HX-History-Restore-Request": "true"}
        )

        page = text(response)
        assert "<html" in page
        assert '<h1 id="compose-title">New InMail</h1>' in page

    def test_history_restore_gets_the_whole_page_and_the_window_varies_on_hx_request(
        self, member_client, premium_member, other
    ):
        restore = {**HTMX, "HX-History-Restore-Request": "true"}

        window = member_client.get(compose_url(other), headers=HTMX)
        page = member_client.get(compose_url(other), headers=restore)

        assert "<html" not in text(window)
        assert "<title>Message Grace Hopper | InMail</title>" in text(page)
        assert '<section class="compose" id="compose-window"' in text(page)
        assert "HX-Request" in window["Vary"]
        assert "HX-Request" in page["Vary"]

    def test_inmail_to_an_open_profile_is_free_even_for_a_free_member(
        self, member_client, premium_other
    ):
        premium_services.open_profile_set(member=premium_other, enabled=True)

        page = text(member_client.get(compose_url(premium_other)))

        assert "Free message · Open Profile" in page
        assert "Grace has an Open Profile: this InMail doesn't use a credit." in page
        assert 'name="subject"' in page
        assert "credits left" not in page

    def test_a_free_member_is_told_why_and_sent_to_my_premium(self, member_client, other):
        page = text(member_client.get(compose_url(other)))

        assert f'<p class="premium-box__why" role="alert">{NO_PLAN}</p>' in page
        assert f'<a class="btn btn--primary" href="{reverse("premium:my_premium")}">' in page
        assert "See Premium plans" in page
        assert 'name="body"' not in page

    def test_with_no_credits_left_the_window_names_the_next_allowance(
        self, member_client, premium_member, other
    ):
        for _ in range(5):
            premium_services.credits_spend(member=premium_member)

        page = text(member_client.get(compose_url(other)))

        assert "0 InMail credits left" in page
        assert "You have no InMail credits left. Your next 5 arrive on Apr 10, 2026." in page
        upgrade = '<a class="btn btn--primary" href="/premium/#plans-heading">Upgrade my plan</a>'
        assert upgrade in page
        assert 'name="body"' not in page

    def test_a_recipient_who_does_not_accept_inmail_is_explained(
        self, member_client, premium_member, other
    ):
        other.accept_inmail = False
        other.save()

        page = text(member_client.get(compose_url(other)))

        assert "Grace Hopper doesn't accept InMail. Connect with them to message them." in page
        assert 'name="body"' not in page

    def test_a_member_i_blocked_is_explained_with_a_settings_link(
        self, member_client, premium_member, other
    ):
        BlockFactory(blocker=premium_member, blocked=other)

        response = member_client.get(compose_url(other))

        page = text(response)
        assert response.status_code == 200
        assert "You've blocked Grace Hopper. Unblock them in Settings to message them." in page
        assert f'<a href="{reverse("accounts:settings")}">Manage blocked members' in page
        assert 'name="body"' not in page

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_member_who_blocked_me_is_not_found(
        self, member_client, premium_member, other, method
    ):
        BlockFactory(blocker=other, blocked=premium_member)
        before = stored()

        response = getattr(member_client, method)(compose_url(other), send_data())

        assert response.status_code == 404
        assert stored() == before

    def test_a_message_to_a_connection_has_no_subject_and_no_premium_box(
        self, member_client, premium_member, other
    ):
        connect(premium_member, other)

        page = text(member_client.get(compose_url(other)))

        assert '<h1 id="compose-title">New message</h1>' in page
        assert "· 1st" in page
        assert 'name="body"' in page
        assert 'name="subject"' not in page
        assert "premium-box" not in page
        assert "credits left" not in page

    def test_messaging_yourself_is_explained(self, member_client, premium_member):
        page = text(member_client.get(compose_url(premium_member)))

        assert "You can't message yourself." in page
        assert 'name="body"' not in page

    def test_an_unknown_member_is_not_found(self, member_client):
        response = member_client.get(reverse("inmail:compose", kwargs={"slug": "nobody-here"}))

        assert response.status_code == 404

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, other):
        response = client.get(compose_url(other))

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={compose_url(other)}"


# Sending


@pytest.mark.django_db
class TestSend:
    def test_without_javascript_an_inmail_redirects_to_its_thread_saying_the_credits_left(
        self, member_client, premium_member, other
    ):
        form = text(member_client.get(compose_url(other)))

        response = member_client.post(
            compose_url(other),
            {"subject": "Quick question", "body": "Hello Grace", "token": token_of(form)},
        )

        conversation = Conversation.objects.get()
        assert response.status_code == 302
        assert response.url == thread_url(conversation)
        assert (conversation.kind, conversation.subject) == ("inmail", "Quick question")
        assert (conversation.starter, conversation.recipient) == (premium_member, other)
        assert conversation.credit_spent
        assert conversation.response == "pending"
        assert list(conversation.messages.values_list("body", flat=True)) == ["Hello Grace"]
        assert balance(premium_member) == 4
        assert LedgerEntry.objects.filter(reason="spend", member=premium_member).count() == 1
        page = text(member_client.get(response.url))
        assert "Sent to Grace Hopper. You have 4 InMail credits left." in page
        assert "Hello Grace" in page

    def test_with_htmx_the_window_shows_the_sent_inmail_and_updates_every_credit_count(
        self, member_client, premium_member, other
    ):
        response = member_client.post(
            compose_url(other), send_data(body="Hello Grace"), headers=HTMX
        )

        assert response.status_code == 200
        page = text(response)
        assert "<html" not in page
        assert "<strong>InMail sent to Grace</strong>" in page
        assert "Quick question" in page
        assert "Hello Grace" in page
        assert '<span class="credits-left" data-credits-left>4 InMail credits left</span>' in page
        assert (
            '<span hx-swap-oob="innerHTML:[data-credits-left]">4 InMail credits left</span>' in page
        )
        assert "You get the credit back if Grace responds within 90 days." in page
        conversation = Conversation.objects.get()
        assert f'href="{thread_url(conversation)}"' in page
        assert balance(premium_member) == 4

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["full page", "htmx"])
    def test_once_the_send_has_committed_the_balance_is_not_read_again(
        self, member_client, premium_member, other, monkeypatch, headers
    ):
        """A second read of the balance once met a dropped connection after the InMail and
        its spend had committed, and answered 500: the send's own answer carries it."""
        send = services.message_send

        def send_then_drop_the_connection(**kwargs):
            message = send(**kwargs)
            dropped = OperationalError("server closed the connection unexpectedly")
            for name in ("premium_status", "credits_balance"):
                monkeypatch.setattr(premium_services, name, Mock(side_effect=dropped))
            return message

        monkeypatch.setattr(services, "message_send", send_then_drop_the_connection)

        response = member_client.post(compose_url(other), send_data(), headers=headers)

        assert response.status_code == (200 if headers else 302)
        monkeypatch.undo()
        assert balance(premium_member) == 4
        if headers:
            assert "4 InMail credits left" in text(response)
        else:
            page = text(member_client.get(response.url))
            assert "Sent to Grace Hopper. You have 4 InMail credits left." in page

    def test_an_inmail_to_an_open_profile_spends_nothing(self, member_client, premium_other):
        premium_services.open_profile_set(member=premium_other, enabled=True)
        ledger = LedgerEntry.objects.count()

        response = member_client.post(compose_url(premium_other), send_data(), headers=HTMX)

        page = text(response)
        assert response.status_code == 200
        assert "Free message · Open Profile" in page
        assert "hx-swap-oob" not in page
        conversation = Conversation.objects.get()
        assert conversation.kind == "inmail"
        assert not conversation.credit_spent
        assert LedgerEntry.objects.count() == ledger

    def test_a_message_to_a_connection_is_free_and_has_no_subject(
        self, member_client, premium_member, other
    ):
        connect(premium_member, other)
        ledger = LedgerEntry.objects.count()

        response = member_client.post(compose_url(other), send_data(subject=None))

        conversation = Conversation.objects.get()
        assert response.status_code == 302
        assert response.url == thread_url(conversation)
        assert (conversation.kind, conversation.subject) == ("message", "")
        assert LedgerEntry.objects.count() == ledger
        assert "Sent to Grace Hopper.</li>" in text(member_client.get(response.url))

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_resubmitting_the_same_form_sends_and_spends_once(
        self, member_client, premium_member, other, headers
    ):
        data = send_data()

        first = member_client.post(compose_url(other), data, headers=headers)
        second = member_client.post(compose_url(other), data, headers=headers)

        assert Message.objects.count() == 1
        assert Conversation.objects.count() == 1
        assert LedgerEntry.objects.filter(reason="spend").count() == 1
        assert balance(premium_member) == 4
        if headers:
            assert first.status_code == second.status_code == 200
            assert "InMail sent to Grace" in text(second)
            assert "4 InMail credits left" in text(second)
        else:
            assert first.status_code == second.status_code == 302
            assert first.url == second.url == thread_url(Conversation.objects.get())


def no_credits(member, other):
    subscribe(member, "premium-essentials")
    for _ in range(5):
        premium_services.credits_spend(member=member)


def blocked_by_me(member, other):
    subscribe(member, "premium-essentials")
    BlockFactory(blocker=member, blocked=other)


def no_inmail(member, other):
    subscribe(member, "premium-essentials")
    other.accept_inmail = False
    other.save()


def inmail_sent(member, other):
    subscribe(member, "premium-essentials")
    inmail(member, other)


def premium(member, other):
    subscribe(member, "premium-essentials")


def free(member, other):
    pass


# name: (setup, form fields, status, message)
SEND_REFUSALS = {
    "subject of 201 characters": (
        premium,
        {"subject": "s" * 201},
        400,
        "Your subject can be at most 200 characters; it has 201.",
    ),
    "no subject": (premium, {"subject": "  "}, 400, "Add a subject: an InMail needs one."),
    "body of 2,001 characters": (
        premium,
        {"body": "b" * 2001},
        400,
        "Your message can be at most 2,000 characters; it has 2,001.",
    ),
    "empty body": (premium, {"body": "   "}, 400, "Write a message before sending."),
    "no plan": (free, {}, 403, NO_PLAN),
    "no credits": (
        no_credits,
        {},
        409,
        "You have no InMail credits left. Your next 5 arrive on Apr 10, 2026.",
    ),
    "recipient not accepting InMail": (
        no_inmail,
        {},
        403,
        "Grace Hopper doesn't accept InMail. Connect with them to message them.",
    ),
    "blocked by me": (
        blocked_by_me,
        {},
        403,
        "You've blocked Grace Hopper. Unblock them in Settings to message them.",
    ),
    "second message before a response": (
        inmail_sent,
        {},
        409,
        "You've sent Grace an InMail. You can write again once they respond.",
    ),
    "missing token": (premium, {"token": None}, 400, STALE_FORM),
    "invalid token": (premium, {"token": "not-a-token"}, 400, STALE_FORM),
}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
@pytest.mark.parametrize("refusal", SEND_REFUSALS)
def test_a_refused_send_says_why_and_stores_nothing(member_client, member, other, refusal, headers):
    setup, fields, status, error = SEND_REFUSALS[refusal]
    setup(member, other)
    before = stored()

    response = member_client.post(compose_url(other), send_data(**fields), headers=headers)

    # htmx gets 422 whatever the refusal, so that it swaps the window in (see core.htmx).
    assert response.status_code == (422 if headers else status)
    page = text(response)
    # Once: as the form's error, or in the Premium box when that explains it.
    assert page.count(f'role="alert">{error}</p>') == 1
    assert ("<html" in page) is not bool(headers)
    assert stored() == before


@pytest.mark.django_db
def test_a_refused_send_keeps_what_was_written(member_client, premium_member, other):
    response = member_client.post(
        compose_url(other), send_data(subject="s" * 201, body="My carefully written note")
    )

    page = text(response)
    assert response.status_code == 400
    assert "My carefully written note</textarea>" in page
    assert 'value="' + "s" * 201 + '"' in page


# The inbox


@pytest.fixture
def inbox(member, clock):
    """Ada's conversations, oldest first: one she wrote last to Ben, an unread InMail from Grace,
    one from Carl she archived, an InMail from Dan she reported as spam, and one from Eve she
    has read."""
    ben, carl, eve = (
        MemberFactory(first_name=n, last_name="Smith") for n in ("Ben", "Carl", "Eve")
    )
    grace = MemberFactory(first_name="Grace", last_name="Hopper")
    dan = MemberFactory(first_name="Dan", last_name="Spammer")
    for friend in (ben, carl, eve):
        connect(member, friend)
    for sender in (grace, dan):
        subscribe(sender, "premium-essentials")

    conversations = {}
    conversations["ben"] = message(member, ben, "See you on Monday")
    clock.shift(timedelta(minutes=1))
    conversations["grace"] = inmail(grace, member, body="Would you like to talk?")
    clock.shift(timedelta(minutes=1))
    conversations["carl"] = message(carl, member, "Old news")
    services.conversation_move(
        member=member, conversation_id=conversations["carl"].pk, folder="archived"
    )
    clock.shift(timedelta(minutes=1))
    conversations["dan"] = inmail(dan, member, subject="Cheap followers", body="Buy now")
    services.conversation_move(
        member=member, conversation_id=conversations["dan"].pk, folder="spam", reason="spam"
    )
    clock.shift(timedelta(minutes=1))
    conversations["eve"] = message(eve, member, "Lunch tomorrow?")
    services.conversation_read(member=member, conversation_id=conversations["eve"].pk)
    return conversations


@pytest.mark.django_db
class TestInbox:
    def test_rows_show_name_degree_inmail_label_subject_snippet_time_and_unread(
        self, member_client, inbox
    ):
        response = member_client.get(INBOX)

        assert response.status_code == 200
        page = text(response)
        assert 'id="conversation-list"' in page
        assert 'id="thread-pane"' in page
        found = rows(page)
        grace = found[inbox["grace"].pk]
        assert "Grace Hopper" in grace
        assert "· 3rd+" in grace
        assert '<span class="inmail-label">InMail</span> Role at Analytical Engines' in grace
        assert "Would you like to talk?" in grace
        assert ">9:31 AM</time>" in grace
        assert "conversation-row is-unread" in grace
        assert '<span class="visually-hidden">Unread</span>' in grace
        ben = found[inbox["ben"].pk]
        assert "· 1st" in ben
        assert "You: See you on Monday" in ben
        assert "inmail-label" not in ben
        assert "is-unread" not in ben
        eve = found[inbox["eve"].pk]
        assert "Lunch tomorrow?" in eve
        assert "You: " not in eve
        assert "is-unread" not in eve

    @pytest.mark.parametrize(
        ("filter_name", "label", "expected"),
        [
            ("all", "All", ["Eve Smith", "Grace Hopper", "Ben Smith"]),
            ("unread", "Unread", ["Grace Hopper"]),
            ("inmail", "InMail", ["Grace Hopper"]),
            ("archived", "Archived", ["Carl Smith"]),
            ("spam", "Spam", ["Dan Spammer"]),
        ],
    )
    def test_each_filter_shows_its_conversations_newest_first(
        self, member_client, inbox, filter_name, label, expected
    ):
        response = member_client.get(f"{INBOX}?filter={filter_name}")

        page = text(response)
        assert row_names(page) == expected
        assert f'aria-current="page">{label}</a>' in page

    def test_an_empty_filter_says_so(self, member_client, member):
        page = text(member_client.get(f"{INBOX}?filter=unread"))

        assert "You're all caught up: no unread conversations." in page

    def test_an_unknown_filter_shows_all(self, member_client, inbox):
        page = text(member_client.get(f"{INBOX}?filter=bogus"))

        assert row_names(page) == ["Eve Smith", "Grace Hopper", "Ben Smith"]

    def test_a_filter_with_htmx_returns_only_the_conversation_list(self, member_client, inbox):
        response = member_client.get(f"{INBOX}?filter=unread", headers=pane("conversation-list"))

        assert response.status_code == 200
        page = text(response)
        assert page.lstrip().startswith('<header class="messaging__head">')
        assert row_names(page) == ["Grace Hopper"]
        assert "<html" not in page
        assert 'id="thread-pane"' not in page
        assert "HX-Target" in response["Vary"]

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get(INBOX)

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={INBOX}"


@pytest.mark.django_db
class TestInboxPages:
    @pytest.fixture
    def forty_five(self, member):
        """45 conversations in threes that share a time, so ties straddle the page breaks."""
        others = bulk_conversations(member, 45, prefix="page", mixed=False, ties=3)
        by_other = dict(
            Participant.objects.filter(member=member).values_list("other", "conversation")
        )
        ids = [by_other[o.pk] for o in others]
        # Newest first; within a time, the later row first.
        return [pk for group in range(15) for pk in reversed(ids[group * 3 : group * 3 + 3])]

    def test_pages_of_twenty_with_load_more_never_repeat_or_skip(self, member_client, forty_five):
        pages, url = [], INBOX
        while url:
            page = text(member_client.get(url))
            pages.append(row_ids(page))
            cursor = next_cursor(page)
            url = cursor and f"{INBOX}?cursor={cursor}"

        assert [len(p) for p in pages] == [20, 20, 5]
        assert [pk for p in pages for pk in p] == forty_five

    def test_load_more_with_htmx_returns_only_the_rows_and_the_next_link(
        self, member_client, forty_five
    ):
        cursor = next_cursor(text(member_client.get(INBOX)))

        response = member_client.get(f"{INBOX}?cursor={cursor}", headers=pane("load-more"))

        page = text(response)
        assert response.status_code == 200
        assert page.lstrip().startswith('<li id="conversation-')
        assert row_ids(page) == forty_five[20:40]
        assert '<li id="load-more" class="load-more">' in page
        assert 'hx-target="#load-more" hx-swap="outerHTML">Load more</a>' in page
        assert "<ul" not in page
        assert "messaging__head" not in page

    def test_a_filter_keeps_its_name_in_the_load_more_link(self, member_client, member):
        bulk_conversations(member, 25, prefix="inm", mixed=False)
        Participant.objects.filter(member=member).update(unread=True)

        page = text(member_client.get(f"{INBOX}?filter=unread"))

        assert re.search(r'href="/messaging/\?filter=unread&cursor=[\w-]+"', page)

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor!",
            "é",
            base64.urlsafe_b64encode(b"hello").decode(),
            base64.urlsafe_b64encode(b"2026-03-10T09:30:00|5").decode(),
            base64.urlsafe_b64encode(b"2026-03-10T09:30:00+00:00|five").decode(),
            base64.urlsafe_b64encode(b"\xff\xfe|1").decode(),
        ],
    )
    def test_a_tampered_cursor_is_a_400_with_a_way_back(self, member_client, member, cursor):
        response = member_client.get(INBOX, {"cursor": cursor})

        assert response.status_code == 400
        page = text(response)
        assert "That page link is broken. Start again from your inbox." in page
        assert f'href="{INBOX}"' in page

    @pytest.mark.parametrize(
        ("raw", "status", "rows"),
        [
            (f"{START.isoformat()}|{10**30}", 200, 45),  # beyond any id: everything up to now
            (f"{START.isoformat()}|-{10**30}", 200, 42),  # the 3 newest share START
            ("2026-03-10T09:30:00-23:59|1", 200, 45),  # an offset PostgreSQL can't store
            ("0001-01-01T00:00:00+23:59|1", 400, 0),  # before year 1 in UTC
            ("9999-12-31T23:59:59-23:59|1", 400, 0),  # after year 9999 in UTC
        ],
    )
    def test_a_made_up_cursor_is_never_a_server_error(
        self, member_client, forty_five, raw, status, rows
    ):
        cursor = base64.urlsafe_b64encode(raw.encode()).decode()

        response = member_client.get(INBOX, {"cursor": cursor})

        assert response.status_code == status
        assert len(row_ids(text(response))) == min(rows, 20)


# A thread


@pytest.fixture
def grace_inmail(member, premium_other):
    """Grace's pending InMail to Ada, unread."""
    return inmail(premium_other, member, body="Would you like to talk?")


@pytest.mark.django_db
class TestThread:
    def test_the_full_page_shows_both_panes_and_the_recipients_answers(
        self, member_client, grace_inmail
    ):
        response = member_client.get(thread_url(grace_inmail))

        assert response.status_code == 200
        page = text(response)
        assert "<title>Grace Hopper — Messaging | InMail</title>" in page
        assert '<span class="inmail-label">InMail</span> <strong>Role at Analytical Engines' in page
        assert "Would you like to talk?" in page
        assert "Grace sent you an InMail. Reply below, or answer with one click:" in page
        assert 'name="answer" value="interested">Interested</button>' in page
        assert 'name="answer" value="not_interested">Not interested</button>' in page
        assert f'action="{thread_url(grace_inmail, "reply")}"' in page
        # The list beside it, whose rows the page loads once it is in sight (a link without
        # JavaScript): the thread's page costs one pane, not two.
        assert 'id="conversation-list"' in page
        assert rows(page) == {}
        assert f'href="{INBOX}" hx-get="{INBOX}" hx-trigger="intersect once"' in page
        listed = text(member_client.get(INBOX, headers=pane("load-more")))
        assert "Would you like to talk?" in rows(listed)[grace_inmail.pk]

    def test_with_htmx_only_the_thread_pane_with_its_row_and_badge_out_of_band(
        self, member_client, grace_inmail
    ):
        response = member_client.get(thread_url(grace_inmail), headers=pane("thread-pane"))

        assert response.status_code == 200
        page = text(response)
        assert "<html" not in page
        assert 'id="conversation-list"' not in page
        assert "Would you like to talk?" in page
        row = rows(page)[grace_inmail.pk]
        assert 'hx-swap-oob="true"' in row
        assert "is-unread" not in row
        assert re.search(
            r'<span id="unread-badge" class="badge-count is-empty"[^>]*hx-swap-oob', page
        )

    def test_with_htmx_a_conversation_that_was_not_unread_sends_its_pane_alone(
        self, member_client, member, grace_inmail
    ):
        Participant.objects.filter(member=member, conversation=grace_inmail).update(unread=False)

        page = text(member_client.get(thread_url(grace_inmail), headers=pane("thread-pane")))

        assert "Would you like to talk?" in page
        assert "hx-swap-oob" not in page
        assert rows(page) == {}

    def test_opening_an_unread_conversation_marks_it_read_and_the_badge_drops(
        self, member_client, member, grace_inmail
    ):
        connect(member, friend := MemberFactory())
        message(friend, member, "Hello Ada")
        assert 'aria-label="2 unread conversations">2</span>' in text(member_client.get(INBOX))

        page = text(member_client.get(thread_url(grace_inmail)))

        assert 'aria-label="1 unread conversation">1</span>' in page
        assert not Participant.objects.get(member=member, conversation=grace_inmail).unread

    def test_the_sender_waits_for_a_response_and_sees_when_the_credit_comes_back(
        self, client, grace_inmail, premium_other
    ):
        client.force_login(premium_other)

        page = text(client.get(thread_url(grace_inmail)))

        assert "Interested</button>" not in page
        assert "If Ada responds by Jun 8, 2026, you get your InMail credit back." in page
        assert "You've sent Ada an InMail. You can write again once they respond." in page
        assert f'action="{thread_url(grace_inmail, "reply")}' not in page

    def test_a_spam_thread_offers_to_block_and_blocking_returns_to_spam(
        self, member_client, member, grace_inmail, premium_other
    ):
        member_client.post(thread_url(grace_inmail, "spam"), {"reason": "scam"})

        page = text(member_client.get(f"{thread_url(grace_inmail)}?filter=spam"))

        block_url = reverse("accounts:block", kwargs={"slug": premium_other.slug})
        assert "Do you also want to block Grace?" in page
        assert f'action="{block_url}"' in page
        assert f'name="next" value="{INBOX}?filter=spam"' in page
        assert ">Block Grace</button>" in page

        response = member_client.post(block_url, {"next": f"{INBOX}?filter=spam"})

        assert response.status_code == 302
        assert response.url == f"{INBOX}?filter=spam"
        assert Block.objects.filter(blocker=member, blocked=premium_other).exists()
        spam = text(member_client.get(response.url))
        assert "You blocked Grace Hopper. You can unblock them in Settings." in spam
        assert row_ids(spam) == [grace_inmail.pk]
        after = text(member_client.get(f"{thread_url(grace_inmail)}?filter=spam"))
        assert "Block Grace" not in after
        assert "You've blocked Grace Hopper. Unblock them in Settings to message them." in after


def messages_of(page):
    """The thread's messages, each as its <li>, oldest first."""
    return re.findall(r'<li [^>]*class="message[^"]*"[^>]*>.*?</li>', page, flags=re.DOTALL)


@pytest.mark.django_db
class TestReadReceipts:
    @pytest.fixture
    def conversation(self, clock, member, other):
        """Ada wrote twice to Grace, a connection; Grace read both at 9:40 AM."""
        connect(member, other)
        message(member, other, "Hi Grace")
        clock.move_to(START + timedelta(minutes=2))
        conversation = message(member, other, "Lunch on Friday?")
        clock.move_to(START + timedelta(minutes=10))
        grace = Client()
        grace.force_login(other)
        assert grace.get(thread_url(conversation)).status_code == 200
        return conversation

    def test_seen_with_its_time_under_my_last_message_the_other_read(
        self, member_client, conversation
    ):
        page = text(member_client.get(thread_url(conversation)))

        first, second = messages_of(page)
        assert "Seen" not in first
        assert (
            f'<p class="message__receipt muted" id="read-receipt-{conversation.pk}">Seen '
            '<time datetime="2026-03-10T09:40:00+00:00" title="Mar 10, 2026, 9:40 AM">'
            "9:40 AM</time></p>"
        ) in second
        assert "Lunch on Friday?" in second

    def test_seen_stays_under_the_message_read_when_i_write_again(
        self, clock, member_client, member, other, conversation
    ):
        clock.move_to(START + timedelta(minutes=20))
        message(member, other, "Or Monday?")

        page = text(member_client.get(thread_url(conversation)))

        *_, read, unread = messages_of(page)
        assert ("Lunch on Friday?" in read, "Seen" in read) == (True, True)
        assert ("Or Monday?" in unread, "Seen" in unread) == (True, False)

    def test_the_htmx_thread_pane_carries_it_too(self, member_client, conversation):
        page = text(member_client.get(thread_url(conversation), headers=pane("thread-pane")))

        assert f'id="read-receipt-{conversation.pk}">Seen <time' in page

    @pytest.mark.parametrize("who", ["member", "other"])
    def test_nobody_sees_seen_when_either_member_turned_read_receipts_off(
        self, request, client, member, other, conversation, who
    ):
        switched = request.getfixturevalue(who)
        Member.objects.filter(pk=switched.pk).update(read_receipts=False)

        for reader in (member, other):
            client.force_login(reader)
            assert "Seen" not in text(client.get(thread_url(conversation)))

    def test_the_recipient_opening_a_pending_inmail_shows_its_sender_no_seen(
        self, client, member, grace_inmail, premium_other
    ):
        client.force_login(member)
        client.get(thread_url(grace_inmail))
        client.force_login(premium_other)

        assert "Seen" not in text(client.get(thread_url(grace_inmail)))

    def test_opening_a_spam_conversation_with_a_new_message_reads_it(
        self, clock, client, member, other, conversation
    ):
        client.force_login(other)
        client.post(thread_url(conversation, "spam"), {"reason": "spam"})
        later = START + timedelta(minutes=30)
        clock.move_to(later)
        message(member, other, "Still there?")
        assert not Participant.objects.get(member=other, conversation=conversation).unread
        clock.move_to(later + timedelta(minutes=1))

        client.get(f"{thread_url(conversation)}?filter=spam")

        theirs = Participant.objects.get(member=other, conversation=conversation)
        assert theirs.read_at == later + timedelta(minutes=1)

    def test_mark_unread_keeps_the_seen_the_other_member_was_shown(
        self, client, member, other, conversation
    ):
        client.force_login(other)
        client.post(thread_url(conversation, "mark_unread"))
        client.force_login(member)

        assert "Seen <time" in text(client.get(thread_url(conversation)))


@pytest.mark.django_db
class TestAnswer:
    def test_interested_without_javascript_redirects_with_a_notice_and_credits_back(
        self, member_client, grace_inmail, premium_other
    ):
        assert balance(premium_other) == 4

        response = member_client.post(thread_url(grace_inmail, "answer"), {"answer": "interested"})

        assert response.status_code == 302
        assert response.url == thread_url(grace_inmail)
        grace_inmail.refresh_from_db()
        assert grace_inmail.response == "interested"
        assert grace_inmail.last_message.kind == "interested"
        assert balance(premium_other) == 5
        page = text(member_client.get(response.url))
        assert "You told Grace you're interested." in page
        assert "Interested — thanks for reaching out. Let's talk." in page
        assert "Interested</button>" not in page

    def test_not_interested_with_htmx_returns_the_thread_pane_and_credits_back(
        self, member_client, grace_inmail, premium_other
    ):
        response = member_client.post(
            thread_url(grace_inmail, "answer"),
            {"answer": "not_interested"},
            headers=pane("thread-pane"),
        )

        assert response.status_code == 200
        page = text(response)
        assert "<html" not in page
        assert "Not interested, thanks." in page
        assert "Interested</button>" not in page
        grace_inmail.refresh_from_db()
        assert grace_inmail.response == "not_interested"
        assert balance(premium_other) == 5

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({}, "Choose Interested or Not interested."),
            ({"answer": "maybe"}, None),
        ],
    )
    def test_an_answer_that_is_neither_is_refused(self, member_client, grace_inmail, data, message):
        before = stored()

        response = member_client.post(thread_url(grace_inmail, "answer"), data)

        assert response.status_code == 400
        if message:
            assert f'<p class="error" role="alert">{message}</p>' in text(response)
        assert stored() == before

    def test_answering_twice_is_refused(self, member_client, grace_inmail):
        member_client.post(thread_url(grace_inmail, "answer"), {"answer": "interested"})
        before = stored()

        response = member_client.post(
            thread_url(grace_inmail, "answer"), {"answer": "not_interested"}
        )

        assert response.status_code == 409
        assert "You've already responded to this InMail." in text(response)
        assert stored() == before

    def test_the_sender_cannot_answer_their_own_inmail(self, client, grace_inmail, premium_other):
        client.force_login(premium_other)
        before = stored()

        response = client.post(thread_url(grace_inmail, "answer"), {"answer": "interested"})

        assert response.status_code == 403
        assert "Only the recipient of an InMail can answer it." in text(response)
        assert stored() == before


@pytest.mark.django_db
class TestReply:
    def test_a_reply_without_javascript_redirects_to_the_thread(
        self, member_client, member, grace_inmail, premium_other
    ):
        response = member_client.post(
            thread_url(grace_inmail, "reply"), {"body": "Yes, gladly", "token": str(uuid.uuid4())}
        )

        assert response.status_code == 302
        assert response.url == thread_url(grace_inmail)
        grace_inmail.refresh_from_db()
        assert grace_inmail.response == "replied"
        assert grace_inmail.last_message.body == "Yes, gladly"
        assert grace_inmail.last_message.author == member
        assert balance(premium_other) == 5
        assert "Yes, gladly" in text(member_client.get(response.url))

    def test_a_reply_with_htmx_returns_the_thread_pane_and_its_row(
        self, member_client, grace_inmail
    ):
        response = member_client.post(
            thread_url(grace_inmail, "reply"),
            {"body": "Yes, gladly", "token": str(uuid.uuid4())},
            headers=pane("thread-pane"),
        )

        assert response.status_code == 200
        page = text(response)
        assert "<html" not in page
        assert "Yes, gladly" in page
        assert "You: Yes, gladly" in rows(page)[grace_inmail.pk]

    @pytest.mark.parametrize(
        ("headers", "status"), [({}, 400), (pane("thread-pane"), 422)], ids=["page", "htmx"]
    )
    def test_an_empty_reply_is_refused_and_stores_nothing(
        self, member_client, grace_inmail, headers, status
    ):
        before = stored()

        response = member_client.post(
            thread_url(grace_inmail, "reply"),
            {"body": " ", "token": str(uuid.uuid4())},
            headers=headers,
        )

        assert response.status_code == status
        assert '<p class="error" role="alert">Write a message before sending.</p>' in text(response)
        assert stored() == before

    def test_the_sender_cannot_write_again_before_a_response(
        self, client, grace_inmail, premium_other
    ):
        client.force_login(premium_other)
        before = stored()

        response = client.post(
            thread_url(grace_inmail, "reply"), {"body": "Any news?", "token": str(uuid.uuid4())}
        )

        assert response.status_code == 409
        assert "You've sent Ada an InMail. You can write again once they respond." in text(response)
        assert stored() == before

    @pytest.mark.parametrize(
        "data",
        [None, {"body": "Yes\x07 gladly", "token": "not a token"}],
        ids=["unbound", "with errors"],
    )
    def test_the_reply_fields_are_what_djangos_widgets_render(
        self, member_client, grace_inmail, data
    ):
        # The thread writes the fields out itself (faster than the form renderer's templates).
        if data is None:
            page = text(member_client.get(thread_url(grace_inmail)))
        else:
            page = text(member_client.post(thread_url(grace_inmail, "reply"), data))
        token = re.search(r'name="token" value="([^"]*)"', page)[1]
        form = MessageForm(data, auto_id="reply_%s", initial={"token": token})
        if data is not None:
            assert not form.is_valid()  # the body's control character, the token's format

        django = (
            f'{form["token"]}<label class="visually-hidden" for="reply_body">Write a message'
            f"</label>{form['body']}"
        )
        assert django in page
        if data is not None:  # the body's aria-describedby names its message
            assert '<p class="error" role="alert" id="reply_body_error">' in page

    def test_a_resubmitted_reply_is_sent_once(self, member_client, grace_inmail):
        data = {"body": "Yes, gladly", "token": str(uuid.uuid4())}

        first = member_client.post(thread_url(grace_inmail, "reply"), data)
        second = member_client.post(thread_url(grace_inmail, "reply"), data)

        assert first.status_code == second.status_code == 302
        assert grace_inmail.messages.filter(body="Yes, gladly").count() == 1


# Folder actions: name → (prepare, folder and unread after, where it goes, the notice)
MOVES = {
    "archive": (
        None,
        ("archived", False),
        lambda c: INBOX,
        "Your conversation with Grace Hopper was archived.",
    ),
    "unarchive": (
        "archived",
        ("inbox", False),
        lambda c: thread_url(c),
        "Your conversation with Grace Hopper is back in your inbox.",
    ),
    "spam": (
        None,
        ("spam", False),
        lambda c: f"{thread_url(c)}?filter=spam",
        "Reported as spam: your conversation with Grace Hopper was moved to Spam.",
    ),
    "mark_unread": (
        None,
        ("inbox", True),
        lambda c: INBOX,
        "Your conversation with Grace Hopper is marked unread.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", MOVES)
class TestFolderActions:
    @pytest.fixture
    def read_inmail(self, member, grace_inmail, action):
        services.conversation_read(member=member, conversation_id=grace_inmail.pk)
        if folder := MOVES[action][0]:
            services.conversation_move(
                member=member, conversation_id=grace_inmail.pk, folder=folder
            )
        return grace_inmail

    def test_without_javascript_it_redirects_with_a_notice(
        self, member_client, member, read_inmail, action
    ):
        _prepare, after, url, notice = MOVES[action]

        response = member_client.post(thread_url(read_inmail, action), POST_DATA[action]())

        assert response.status_code == 302
        assert response.url == url(read_inmail)
        participant = Participant.objects.get(member=member, conversation=read_inmail)
        assert (participant.folder, participant.unread) == after
        assert notice in text(member_client.get(response.url))

    def test_with_htmx_it_tells_htmx_where_to_go(self, member_client, member, read_inmail, action):
        _prepare, after, url, notice = MOVES[action]

        response = member_client.post(
            thread_url(read_inmail, action), POST_DATA[action](), headers=HTMX
        )

        assert response.status_code == 200
        assert json.loads(response["HX-Location"]) == {
            "path": url(read_inmail),
            "target": "#messaging",
        }
        participant = Participant.objects.get(member=member, conversation=read_inmail)
        assert (participant.folder, participant.unread) == after
        # htmx then fetches the panes, which carry the notice above the list.
        panes = member_client.get(url(read_inmail), headers={**HTMX, "HX-Target": "messaging"})
        assert notice in text(panes)
        assert "<html" not in text(panes)

    def test_get_is_not_allowed(self, member_client, read_inmail, action):
        before = stored()

        response = member_client.get(thread_url(read_inmail, action))

        assert response.status_code == 405
        assert stored() == before


@pytest.mark.django_db
class TestArchiveInPlace:
    def test_with_htmx_the_row_says_archived_with_undo_and_the_view_stays(
        self, member_client, member, grace_inmail
    ):
        url = f"{thread_url(grace_inmail, 'archive')}?filter=inmail"

        response = member_client.post(url, headers=pane("thread-pane"))

        assert response.status_code == 200
        assert Participant.objects.get(member=member, conversation=grace_inmail).folder == (
            "archived"
        )
        page = text(response)
        assert "<html" not in page
        assert "Choose a conversation to read it" in page
        row = rows(page)[grace_inmail.pk]
        assert 'hx-swap-oob="true"' in row
        assert "<span>Archived</span> ·" in row
        undo = f"{thread_url(grace_inmail, 'unarchive')}?filter=inmail"
        assert f'hx-post="{undo}" hx-target="#conversation-{grace_inmail.pk}"' in row
        assert (
            '<button class="linklike" type="submit" autofocus aria-label="Undo: move your'
            ' conversation with Grace Hopper back to the inbox">Undo</button>'
        ) in row
        # The address leaves the conversation for the view it was in.
        assert response["HX-Push-Url"] == f"{INBOX}?filter=inmail"

    def test_undo_brings_the_row_back(self, member_client, member, grace_inmail):
        services.conversation_move(
            member=member, conversation_id=grace_inmail.pk, folder="archived"
        )

        response = member_client.post(
            f"{thread_url(grace_inmail, 'unarchive')}?filter=inmail",
            headers=pane(f"conversation-{grace_inmail.pk}"),
        )

        assert response.status_code == 200
        assert Participant.objects.get(member=member, conversation=grace_inmail).folder == "inbox"
        page = text(response)
        assert page.strip().startswith(f'<li id="conversation-{grace_inmail.pk}"')
        assert row_names(page) == ["Grace Hopper"]
        assert f'href="{thread_url(grace_inmail)}?filter=inmail"' in page
        assert "hx-swap-oob" not in page
        assert "Archived" not in page

    def test_without_javascript_it_returns_to_the_view_with_a_notice(
        self, member_client, member, grace_inmail
    ):
        response = member_client.post(f"{thread_url(grace_inmail, 'archive')}?filter=inmail")

        assert response.status_code == 302
        assert response.url == f"{INBOX}?filter=inmail"
        page = text(member_client.get(response.url))
        assert "Your conversation with Grace Hopper was archived." in page
        assert Participant.objects.get(member=member, conversation=grace_inmail).folder == (
            "archived"
        )


@pytest.mark.django_db
class TestReportSpam:
    def test_the_thread_asks_why_with_the_five_reasons(self, member_client, grace_inmail):
        page = text(member_client.get(thread_url(grace_inmail)))

        assert "<legend>Why are you reporting your conversation with Grace Hopper?</legend>" in page
        reasons = re.findall(r'<input type="radio" name="reason" value="(\w+)"[^>]*required', page)
        assert reasons == ["spam", "scam", "fake_account", "harassment", "other"]
        for label in ("Spam", "Scam or fraud", "Fake account", "Harassment", "Something else"):
            assert f"{label}</label>" in page

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_the_reason_is_stored_with_the_report(
        self, member_client, member, grace_inmail, headers
    ):
        response = member_client.post(
            thread_url(grace_inmail, "spam"), {"reason": "fake_account"}, headers=headers
        )

        assert response.status_code in (200, 302)
        participant = Participant.objects.get(member=member, conversation=grace_inmail)
        assert (participant.folder, participant.spam_reason) == ("spam", "fake_account")

    @pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "boring"}])
    @pytest.mark.parametrize(
        ("headers", "status"), [({}, 400), (pane("thread-pane"), 422)], ids=["page", "htmx"]
    )
    def test_without_a_reason_it_says_so_and_changes_nothing(
        self, member_client, grace_inmail, data, headers, status
    ):
        before = stored()

        response = member_client.post(thread_url(grace_inmail, "spam"), data, headers=headers)

        assert response.status_code == status
        page = text(response)
        assert "Choose why you're reporting this conversation." in page
        assert 'id="thread-heading"' in page
        assert stored() == before


# The 404 rule: another member's conversation does not exist, whatever the URL.

THREAD_URLS = [
    pattern.name
    for pattern in inmail_urls.urlpatterns
    if "conversation_id" in pattern.pattern.converters
]
POST_DATA = {
    "reply": lambda: {"body": "Let me in", "token": str(uuid.uuid4())},
    "answer": lambda: {"answer": "interested"},
    "archive": dict,
    "unarchive": dict,
    "spam": lambda: {"reason": "spam"},
    "mark_unread": dict,
    "read": dict,
    "typing": dict,
}


def test_the_404_rule_covers_every_thread_url():
    assert set(THREAD_URLS) == {"thread", *POST_DATA}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
@pytest.mark.parametrize("whose", ["another pair's", "no one's"])
@pytest.mark.parametrize("name", THREAD_URLS)
def test_another_members_conversation_is_404_for_every_thread_url(
    member_client, premium_member, other, name, whose, headers
):
    # Grace's InMail to Ben, pending and unread, and an archived one from Ben to Grace's
    # colleague: none of it is Ada's, though Ada is connected with all of them.
    ben, colleague = MemberFactory(first_name="Ben"), MemberFactory()
    subscribe(other, "premium-essentials")
    theirs = inmail(other, ben)
    connect(ben, colleague)
    archived = message(ben, colleague, "Old news")
    services.conversation_move(member=ben, conversation_id=archived.pk, folder="archived")
    for someone in (other, ben, colleague):
        connect(premium_member, someone)
    conversation_id = theirs.pk if whose == "another pair's" else archived.pk + 1000
    url = reverse(f"inmail:{name}", kwargs={"conversation_id": conversation_id})
    before = stored()

    if name == "thread":
        response = member_client.get(url, headers=headers)
    else:
        response = member_client.post(url, POST_DATA[name](), headers=headers)

    assert response.status_code == 404
    assert stored() == before
    assert "Role at Analytical Engines" not in text(response)


# HTML in names, subjects and bodies is text


SCRIPT_NAME = "<script>alert(1)</script>"
SUBJECT = "<b>bold</b> offer"
BODY = "<img src=x onerror=alert(1)> hello"
MARKUP = ["<script>alert(1)</script>", "<b>bold</b>", "<img src=x"]
ESCAPED = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&lt;b&gt;bold&lt;/b&gt; offer",
    "&lt;img src=x onerror=alert(1)&gt; hello",
]


def as_text(response, *expected):
    """The raw response has the escaped text and none of the markup."""
    assert response.status_code in (200, 302)
    raw = response.content.decode()
    for markup in MARKUP:
        assert markup not in raw
    for escaped in expected:
        assert escaped in raw


@pytest.mark.django_db
def test_html_in_names_subjects_and_bodies_renders_as_text(client, premium_member):
    target = MemberFactory(first_name=SCRIPT_NAME, last_name="Smith")
    client.force_login(premium_member)

    sent = client.post(compose_url(target), send_data(subject=SUBJECT, body=BODY), headers=HTMX)

    name, subject, body = ESCAPED
    as_text(sent, name, subject, body)
    conversation = Conversation.objects.get()
    as_text(client.get(compose_url(target)), name)
    as_text(client.get(INBOX), name, subject, body)
    as_text(client.get(thread_url(conversation)), name, subject, body)
    as_text(client.get(thread_url(conversation), headers=pane("thread-pane")), name, subject)

    client.force_login(target)
    as_text(client.get(INBOX), name, subject, body)  # the top bar has the member's own name
    as_text(client.get(thread_url(conversation)), name, subject, body)


@pytest.mark.django_db
def test_html_in_a_name_is_text_in_the_notice_after_a_send_without_javascript(
    client, premium_member
):
    target = MemberFactory(first_name=SCRIPT_NAME, last_name="Smith")
    client.force_login(premium_member)

    response = client.post(compose_url(target), send_data(subject=SUBJECT, body=BODY))

    assert response.status_code == 302
    as_text(client.get(response.url), "Sent to &lt;script&gt;alert(1)&lt;/script&gt; Smith.")


# The unread badge


@pytest.mark.django_db
class TestUnreadBadge:
    url = reverse("inmail:unread_count")

    def test_it_counts_unread_conversations_in_the_inbox(self, member_client, inbox):
        response = member_client.get(self.url)

        page = text(response)
        assert response.status_code == 200
        assert page.startswith('<span id="unread-badge" class="badge-count"')
        assert 'aria-label="1 unread conversation">1</span>' in page
        assert 'hx-trigger="every 30s"' in page
        assert "hx-swap-oob" not in page

    def test_more_than_one_reads_plural(self, member_client, member, inbox):
        services.conversation_mark_unread(member=member, conversation_id=inbox["eve"].pk)

        page = text(member_client.get(self.url))

        assert 'aria-label="2 unread conversations">2</span>' in page

    def test_each_poll_shows_the_count_as_it_is_now(self, member_client, member, inbox, settings):
        # The badge is rendered once per count in a process (anew under DEBUG): either way
        # a poll shows what is unread when it is answered.
        for debug in (False, True):
            settings.DEBUG = debug
            assert ">1</span>" in text(member_client.get(self.url))
            services.conversation_mark_unread(member=member, conversation_id=inbox["eve"].pk)
            assert ">2</span>" in text(member_client.get(self.url))
            services.conversation_read(member=member, conversation_id=inbox["eve"].pk)

    def test_with_nothing_unread_it_is_empty(self, member_client, member):
        page = text(member_client.get(self.url))

        assert 'class="badge-count is-empty"' in page
        assert "aria-label" not in page

    def test_signed_out_it_answers_no_content(self, client):
        response = client.get(self.url)

        assert response.status_code == 204
        assert response.content == b""


@pytest.mark.django_db
def test_the_top_bars_counts_are_plain_on_a_page_and_lazy_otherwise(member_client, inbox):
    # A page read them with its session: plain values. An htmx request did not: read only
    # if a template shows one, in one query for the three.
    page = member_client.get(INBOX).context
    pane = member_client.get(INBOX, headers={"HX-Request": "true"}).context

    assert type(page["unread_messages"]) is int
    assert isinstance(pane["unread_messages"], SimpleLazyObject)
    assert page["unread_messages"] == pane["unread_messages"] == 1
    assert page["pending_invitations"] == pane["pending_invitations"] == 0


# The New message picker

NEW_MESSAGE = reverse("inmail:new_message")


@pytest.fixture
def lees(member):
    """Ada (Premium) with a connection and a 3rd+ member named Lee."""
    subscribe(member)
    friend = MemberFactory(first_name="Zoe", last_name="Lee", headline="Nurse")
    connect(member, friend)
    stranger = MemberFactory(first_name="Bea", last_name="Lee")
    return friend, stranger


@pytest.mark.django_db
class TestNewMessage:
    def test_without_javascript_it_is_a_search_page_linking_to_the_compose_page(
        self, member_client, lees
    ):
        friend, stranger = lees

        empty = text(member_client.get(NEW_MESSAGE))
        assert '<h1 id="compose-title">New message</h1>' in empty
        assert '<label for="picker-q">To: type a name</label>' in empty
        assert 'role="search" aria-label="Find a member to message"' in empty
        assert "Your connections come first" in empty

        page = text(member_client.get(NEW_MESSAGE, {"q": "lee"}))
        assert 'id="picker-q" type="search" name="q" value="lee"' in page
        assert 'name="q" value="" placeholder="Search people"' in page  # the top bar's own
        links = re.findall(r'<a class="picker__member" href="([^"]+)"', page)
        assert links == [compose_url(friend), compose_url(stranger)]
        assert "· 1st" in page
        assert "Nurse" in page

    def test_with_htmx_the_picker_opens_as_a_fragment_for_the_dialog(self, member_client, lees):
        response = member_client.get(NEW_MESSAGE, headers=pane("overlay"))

        page = text(response)
        assert response.status_code == 200
        assert "<html" not in page
        assert '<h2 id="compose-title">New message</h2>' in page
        assert 'hx-trigger="input changed delay:300ms"' in page
        assert 'hx-target="#new-message-results"' in page

    def test_typing_with_htmx_returns_only_the_results_and_their_count(self, member_client, lees):
        friend, _stranger = lees

        response = member_client.get(NEW_MESSAGE, {"q": "zoe"}, headers=pane("new-message-results"))

        page = text(response)
        assert response.status_code == 200
        assert "<html" not in page
        assert "compose-title" not in page
        assert f'hx-get="{compose_url(friend)}" hx-target="#overlay"' in page
        assert (
            '<p id="picker-count" class="visually-hidden" role="status" hx-swap-oob="true">'
            "1 member found</p>"
        ) in page
        assert "HX-Target" in response["Vary"]

    def test_no_match_says_so(self, member_client, lees):
        page = text(member_client.get(NEW_MESSAGE, {"q": "nobody"}))

        assert "No one you can message matches “nobody”." in page

    @pytest.mark.parametrize(
        ("q", "message"),
        [
            ("x" * 101, "Your search can be at most 100 characters."),
            ("lee\x07", "Your search can't contain line breaks, tabs or other control characters."),
            (
                "lee\nzoe",
                "Your search can't contain line breaks, tabs or other control characters.",
            ),
        ],
        ids=["overlong", "control character", "line break"],
    )
    @pytest.mark.parametrize(
        ("headers", "status"), [({}, 400), (pane("new-message-results"), 422)], ids=["page", "htmx"]
    )
    def test_bad_input_is_a_clear_message(self, member_client, lees, q, message, headers, status):
        response = member_client.get(NEW_MESSAGE, {"q": q}, headers=headers)

        assert response.status_code == status
        page = text(response)
        assert f'<p class="error" role="alert">{message}</p>' in page
        assert "picker__member" not in page

    def test_a_nul_byte_is_refused_before_the_view(self, member_client, lees):
        response = member_client.get(NEW_MESSAGE, {"q": "lee\x00"})

        assert response.status_code == 400

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get(NEW_MESSAGE)

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={NEW_MESSAGE}"

    def test_messaging_has_a_new_message_button_opening_the_picker(self, member_client):
        page = text(member_client.get(INBOX))

        assert (
            f'<a class="btn btn--primary btn--small messaging__new" href="{NEW_MESSAGE}"'
            f' hx-get="{NEW_MESSAGE}" hx-target="#overlay" hx-swap="innerHTML">New message</a>'
        ) in page


# Search in Messaging


@pytest.mark.django_db
class TestSearch:
    @pytest.mark.parametrize(
        ("q", "filter_name", "expected"),
        [
            ("lunch", "all", ["Eve Smith"]),  # a message's text
            ("TOMORROW", "all", ["Eve Smith"]),
            ("hopper", "all", ["Grace Hopper"]),  # the other member's name
            ("grace hop", "all", ["Grace Hopper"]),
            ("analytical", "all", ["Grace Hopper"]),  # the subject
            ("smith", "all", ["Eve Smith", "Ben Smith"]),
            ("smith", "archived", ["Carl Smith"]),
            ("cheap followers", "spam", ["Dan Spammer"]),
            ("followers", "all", []),  # in Spam, not in the inbox
        ],
    )
    def test_it_finds_conversations_by_name_subject_and_message_text_in_the_view(
        self, member_client, inbox, q, filter_name, expected
    ):
        response = member_client.get(INBOX, {"q": q, "filter": filter_name})

        assert response.status_code == 200
        assert row_names(text(response)) == expected

    def test_only_the_members_own_conversations_are_searched(self, member_client, inbox):
        ben, stranger = MemberFactory(first_name="Lunch", last_name="Lady"), MemberFactory()
        connect(ben, stranger)
        message(ben, stranger, "Lunch tomorrow with Grace Hopper?")

        page = text(member_client.get(INBOX, {"q": "lunch"}))

        assert row_names(page) == ["Eve Smith"]
        assert "Lunch Lady" not in page

    def test_the_term_stays_in_the_box_the_filters_the_rows_and_the_thread(
        self, member_client, inbox
    ):
        page = text(member_client.get(INBOX, {"q": "smith", "filter": "all"}))

        assert 'id="messaging-q" type="search" name="q" value="smith"' in page
        assert 'name="q" value="" placeholder="Search people"' in page  # the top bar's own
        assert f'href="{INBOX}?filter=archived&q=smith"' in page
        assert f'href="{INBOX}?q=smith"' in page
        eve = rows(page)[inbox["eve"].pk]
        assert f'href="{thread_url(inbox["eve"])}?q=smith"' in eve
        # The thread's own page lists the same search results beside it.
        thread = text(member_client.get(f"{thread_url(inbox['eve'])}?q=smith"))
        assert 'value="smith"' in thread
        assert f'hx-get="{INBOX}?q=smith" hx-trigger="intersect once"' in thread
        listed = text(member_client.get(INBOX, {"q": "smith"}, headers=pane("load-more")))
        assert row_names(listed) == ["Eve Smith", "Ben Smith"]

    def test_no_match_has_its_own_empty_state(self, member_client, inbox):
        page = text(member_client.get(INBOX, {"q": "zeppelin"}))

        assert row_names(page) == []
        assert "No conversations match “zeppelin”." in page

    def test_with_htmx_only_the_list_is_returned(self, member_client, inbox):
        response = member_client.get(INBOX, {"q": "hopper"}, headers=pane("conversation-list"))

        page = text(response)
        assert response.status_code == 200
        assert "<html" not in page
        assert 'id="thread-pane"' not in page
        assert row_names(page) == ["Grace Hopper"]

    def test_results_are_paged_like_the_inbox_and_keep_the_term(self, member_client, member):
        bulk_conversations(member, 45, prefix="page", mixed=False, ties=3)
        bulk_conversations(member, 5, prefix="other", mixed=False)
        pages, url = [], f"{INBOX}?q=page"
        while url:
            page = text(member_client.get(url))
            pages.append(row_ids(page))
            more = re.search(r'href="(/messaging/\?q=page&cursor=[\w-]+)"', page)
            url = more and more.group(1)

        assert [len(p) for p in pages] == [20, 20, 5]
        assert len({pk for p in pages for pk in p}) == 45

    @pytest.mark.parametrize(
        ("q", "error"),
        [
            ("x" * 101, "Your search can be at most 100 characters."),
            (
                "lunch\x1b",
                "Your search can't contain line breaks, tabs or other control characters.",
            ),
        ],
        ids=["overlong", "control character"],
    )
    @pytest.mark.parametrize(
        ("headers", "status"), [({}, 400), (pane("conversation-list"), 422)], ids=["page", "htmx"]
    )
    def test_bad_input_is_a_clear_message_and_the_inbox_unsearched(
        self, member_client, inbox, q, error, headers, status
    ):
        response = member_client.get(INBOX, {"q": q}, headers=headers)

        assert response.status_code == status
        page = text(response)
        assert f'<p class="field__error" id="messaging-q-error" role="alert">{error}</p>' in page
        assert 'aria-invalid="true" aria-describedby="messaging-q-error"' in page
        assert row_names(page) == ["Eve Smith", "Grace Hopper", "Ben Smith"]

    def test_a_nul_byte_is_refused_before_the_view(self, member_client, inbox):
        assert member_client.get(INBOX, {"q": "lunch\x00"}).status_code == 400


PAGE_WEIGHT = 15 * 1024  # bytes, for a page of 20 conversations or a thread of 20 messages
LONG_BODY = (
    "Message {n} of our conversation: thanks for the note, happy to talk about the role next "
    "week. Does Tuesday afternoon work for you?"
)


@pytest.mark.django_db
def test_the_inbox_and_a_thread_of_20_weigh_at_most_15_kb(member_client, member):
    """As the benchmark's data has them: full names, InMail subjects, long messages."""
    others = bulk_conversations(member, 30, prefix="weight", mixed=False)
    Member.objects.filter(pk__in=[m.pk for m in others]).update(
        first_name="Quinn", last_name="Okafor"
    )
    Conversation.objects.filter(kind="inmail").update(subject="An opportunity at Skyforge")
    Message.objects.update(body=LONG_BODY)
    thread = Participant.objects.get(member=member, other=others[0]).conversation
    Message.objects.bulk_create(
        Message(conversation=thread, author=member, body=LONG_BODY.format(n=n)) for n in range(19)
    )

    inbox = member_client.get(INBOX).content.decode()
    page = member_client.get(thread_url(thread)).content.decode()
    pane_only = member_client.get(thread_url(thread), headers=pane("thread-pane")).content

    assert len(rows(inbox)) == 20
    assert len(inbox.encode()) <= PAGE_WEIGHT
    assert len(re.findall(r'<li [^>]*class="message', page)) == 20
    assert len(page.encode()) <= PAGE_WEIGHT  # the conversation's own page
    assert len(pane_only) <= PAGE_WEIGHT
