"""The InMail rules at the service level: who may write to whom, what it costs, what comes back.

Every refusal is checked for its exact message and status, and against a snapshot of every row
a send could touch: a refused send stores no conversation, no message and spends no credit.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Member
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from inmail import services
from inmail.models import Conversation, Message, Participant
from premium import services as premium_services
from premium.models import CreditGrant, LedgerEntry
from tests import assertions
from tests.factories import BlockFactory, MemberFactory, connect, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

# Premium Essentials started at START renews on Apr 14, May 14, Jun 14 (5 credits each);
# the first month's credits expire 90 days after START, on Jun 12.
START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
APR_14 = datetime(2026, 4, 14, 9, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)

NO_PLAN = "InMail credits come with Premium. Choose a plan on My Premium to get them."
NO_CREDITS = "You have no InMail credits left. Your next 5 arrive on Apr 14, 2026."
NOT_FOUND = "That conversation doesn't exist."
PENDING = "You've sent Grace an InMail. You can write again once they respond."
DECLINED = "Grace isn't interested, so this conversation is closed."
ONLY_RECIPIENT = "Only the recipient of an InMail can answer it."
ALREADY_ANSWERED = "You've already responded to this InMail."
CREDIT_BACK_NOTE = "Grace Hopper answered your InMail"
SUBJECT = "A role on our compiler team"
BODY = "Hello Grace, would you have a moment to talk about a role?"
Reason = LedgerEntry.Reason


@pytest.fixture
def outsider(db):
    return MemberFactory(first_name="Alan", last_name="Turing")


@pytest.fixture
def premium_member(member):
    """Ada on Premium Essentials: 5 credits."""
    subscribe(member)
    return member


def snapshot():
    """Every row a send, a reply or an answer could touch."""
    return {
        "conversations": list(Conversation.objects.order_by("pk").values_list()),
        "messages": list(Message.objects.order_by("pk").values_list()),
        "participants": list(Participant.objects.order_by("pk").values_list()),
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list()),
        "grants": list(CreditGrant.objects.order_by("pk").values_list()),
    }


def refused(message, kind=Invalid):
    return assertions.refused(snapshot, message, kind)


def balance(member):
    return premium_services.premium_status(member=member).balance


def ledger(member, reason):
    return list(
        LedgerEntry.objects.filter(member=member, reason=reason)
        .order_by("created_at", "id")
        .values_list("amount", "balance_after", "note", "created_at")
    )


def send(sender, recipient, *, body=BODY, subject=SUBJECT, token=None):
    return services.message_send(
        sender=sender, recipient=recipient, body=body, subject=subject, token=token or uuid.uuid4()
    )


def participant(member, conversation):
    return Participant.objects.get(member=member, conversation=conversation)


def turn_on_open_profile(member):
    subscribe(member)
    premium_services.open_profile_set(member=member, enabled=True)


def reply(member, conversation, body="Thanks, happy to talk."):
    return services.message_reply(
        member=member, conversation_id=conversation.pk, body=body, token=uuid.uuid4()
    )


def answer(member, conversation, *, interested):
    return services.inmail_answer(
        member=member, conversation_id=conversation.pk, interested=interested
    )


def respond(how, member, conversation):
    """The recipient's three ways of responding to an InMail."""
    if how == "reply":
        return reply(member, conversation)
    return answer(member, conversation, interested=how == "interested")


# --- Messages to connections ---------------------------------------------------------------


def test_message_to_a_connection_is_free_and_has_no_subject(member, other):
    connect(member, other)

    message = send(member, other, subject="")

    conversation = message.conversation
    assert (conversation.kind, conversation.subject) == ("message", "")
    assert (conversation.response, conversation.credit_spent) == ("", False)
    assert (conversation.starter, conversation.recipient) == (member, other)
    assert (message.author, message.kind, message.body) == (member, "text", BODY)
    assert conversation.last_message == message
    assert not LedgerEntry.objects.exists()


def test_message_to_a_connection_ignores_a_subject_and_spends_nothing_of_a_premium_sender(
    premium_member, other
):
    connect(premium_member, other)

    message = send(premium_member, other, subject="Not for a normal message")

    assert message.conversation.subject == ""
    assert message.conversation.kind == "message"
    assert balance(premium_member) == 5
    assert ledger(premium_member, Reason.SPEND) == []


def test_connections_can_write_back_and_forth_without_waiting(member, other):
    connect(member, other)

    first = send(member, other)
    second = send(member, other, body="And another thing.")
    answer_back = send(other, member, body="Sure.")

    assert first.conversation == second.conversation == answer_back.conversation
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 3


# --- InMail: what it costs ------------------------------------------------------------------


def test_inmail_spends_exactly_one_credit(premium_member, other):
    assert balance(premium_member) == 5

    message = send(premium_member, other)

    conversation = message.conversation
    assert conversation.kind == "inmail"
    assert (conversation.subject, conversation.response) == (SUBJECT, "pending")
    assert conversation.credit_spent is True
    assert (conversation.starter, conversation.recipient) == (premium_member, other)
    assert (conversation.created_at, conversation.responded_at) == (START, None)
    assert (message.author, message.kind, message.body) == (premium_member, "text", BODY)
    assert balance(premium_member) == 4
    assert ledger(premium_member, Reason.SPEND) == [
        (-1, 4, f"InMail to Grace Hopper: {SUBJECT}", START)
    ]
    assert LedgerEntry.objects.get(reason=Reason.SPEND).actor == premium_member


def test_inmail_subject_and_body_are_stored_without_surrounding_whitespace(premium_member, other):
    message = send(premium_member, other, subject="  Hello  ", body="\n  Hi Grace  \n")

    assert message.conversation.subject == "Hello"
    assert message.body == "Hi Grace"


def test_inmail_to_an_open_profile_is_free_even_for_a_member_without_a_plan(member, other):
    turn_on_open_profile(other)

    message = send(member, other)

    conversation = message.conversation
    assert (conversation.kind, conversation.subject) == ("inmail", SUBJECT)
    assert conversation.response == "pending"
    assert conversation.credit_spent is False
    assert not LedgerEntry.objects.filter(member=member).exists()


def test_inmail_to_an_open_profile_costs_a_premium_sender_nothing(premium_member, other):
    turn_on_open_profile(other)

    message = send(premium_member, other)

    assert message.conversation.credit_spent is False
    assert balance(premium_member) == 5
    assert ledger(premium_member, Reason.SPEND) == []


def test_open_profile_is_not_free_once_its_owners_plan_has_ended(clock, member, other):
    turn_on_open_profile(other)
    premium_services.subscription_cancel(member=other)
    clock.move_to(APR_14 + DAY)
    # Nothing has settled Grace's plan yet: the flag is still on, but she is no longer Premium.
    assert Member.objects.get(pk=other.pk).open_profile is True

    with refused(NO_PLAN, NotAllowed):
        send(member, other)


def test_open_profile_flag_without_a_plan_does_not_make_an_inmail_free(premium_member, other):
    Member.objects.filter(pk=other.pk).update(open_profile=True)
    other.refresh_from_db()

    message = send(premium_member, other)

    assert message.conversation.credit_spent is True
    assert balance(premium_member) == 4


# --- InMail: refusals -----------------------------------------------------------------------


def test_inmail_without_a_plan_is_refused(member, other):
    with refused(NO_PLAN, NotAllowed):
        send(member, other)


def test_inmail_with_no_credits_left_is_refused_naming_the_next_allowance(premium_member, other):
    for _ in range(5):
        premium_services.credits_spend(member=premium_member)
    assert balance(premium_member) == 0

    with refused(NO_CREDITS, Conflict):
        send(premium_member, other)


def test_inmail_on_a_cancelled_plan_before_its_end_still_spends_a_credit(
    clock, premium_member, other
):
    premium_services.subscription_cancel(member=premium_member)
    clock.move_to(APR_14 - SECOND)

    message = send(premium_member, other)

    assert message.conversation.credit_spent is True
    assert balance(premium_member) == 4


def test_inmail_on_a_cancelled_plan_after_its_period_end_is_refused_as_without_a_plan(
    clock, premium_member, other
):
    premium_services.subscription_cancel(member=premium_member)
    clock.move_to(APR_14)

    with refused(NO_PLAN, NotAllowed):
        send(premium_member, other)


def test_inmail_to_a_member_who_does_not_accept_inmail_is_refused(premium_member, other):
    Member.objects.filter(pk=other.pk).update(accept_inmail=False)
    other.refresh_from_db()

    with refused(
        "Grace Hopper doesn't accept InMail. Connect with them to message them.", NotAllowed
    ):
        send(premium_member, other)


def test_inmail_to_a_member_you_blocked_is_refused(premium_member, other):
    BlockFactory(blocker=premium_member, blocked=other)

    with refused(
        "You've blocked Grace Hopper. Unblock them in Settings to message them.", NotAllowed
    ):
        send(premium_member, other)


def test_inmail_to_a_member_who_blocked_you_is_refused(premium_member, other):
    BlockFactory(blocker=other, blocked=premium_member)

    with refused("You can't message Grace Hopper.", NotAllowed):
        send(premium_member, other)


@pytest.mark.parametrize("blocker", ["sender", "recipient"])
def test_message_in_an_existing_conversation_is_refused_after_a_block_either_way(
    blocker, member, other
):
    connect(member, other)
    conversation = send(member, other).conversation
    if blocker == "sender":
        BlockFactory(blocker=member, blocked=other)
        message = "You've blocked Grace Hopper. Unblock them in Settings to message them."
    else:
        BlockFactory(blocker=other, blocked=member)
        message = "You can't message Grace Hopper."

    with refused(message, NotAllowed):
        reply(member, conversation)


def test_messaging_yourself_is_refused(premium_member):
    with refused("You can't message yourself.", Invalid):
        send(premium_member, premium_member)


def test_messaging_a_deactivated_member_is_refused(premium_member, other):
    Member.objects.filter(pk=other.pk).update(is_active=False)
    other.refresh_from_db()

    with refused("This member is no longer on InMail.", NotFound):
        send(premium_member, other)


# --- Subject and body -----------------------------------------------------------------------


def test_inmail_subject_of_200_characters_is_sent(premium_member, other):
    message = send(premium_member, other, subject="s" * 200)

    assert message.conversation.subject == "s" * 200


def test_inmail_subject_of_201_characters_is_refused(premium_member, other):
    with refused("Your subject can be at most 200 characters; it has 201.", Invalid):
        send(premium_member, other, subject="s" * 201)


@pytest.mark.parametrize("subject", ["", "   "])
def test_inmail_without_a_subject_is_refused(subject, premium_member, other):
    with refused("Add a subject: an InMail needs one.", Invalid):
        send(premium_member, other, subject=subject)


def test_body_of_2000_characters_is_sent(premium_member, other):
    message = send(premium_member, other, body="b" * 2000)

    assert message.body == "b" * 2000


@pytest.mark.parametrize("connected", [False, True], ids=["inmail", "connection"])
def test_body_of_2001_characters_is_refused(connected, premium_member, other):
    if connected:
        connect(premium_member, other)

    with refused("Your message can be at most 2,000 characters; it has 2,001.", Invalid):
        send(premium_member, other, body="b" * 2001)


@pytest.mark.parametrize("body", ["", "  \n\t "])
@pytest.mark.parametrize("connected", [False, True], ids=["inmail", "connection"])
def test_empty_body_is_refused(connected, body, premium_member, other):
    if connected:
        connect(premium_member, other)

    with refused("Write a message before sending.", Invalid):
        send(premium_member, other, body=body)


# --- Until the recipient responds, and after a decline ------------------------------------


def test_second_message_before_a_response_is_refused(premium_member, other):
    conversation = send(premium_member, other).conversation

    with refused(PENDING, Conflict):
        send(premium_member, other, subject="Following up")
    with refused(PENDING, Conflict):
        reply(premium_member, conversation)

    assert balance(premium_member) == 4


def test_after_not_interested_the_sender_is_refused_for_good(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    answer(other, conversation, interested=False)

    with refused(DECLINED, NotAllowed):
        send(premium_member, other)
    clock.move_to(START + timedelta(days=400))
    with refused(DECLINED, NotAllowed):
        send(premium_member, other, subject="Another try")
    with refused(DECLINED, NotAllowed):
        reply(premium_member, conversation)


def test_the_recipient_can_reply_to_an_inmail(premium_member, other):
    conversation = send(premium_member, other).conversation

    message = reply(other, conversation)

    conversation.refresh_from_db()
    assert (message.conversation, message.author, message.kind) == (conversation, other, "text")
    assert (conversation.response, conversation.responded_at) == ("replied", START)
    assert conversation.last_message == message
    assert conversation.kind == "inmail"


def test_the_recipient_can_reply_with_a_new_send_too(premium_member, other):
    conversation = send(premium_member, other).conversation

    message = send(other, premium_member, subject="")

    conversation.refresh_from_db()
    assert message.conversation == conversation
    assert conversation.response == "replied"
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize("how", ["reply", "interested"])
def test_after_a_reply_or_interested_the_sender_can_write_again_for_free(
    how, premium_member, other
):
    conversation = send(premium_member, other).conversation
    respond(how, other, conversation)
    assert balance(premium_member) == 5

    followup = reply(premium_member, conversation, body="Great, when suits you?")
    another = send(premium_member, other, body="Tuesday?")

    assert followup.conversation == another.conversation == conversation
    assert balance(premium_member) == 5
    assert len(ledger(premium_member, Reason.SPEND)) == 1


def test_a_connection_can_always_message_even_with_a_pending_inmail_between_them(
    premium_member, other
):
    conversation = send(premium_member, other).conversation
    connect(premium_member, other)

    first = send(premium_member, other, subject="")
    second = reply(premium_member, conversation, body="One more.")

    conversation.refresh_from_db()
    assert first.conversation == second.conversation == conversation
    assert conversation.response == "pending"
    assert balance(premium_member) == 4
    assert Message.objects.filter(conversation=conversation, author=premium_member).count() == 3


def test_a_connection_can_message_even_after_declining_an_inmail(premium_member, other):
    conversation = send(premium_member, other).conversation
    answer(other, conversation, interested=False)
    connect(premium_member, other)

    message = reply(premium_member, conversation, body="Now that we're connected…")

    assert message.conversation == conversation


# --- Credit back ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["reply", "interested", "not_interested"])
def test_a_response_gives_the_sender_the_credit_back(how, premium_member, other):
    conversation = send(premium_member, other).conversation
    assert balance(premium_member) == 4

    respond(how, other, conversation)

    conversation.refresh_from_db()
    assert conversation.response == {"reply": "replied"}.get(how, how)
    assert conversation.responded_at == START
    assert balance(premium_member) == 5
    assert ledger(premium_member, Reason.CREDIT_BACK) == [(1, 5, CREDIT_BACK_NOTE, START)]
    lot = CreditGrant.objects.get(member=premium_member, kind=CreditGrant.Kind.CREDIT_BACK)
    assert (lot.amount, lot.remaining) == (1, 1)
    assert not LedgerEntry.objects.filter(member=other).exists()


def test_credit_back_on_day_89(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    day_89 = START + timedelta(days=89)
    clock.move_to(day_89)
    # Jun 11: 4 left of the first month, plus the allowances of Apr 14 and May 14.
    assert balance(premium_member) == 14

    answer(other, conversation, interested=True)

    assert balance(premium_member) == 15
    assert ledger(premium_member, Reason.CREDIT_BACK) == [(1, 15, CREDIT_BACK_NOTE, day_89)]


def test_credit_back_at_exactly_90_days(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    day_90 = START + timedelta(days=90)
    clock.move_to(day_90)
    # Jun 12: the first month's 4 credits have just expired.
    assert balance(premium_member) == 10

    reply(other, conversation)

    assert balance(premium_member) == 11
    assert ledger(premium_member, Reason.CREDIT_BACK) == [(1, 11, CREDIT_BACK_NOTE, day_90)]


def test_no_credit_back_on_day_91(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    clock.move_to(START + timedelta(days=91))
    assert balance(premium_member) == 10

    answer(other, conversation, interested=True)

    conversation.refresh_from_db()
    assert conversation.response == "interested"
    assert balance(premium_member) == 10
    assert ledger(premium_member, Reason.CREDIT_BACK) == []


@pytest.mark.parametrize("premium_sender", [False, True])
def test_no_credit_back_for_a_free_open_profile_inmail(premium_sender, member, other):
    if premium_sender:
        subscribe(member)
    turn_on_open_profile(other)
    conversation = send(member, other).conversation

    answer(other, conversation, interested=True)

    assert ledger(member, Reason.CREDIT_BACK) == []
    assert not CreditGrant.objects.filter(member=member, kind="credit_back").exists()
    assert balance(member) == (5 if premium_sender else 0)


def test_only_the_first_response_gives_the_credit_back(premium_member, other):
    conversation = send(premium_member, other).conversation

    reply(other, conversation)
    reply(other, conversation, body="Also, I'm free on Friday.")
    send(premium_member, other, body="Friday works.")
    reply(other, conversation, body="Great.")

    conversation.refresh_from_db()
    assert conversation.response == "replied"
    assert len(ledger(premium_member, Reason.CREDIT_BACK)) == 1
    assert balance(premium_member) == 5


def test_no_credit_comes_back_to_a_sender_whose_plan_has_ended(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    premium_services.subscription_cancel(member=premium_member)
    clock.move_to(APR_14 + DAY)

    reply(other, conversation)

    conversation.refresh_from_db()
    assert conversation.response == "replied"
    assert ledger(premium_member, Reason.CREDIT_BACK) == []
    assert balance(premium_member) == 0


# --- The balance a send answers with ----------------------------------------------------------


def test_a_paid_inmail_answers_with_the_balance_after_it(premium_member, other):
    assert send(premium_member, other).credits_left == 4
    assert send(premium_member, MemberFactory()).credits_left == 3


def test_free_messages_answer_with_no_balance(premium_member, other, outsider):
    connect(premium_member, other)
    turn_on_open_profile(outsider)

    assert send(premium_member, other, subject="").credits_left is None
    assert send(premium_member, outsider).credits_left is None
    assert balance(premium_member) == 5


def test_the_balance_is_read_inside_the_sends_own_transaction(
    premium_member, other, django_assert_num_queries
):
    """A second transaction after the commit once met a dropped connection: none is needed."""
    message = send(premium_member, other)

    with django_assert_num_queries(0):
        assert message.credits_left == 4


# --- A resubmitted send ---------------------------------------------------------------------


def test_resubmitted_inmail_with_the_same_token_sends_and_spends_once(premium_member, other):
    token = uuid.uuid4()

    first = send(premium_member, other, token=token)
    again = send(premium_member, other, token=token)

    assert again.pk == first.pk
    assert again.conversation == first.conversation
    assert (first.credits_left, again.credits_left) == (4, 4)
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert balance(premium_member) == 4
    assert len(ledger(premium_member, Reason.SPEND)) == 1


def test_resubmitted_reply_with_the_same_token_posts_once(premium_member, other):
    conversation = send(premium_member, other).conversation
    token = uuid.uuid4()

    first = services.message_reply(
        member=other, conversation_id=conversation.pk, body="Sure.", token=token
    )
    again = services.message_reply(
        member=other, conversation_id=conversation.pk, body="Sure.", token=token
    )

    assert again.pk == first.pk
    assert Message.objects.filter(author=other).count() == 1
    assert len(ledger(premium_member, Reason.CREDIT_BACK)) == 1


def test_sends_without_a_token_are_separate_messages(member, other):
    connect(member, other)

    first = services.message_send(sender=member, recipient=other, body="Hi")
    second = services.message_send(sender=member, recipient=other, body="Hi")

    assert first.pk != second.pk
    assert Message.objects.count() == 2


# --- inmail_answer --------------------------------------------------------------------------


@pytest.mark.parametrize("interested", [True, False])
def test_inmail_answer_posts_the_one_click_message(interested, premium_member, other):
    conversation = send(premium_member, other).conversation

    message = answer(other, conversation, interested=interested)

    conversation.refresh_from_db()
    kind = "interested" if interested else "not_interested"
    body = services.INTERESTED_BODY if interested else services.NOT_INTERESTED_BODY
    assert (message.author, message.kind, message.body) == (other, kind, body)
    assert (conversation.response, conversation.last_message) == (kind, message)
    assert participant(premium_member, conversation).unread is True


def test_inmail_answer_is_refused_for_the_starter(premium_member, other):
    conversation = send(premium_member, other).conversation

    with refused(ONLY_RECIPIENT, NotAllowed):
        answer(premium_member, conversation, interested=True)


def test_inmail_answer_is_refused_in_a_normal_conversation(member, other):
    connect(member, other)
    conversation = send(member, other).conversation

    with refused(ONLY_RECIPIENT, NotAllowed):
        answer(other, conversation, interested=True)


@pytest.mark.parametrize("first", ["reply", "interested", "not_interested"])
def test_inmail_answer_is_refused_once_the_recipient_has_responded(first, premium_member, other):
    conversation = send(premium_member, other).conversation
    respond(first, other, conversation)

    with refused(ALREADY_ANSWERED, Conflict):
        answer(other, conversation, interested=True)
    with refused(ALREADY_ANSWERED, Conflict):
        answer(other, conversation, interested=False)


# --- Unread and folders ---------------------------------------------------------------------


def test_new_conversation_is_unread_for_the_recipient_only(premium_member, other):
    conversation = send(premium_member, other).conversation

    mine, theirs = participant(premium_member, conversation), participant(other, conversation)
    assert (mine.other, mine.folder, mine.unread, mine.last_message_at) == (
        other,
        "inbox",
        False,
        START,
    )
    assert (theirs.other, theirs.folder, theirs.unread, theirs.last_message_at) == (
        premium_member,
        "inbox",
        True,
        START,
    )


def test_a_new_message_makes_the_other_side_unread_and_keeps_the_senders_side_read(
    clock, member, other
):
    connect(member, other)
    conversation = send(member, other).conversation
    services.conversation_read(member=other, conversation_id=conversation.pk)
    services.conversation_mark_unread(member=member, conversation_id=conversation.pk)
    later = START + timedelta(hours=2)
    clock.move_to(later)

    send(member, other, body="Are you there?")

    mine, theirs = participant(member, conversation), participant(other, conversation)
    assert (mine.unread, mine.last_message_at) == (False, later)
    assert (theirs.unread, theirs.last_message_at) == (True, later)


def test_a_new_message_brings_an_archived_conversation_back_to_the_inbox(member, other):
    connect(member, other)
    conversation = send(member, other).conversation
    services.conversation_move(member=other, conversation_id=conversation.pk, folder="archived")

    send(member, other, body="Bumping this.")

    theirs = participant(other, conversation)
    assert (theirs.folder, theirs.unread) == ("inbox", True)


def test_a_new_message_leaves_a_spam_conversation_in_spam_and_read(member, other):
    connect(member, other)
    conversation = send(member, other).conversation
    services.conversation_move(
        member=other, conversation_id=conversation.pk, folder="spam", reason="spam"
    )

    send(member, other, body="Did you get my message?")

    theirs = participant(other, conversation)
    assert (theirs.folder, theirs.unread) == ("spam", False)


def test_moving_to_spam_marks_the_conversation_read(premium_member, other):
    conversation = send(premium_member, other).conversation
    assert participant(other, conversation).unread is True

    moved = services.conversation_move(
        member=other, conversation_id=conversation.pk, folder="spam", reason="spam"
    )

    assert (moved.folder, moved.unread) == ("spam", False)
    assert participant(other, conversation).unread is False


@pytest.mark.parametrize("reason", ["spam", "scam", "fake_account", "harassment", "other"])
def test_a_spam_report_stores_its_reason_until_moved_out_of_spam(premium_member, other, reason):
    conversation = send(premium_member, other).conversation

    services.conversation_move(
        member=other, conversation_id=conversation.pk, folder="spam", reason=reason
    )
    assert participant(other, conversation).spam_reason == reason
    assert participant(premium_member, conversation).spam_reason == ""

    services.conversation_move(member=other, conversation_id=conversation.pk, folder="inbox")
    assert (
        participant(other, conversation).folder,
        participant(other, conversation).spam_reason,
    ) == (
        "inbox",
        "",
    )


@pytest.mark.parametrize("reason", ["", "boring", "SPAM"])
def test_a_spam_report_without_a_known_reason_is_refused_and_changes_nothing(
    premium_member, other, reason
):
    conversation = send(premium_member, other).conversation

    with refused("Choose why you're reporting this conversation.", Invalid):
        services.conversation_move(
            member=other, conversation_id=conversation.pk, folder="spam", reason=reason
        )

    assert (participant(other, conversation).folder, participant(other, conversation).unread) == (
        "inbox",
        True,
    )


def test_archive_and_unarchive_move_only_the_members_own_side(premium_member, other):
    conversation = send(premium_member, other).conversation

    services.conversation_move(member=other, conversation_id=conversation.pk, folder="archived")
    assert participant(other, conversation).folder == "archived"
    assert participant(premium_member, conversation).folder == "inbox"

    services.conversation_move(member=other, conversation_id=conversation.pk, folder="inbox")
    assert participant(other, conversation).folder == "inbox"


def test_read_and_mark_unread_change_only_the_members_own_side(premium_member, other):
    conversation = send(premium_member, other).conversation

    services.conversation_read(member=other, conversation_id=conversation.pk)
    assert participant(other, conversation).unread is False

    services.conversation_mark_unread(member=other, conversation_id=conversation.pk)
    assert participant(other, conversation).unread is True
    assert participant(premium_member, conversation).unread is False


# --- When each side read the conversation (read receipts) ---------------------------------


def test_writing_is_reading_the_author_has_read_the_conversation_when_they_send(
    clock, member, other
):
    connect(member, other)
    conversation = send(member, other).conversation

    assert participant(member, conversation).read_at == START
    assert participant(other, conversation).read_at is None

    later = START + timedelta(minutes=5)
    clock.move_to(later)
    reply(other, conversation)
    assert participant(other, conversation).read_at == later
    assert participant(member, conversation).read_at == START


def test_opening_the_conversation_reads_it_now(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    later = START + timedelta(hours=3)
    clock.move_to(later)

    read = services.conversation_read(member=other, conversation_id=conversation.pk)

    assert (read.unread, read.read_at) == (False, later)
    theirs = participant(other, conversation)
    assert (theirs.unread, theirs.read_at) == (False, later)
    assert participant(premium_member, conversation).read_at == START


def test_mark_unread_keeps_when_the_conversation_was_read(clock, premium_member, other):
    conversation = send(premium_member, other).conversation
    read_at = START + timedelta(minutes=1)
    clock.move_to(read_at)
    services.conversation_read(member=other, conversation_id=conversation.pk)
    clock.move_to(read_at + timedelta(minutes=1))

    services.conversation_mark_unread(member=other, conversation_id=conversation.pk)

    theirs = participant(other, conversation)
    assert (theirs.unread, theirs.read_at) == (True, read_at)


def test_a_message_that_lands_in_spam_is_not_unread_but_not_read_either(clock, member, other):
    connect(member, other)
    conversation = send(member, other).conversation
    services.conversation_read(member=other, conversation_id=conversation.pk)
    services.conversation_move(
        member=other, conversation_id=conversation.pk, folder="spam", reason="spam"
    )
    assert participant(other, conversation).is_read

    clock.move_to(START + timedelta(minutes=1))
    send(member, other, body="Did you get my message?")

    theirs = participant(other, conversation)
    assert (theirs.unread, theirs.read_at, theirs.is_read) == (False, START, False)


def test_moving_to_an_unknown_folder_is_refused(premium_member, other):
    conversation = send(premium_member, other).conversation

    with refused("Choose Inbox, Archived or Spam.", Invalid):
        services.conversation_move(member=other, conversation_id=conversation.pk, folder="trash")


# --- Another member's conversation ---------------------------------------------------------


OTHERS_CONVERSATION = {
    "read": lambda member, pk: services.conversation_read(member=member, conversation_id=pk),
    "mark_unread": lambda member, pk: services.conversation_mark_unread(
        member=member, conversation_id=pk
    ),
    "archive": lambda member, pk: services.conversation_move(
        member=member, conversation_id=pk, folder="archived"
    ),
    "spam": lambda member, pk: services.conversation_move(
        member=member, conversation_id=pk, folder="spam", reason="spam"
    ),
    "reply": lambda member, pk: services.message_reply(
        member=member, conversation_id=pk, body="Hi", token=uuid.uuid4()
    ),
    "interested": lambda member, pk: services.inmail_answer(
        member=member, conversation_id=pk, interested=True
    ),
    "not_interested": lambda member, pk: services.inmail_answer(
        member=member, conversation_id=pk, interested=False
    ),
}


@pytest.mark.parametrize("action", OTHERS_CONVERSATION)
def test_another_members_conversation_does_not_exist(action, premium_member, other, outsider):
    conversation = send(premium_member, other).conversation
    # Alan may write to both of them; the conversation between them is still none of his.
    connect(outsider, premium_member)
    connect(outsider, other)

    with refused(NOT_FOUND, NotFound):
        OTHERS_CONVERSATION[action](outsider, conversation.pk)


@pytest.mark.parametrize("action", OTHERS_CONVERSATION)
def test_a_conversation_id_that_does_not_exist_is_not_found(action, premium_member):
    with refused(NOT_FOUND, NotFound):
        OTHERS_CONVERSATION[action](premium_member, 999_999)


# --- Text that is refused -------------------------------------------------------------------

INVISIBLE = "\u200b\u200c\u2060\ufeff \u3164"


@pytest.mark.parametrize(
    ("subject", "body", "error"),
    [
        (INVISIBLE, BODY, "Your subject has nothing visible in it: write some text."),
        (SUBJECT, INVISIBLE, "Your message has nothing visible in it: write some text."),
        (
            "Hello\r\nBcc: everyone@example.com",
            BODY,
            "Your subject can't contain line breaks, tabs or other control characters.",
        ),
        (SUBJECT, "Hi\x1b[2J", "Your message can't contain control characters."),
    ],
    ids=["invisible subject", "invisible body", "CR/LF in the subject", "escape in the body"],
)
def test_an_inmail_with_invisible_or_control_text_is_refused_and_spends_nothing(
    premium_member, other, subject, body, error
):
    with refused(error):
        send(premium_member, other, subject=subject, body=body)
    assert balance(premium_member) == 5


def test_a_message_to_a_connection_with_nothing_visible_is_refused(member, other):
    connect(member, other)

    with refused("Your message has nothing visible in it: write some text."):
        send(member, other, body="\u200b\u200b")
