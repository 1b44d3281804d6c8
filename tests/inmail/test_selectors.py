"""Who may write to whom, decided before any form is shown: `compose_options` and the reads
it stands on. The sends that act on these answers are in test_services.py."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from accounts.models import Member
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from inmail import selectors, services
from inmail.models import SEARCH_CONFIG, Message, Participant, search_document
from inmail.selectors import Compose
from premium import services as premium_services
from tests.factories import BlockFactory, MemberFactory, connect, subscribe

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def inmail(sender, recipient):
    return services.message_send(
        sender=sender, recipient=recipient, subject="A role", body="Would you talk?"
    )


def refusal(compose):
    return compose.reason, type(compose.refusal), compose.refusal.message


# --- conversation_between ------------------------------------------------------------------


def test_conversation_between_is_none_before_anyone_wrote(member, other):
    assert selectors.conversation_between(member, other) is None


def test_conversation_between_finds_the_pairs_one_conversation_in_either_order(member, other):
    connect(member, other)
    conversation = services.message_send(sender=member, recipient=other, body="Hi").conversation
    MemberFactory()  # and nobody else's

    assert selectors.conversation_between(member, other) == conversation
    assert selectors.conversation_between(other, member) == conversation


# --- compose_options -----------------------------------------------------------------------


def test_to_a_connection_a_free_message(member, other):
    connect(member, other)

    compose = selectors.compose_options(sender=member, recipient=other)

    assert (compose.mode, compose.costs_credit, compose.refusal) == (Compose.MESSAGE, False, None)
    assert compose.status is None  # a message never reads the sender's credits


def test_to_anyone_else_an_inmail_that_costs_a_credit(member, other):
    subscribe(member)

    compose = selectors.compose_options(sender=member, recipient=other)

    assert (compose.mode, compose.costs_credit, compose.open_profile) == (
        Compose.INMAIL,
        True,
        False,
    )
    assert compose.status.balance == 5


def test_to_an_open_profile_a_free_inmail_even_without_a_plan(member, other):
    subscribe(other)
    premium_services.open_profile_set(member=other, enabled=True)

    compose = selectors.compose_options(sender=member, recipient=other)

    assert (compose.mode, compose.costs_credit, compose.open_profile) == (
        Compose.INMAIL,
        False,
        True,
    )


def test_without_a_plan_the_refusal_says_where_to_get_one(member, other):
    compose = selectors.compose_options(sender=member, recipient=other)

    assert compose.mode is None
    assert refusal(compose) == ("no_plan", NotAllowed, premium_services.NO_PLAN)


def test_without_credits_the_refusal_names_the_next_allowance(member, other):
    subscribe(member)
    for _ in range(5):
        inmail(member, MemberFactory())

    compose = selectors.compose_options(sender=member, recipient=other)

    assert refusal(compose) == (
        "no_credits",
        Conflict,
        "You have no InMail credits left. Your next 5 arrive on Apr 14, 2026.",
    )


def test_to_a_member_who_does_not_accept_inmail_it_is_refused(member, other):
    subscribe(member)
    Member.objects.filter(pk=other.pk).update(accept_inmail=False)
    other.refresh_from_db()

    compose = selectors.compose_options(sender=member, recipient=other)

    assert refusal(compose) == (
        "no_inmail",
        NotAllowed,
        "Grace Hopper doesn't accept InMail. Connect with them to message them.",
    )


def test_blocks_either_way_are_refused_with_their_own_reason(member, other):
    BlockFactory(blocker=member, blocked=other)

    assert refusal(selectors.compose_options(sender=member, recipient=other)) == (
        "blocked_by_you",
        NotAllowed,
        "You've blocked Grace Hopper. Unblock them in Settings to message them.",
    )
    assert refusal(selectors.compose_options(sender=other, recipient=member)) == (
        "blocked",
        NotAllowed,
        "You can't message Ada Lovelace.",
    )


def test_yourself_and_a_deactivated_member_are_refused(member, other):
    Member.objects.filter(pk=other.pk).update(is_active=False)
    other.refresh_from_db()

    assert refusal(selectors.compose_options(sender=member, recipient=member)) == (
        "self",
        Invalid,
        "You can't message yourself.",
    )
    assert refusal(selectors.compose_options(sender=member, recipient=other)) == (
        "inactive",
        NotFound,
        "This member is no longer on InMail.",
    )


def test_a_pending_inmail_makes_its_sender_wait_but_not_its_recipient(member, other):
    subscribe(member)
    conversation = inmail(member, other).conversation

    waiting = selectors.compose_options(sender=member, recipient=other)
    replying = selectors.compose_options(sender=other, recipient=member)

    assert refusal(waiting) == (
        "pending",
        Conflict,
        "You've sent Grace an InMail. You can write again once they respond.",
    )
    assert waiting.conversation == conversation
    assert (replying.mode, replying.conversation) == (Compose.MESSAGE, conversation)


# --- messageable_members -------------------------------------------------------------------


def test_messageable_members_include_those_you_blocked_but_not_those_who_blocked_you(member):
    you_blocked, blocked_you, gone, anyone = MemberFactory.create_batch(4)
    BlockFactory(blocker=member, blocked=you_blocked)
    BlockFactory(blocker=blocked_you, blocked=member)
    Member.objects.filter(pk=gone.pk).update(is_active=False)

    found = set(selectors.messageable_members(viewer=member))

    assert {you_blocked, anyone} <= found
    assert not {blocked_you, gone} & found


def test_messageable_members_carry_their_relationship_to_the_viewer(member, other):
    connect(member, other)

    found = selectors.messageable_members(viewer=member).get(pk=other.pk)

    assert found.degree == 1


# --- read_receipt --------------------------------------------------------------------------

MINUTE = timedelta(minutes=1)


def receipt_for(member, conversation):
    """The "Seen" `member` is shown in the conversation, read as the thread page reads it."""
    participant = selectors.own_conversation(member=member, conversation_id=conversation.pk)
    thread = selectors.thread_messages(member=member, participant=participant)
    return selectors.read_receipt(member=member, participant=participant, thread=thread)


def write(clock, sender, recipient, body, **fields):
    clock.shift(MINUTE)
    return services.message_send(sender=sender, recipient=recipient, body=body, **fields)


def read(clock, member, conversation):
    clock.shift(MINUTE)
    return services.conversation_read(member=member, conversation_id=conversation.pk).read_at


def test_own_conversation_carries_when_the_other_member_read_it_without_a_query_more(
    clock, member, other, django_assert_num_queries
):
    connect(member, other)
    conversation = write(clock, member, other, "Hi").conversation
    read_at = read(clock, other, conversation)

    # The member's side, with the other member and the other side's read time in it.
    with django_assert_num_queries(1):
        mine = selectors.own_conversation(member=member, conversation_id=conversation.pk)
    assert mine.other_read_at == read_at
    theirs = selectors.own_conversation(member=other, conversation_id=conversation.pk)
    assert theirs.other_read_at == conversation.created_at  # Ada read it as she wrote it


def test_own_conversation_says_who_blocked_whom_and_the_reply_box_follows_without_a_query(
    clock, member, other, django_assert_num_queries
):
    connect(member, other)
    conversation = write(clock, member, other, "Hi").conversation
    BlockFactory(blocker=other, blocked=member)

    with django_assert_num_queries(1):
        mine = selectors.own_conversation(member=member, conversation_id=conversation.pk)
    theirs = selectors.own_conversation(member=other, conversation_id=conversation.pk)
    assert mine.blockers == theirs.blockers == {other.pk}

    with django_assert_num_queries(0):
        reply = selectors.compose_options(
            sender=member,
            recipient=mine.other,
            conversation=mine.conversation,
            blockers=mine.blockers,
        )
    assert refusal(reply) == ("blocked", NotAllowed, "You can't message Grace Hopper.")
    assert refusal(
        selectors.compose_options(
            sender=other,
            recipient=theirs.other,
            conversation=theirs.conversation,
            blockers=theirs.blockers,
        )
    ) == (
        "blocked_by_you",
        NotAllowed,
        "You've blocked Ada Lovelace. Unblock them in Settings to message them.",
    )


def test_seen_sits_under_the_last_of_my_messages_the_other_member_read(clock, member, other):
    connect(member, other)
    first = write(clock, member, other, "Hi Grace")
    second = write(clock, member, other, "Lunch on Friday?")
    read_at = read(clock, other, first.conversation)
    write(clock, member, other, "Or Monday?")  # not read yet

    receipt = receipt_for(member, first.conversation)

    assert (receipt.message, receipt.at) == (second, read_at)
    assert first != second


def test_seen_moves_down_when_the_other_member_reads_again(clock, member, other):
    connect(member, other)
    conversation = write(clock, member, other, "Hi Grace").conversation
    read(clock, other, conversation)
    latest = write(clock, member, other, "Or Monday?")

    read_at = read(clock, other, conversation)

    receipt = receipt_for(member, conversation)
    assert (receipt.message, receipt.at) == (latest, read_at)


def test_a_reply_is_a_read_and_seen_stays_under_my_message_above_it(clock, member, other):
    connect(member, other)
    mine = write(clock, member, other, "Hi Grace")
    theirs = write(clock, other, member, "Hello Ada")

    receipt = receipt_for(member, mine.conversation)

    assert (receipt.message, receipt.at) == (mine, theirs.created_at)
    # Ada hasn't opened the conversation since Grace replied.
    assert receipt_for(other, mine.conversation) is None


def test_no_seen_before_the_other_member_opens_the_conversation(clock, member, other):
    connect(member, other)
    conversation = write(clock, member, other, "Hi Grace").conversation

    assert receipt_for(member, conversation) is None


@pytest.mark.parametrize(
    ("mine", "theirs"), [(False, True), (True, False), (False, False)], ids=str
)
def test_seen_only_while_both_members_have_read_receipts_on(clock, member, other, mine, theirs):
    connect(member, other)
    conversation = write(clock, member, other, "Hi Grace").conversation
    read(clock, other, conversation)
    assert receipt_for(member, conversation) is not None  # both on, the default

    Member.objects.filter(pk=member.pk).update(read_receipts=mine)
    Member.objects.filter(pk=other.pk).update(read_receipts=theirs)
    member.refresh_from_db()

    assert receipt_for(member, conversation) is None


def test_no_seen_for_an_inmail_its_recipient_opened_but_has_not_answered(clock, member, other):
    subscribe(member)
    sent = write(clock, member, other, "Would you talk?", subject="A role")
    read(clock, other, sent.conversation)

    assert receipt_for(member, sent.conversation) is None

    answered_at = START + 3 * MINUTE
    clock.move_to(answered_at)
    services.inmail_answer(member=other, conversation_id=sent.conversation.pk, interested=True)

    receipt = receipt_for(member, sent.conversation)
    assert (receipt.message, receipt.at) == (sent, answered_at)


# --- message_candidates: the New message picker ---------------------------------------------


def candidates(viewer, query):
    return [m.full_name for m in selectors.message_candidates(viewer=viewer, query=query)]


@pytest.fixture
def network(member):
    """Ada (Premium, with credits) and members named Lee: a connection, a 2nd-degree member,
    a 3rd+ member, one who takes no InMail, one she blocked, one who blocked her, one she sent
    a pending InMail, and a deactivated one."""
    subscribe(member)
    lee = {
        name: MemberFactory(first_name=name, last_name="Lee")
        for name in ("Zoe", "Bea", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal")
    }
    connect(member, lee["Zoe"])
    connect(lee["Zoe"], lee["Bea"])
    Member.objects.filter(pk=lee["Dee"].pk).update(accept_inmail=False)
    BlockFactory(blocker=member, blocked=lee["Eli"])
    BlockFactory(blocker=lee["Fay"], blocked=member)
    inmail(member, lee["Gus"])
    Member.objects.filter(pk=lee["Hal"].pk).update(is_active=False)
    return lee


def test_candidates_are_connections_first_then_others_the_viewer_may_write_to(member, network):
    assert candidates(member, "lee") == ["Zoe Lee", "Bea Lee", "Cal Lee"]


def test_every_word_must_match_the_first_or_last_name(member, network):
    assert candidates(member, "ZO lee") == ["Zoe Lee"]
    assert candidates(member, "bea zoe") == []
    assert candidates(member, "   ") == []


def test_a_free_member_gets_connections_open_profiles_and_open_conversations(member):
    friend = MemberFactory(first_name="Ann", last_name="Lee")
    connect(member, friend)
    stranger = MemberFactory(first_name="Bob", last_name="Lee")
    open_profile = MemberFactory(first_name="Cy", last_name="Lee")
    subscribe(open_profile, "premium-pro")
    premium_services.open_profile_set(member=open_profile, enabled=True)
    lapsed = MemberFactory(first_name="Di", last_name="Lee", open_profile=True)  # not Premium
    writer = MemberFactory(first_name="Ed", last_name="Lee")
    subscribe(writer)
    inmail(writer, member)  # she may reply to Ed's InMail

    assert candidates(member, "lee") == ["Ann Lee", "Cy Lee", "Ed Lee"]
    assert stranger.full_name not in candidates(member, "lee")
    assert lapsed.full_name not in candidates(member, "lee")


def test_at_zero_credits_only_free_messages_are_offered(member, network):
    for _ in range(4):
        premium_services.credits_spend(member=member)
    assert premium_services.credits_balance(member=member) == 0

    assert candidates(member, "lee") == ["Zoe Lee"]


def test_the_picker_lists_at_most_one_more_than_its_size(member):
    subscribe(member)
    for n in range(selectors.PICKER_SIZE + 5):
        MemberFactory(first_name=f"Kim{n:02}", last_name="Park")

    found = selectors.message_candidates(viewer=member, query="park")

    assert len(found) == selectors.PICKER_SIZE + 1


# --- inbox_page with a search -----------------------------------------------------------------


def test_search_finds_the_members_own_conversations_only(member, other):
    connect(member, other)
    services.message_send(sender=other, recipient=member, body="Quarterly meeting notes")
    third, fourth = MemberFactory(), MemberFactory()
    connect(third, fourth)
    services.message_send(sender=third, recipient=fourth, body="Quarterly meeting notes")

    mine = selectors.inbox_page(member=member, filter_name="all", query="quarterly")
    theirs = selectors.inbox_page(member=third, filter_name="all", query="quarterly")
    nobody = selectors.inbox_page(member=member, filter_name="all", query="annual")

    assert [row.other for row in mine.rows] == [other]
    assert [row.other for row in theirs.rows] == [fourth]
    assert nobody.rows == []


def test_message_text_is_searched_in_each_of_the_members_conversations_not_site_wide(member):
    # `conversation IN (every message that matches)` read every message in the database with a
    # common word: 22 s among a million (make bench's data). Correlated, it stops at the first
    # match in each of the member's conversations.
    sql = str(selectors._search(Participant.objects.filter(member=member), "thanks").query)

    assert 'EXISTS(SELECT 1 AS "a" FROM "inmail_message" "U0" WHERE' in sql
    assert '"U0"."conversation_id" = ("inmail_participant"."conversation_id")' in sql


def test_message_text_is_searched_through_the_full_text_index_on_postgresql(member):
    rows = Participant.objects.filter(member=member)
    sql, params = selectors._search(rows, "meeting").query.sql_with_params()

    if connection.vendor == "postgresql":
        # The search's own plan depends on tiny test tables' statistics (the thread index can
        # look as cheap): ask instead whether its text condition, the same expression on the
        # messages alone, is one the index can serve.
        words = SearchQuery("meeting", config=SEARCH_CONFIG, search_type="websearch")
        alone = Message.objects.alias(document=search_document("body")).filter(document=words)
        alone_sql, alone_params = alone.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {alone_sql}", alone_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        condition = alone_sql.split(" WHERE ", 1)[1].replace('"inmail_message"', '"U0"')
        assert "message_body_search" in plan
        assert condition in sql
        assert "websearch_to_tsquery" in sql
    else:
        assert "LIKE" in sql
