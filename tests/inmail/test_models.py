"""The rows the database refuses whatever code writes them, and the models' derived values."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import DataError, IntegrityError, transaction

from inmail.models import CREDIT_BACK_WINDOW, Conversation, Message, Participant
from tests.assertions import refused_by_database
from tests.factories import ConversationFactory, MemberFactory, MessageFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def ada(db):
    return MemberFactory(first_name="Ada", last_name="Lovelace")


@pytest.fixture
def grace(db):
    return MemberFactory(first_name="Grace", last_name="Hopper")


def message_conversation(starter, recipient, **fields):
    return ConversationFactory(starter=starter, recipient=recipient, **fields)


def inmail_conversation(starter, recipient, **fields):
    return ConversationFactory(starter=starter, recipient=recipient, inmail=True, **fields)


# --- Conversation ---------------------------------------------------------------------------


def test_a_pair_of_members_can_have_one_conversation(ada, grace):
    conversation = message_conversation(ada, grace)

    assert Conversation.objects.get() == conversation


@pytest.mark.parametrize("direction", ["same", "reverse"])
def test_second_conversation_for_the_same_pair_is_refused_in_either_direction(
    direction, ada, grace
):
    message_conversation(ada, grace)
    starter, recipient = (ada, grace) if direction == "same" else (grace, ada)

    with refused_by_database(), transaction.atomic():
        inmail_conversation(starter, recipient)

    assert Conversation.objects.count() == 1


def test_conversations_with_different_members_are_separate(ada, grace):
    alan = MemberFactory()

    message_conversation(ada, grace)
    message_conversation(alan, ada)
    inmail_conversation(grace, alan)

    assert Conversation.objects.count() == 3


def test_conversation_with_yourself_is_refused(ada):
    with refused_by_database(), transaction.atomic():
        message_conversation(ada, ada)

    assert not Conversation.objects.exists()


@pytest.mark.parametrize("subject", ["", None], ids=["blank", "default"])
def test_inmail_without_a_subject_is_refused(subject, ada, grace):
    fields = {"subject": subject} if subject is not None else {}

    with refused_by_database(), transaction.atomic():
        Conversation.objects.create(
            kind="inmail", starter=ada, recipient=grace, response="pending", **fields
        )

    assert not Conversation.objects.exists()


def test_inmail_subject_over_200_characters_is_refused(ada, grace):
    # PostgreSQL's varchar(200) refuses it before the check constraint does (DataError).
    with refused_by_database(IntegrityError, DataError), transaction.atomic():
        inmail_conversation(ada, grace, subject="s" * 201)

    assert not Conversation.objects.exists()


def test_inmail_subject_of_200_characters_is_stored(ada, grace):
    conversation = inmail_conversation(ada, grace, subject="s" * 200)

    conversation.refresh_from_db()
    assert conversation.subject == "s" * 200


def test_inmail_without_a_response_state_is_refused(ada, grace):
    with refused_by_database(), transaction.atomic():
        inmail_conversation(ada, grace, response="")


@pytest.mark.parametrize(
    "fields",
    [{"subject": "Hello"}, {"response": "pending"}, {"credit_spent": True}],
    ids=["subject", "response", "credit_spent"],
)
def test_normal_conversation_with_inmail_fields_is_refused(fields, ada, grace):
    with refused_by_database(), transaction.atomic():
        message_conversation(ada, grace, **fields)

    assert not Conversation.objects.exists()


def test_conversation_of_an_unknown_kind_is_refused(ada, grace):
    with refused_by_database(), transaction.atomic():
        message_conversation(ada, grace, kind="letter")


def test_responded_inmail_needs_its_response_time(ada, grace):
    with refused_by_database(), transaction.atomic():
        inmail_conversation(ada, grace, response="replied")
    with refused_by_database(), transaction.atomic():
        inmail_conversation(ada, grace, response="pending", responded_at=NOW)

    conversation = inmail_conversation(ada, grace, response="interested", responded_at=NOW)
    assert conversation.responded_at == NOW


def test_conversation_derived_values(ada, grace):
    inmail = inmail_conversation(ada, grace, created_at=NOW)
    normal = Conversation(kind="message", starter=ada, recipient=grace)

    assert (inmail.is_inmail, inmail.is_pending) == (True, True)
    assert (normal.is_inmail, normal.is_pending) == (False, False)
    assert inmail.credit_back_until == NOW + CREDIT_BACK_WINDOW
    assert CREDIT_BACK_WINDOW.days == 90
    assert inmail.get_absolute_url() == f"/messaging/thread/{inmail.pk}/"
    assert str(inmail) == f"InMail “Hello”: {ada.pk} → {grace.pk}"


# --- Message --------------------------------------------------------------------------------


@pytest.fixture
def conversation(ada, grace):
    return message_conversation(ada, grace)


def test_message_with_an_empty_body_is_refused(conversation, ada):
    with refused_by_database(), transaction.atomic():
        MessageFactory(conversation=conversation, author=ada, body="")

    assert not Message.objects.exists()


def test_message_over_2000_characters_is_refused(conversation, ada):
    with refused_by_database(), transaction.atomic():
        MessageFactory(conversation=conversation, author=ada, body="b" * 2001)

    assert not Message.objects.exists()


def test_message_of_2000_characters_is_stored(conversation, ada):
    message = MessageFactory(conversation=conversation, author=ada, body="é" * 2000)

    message.refresh_from_db()
    assert message.body == "é" * 2000


def test_message_of_an_unknown_kind_is_refused(conversation, ada):
    with refused_by_database(), transaction.atomic():
        MessageFactory(conversation=conversation, author=ada, body="Hi", kind="maybe")


def test_same_author_and_token_is_stored_once(conversation, ada, grace):
    token = uuid.uuid4()
    MessageFactory(conversation=conversation, author=ada, body="Hi", token=token)

    with refused_by_database(), transaction.atomic():
        MessageFactory(conversation=conversation, author=ada, body="Hi", token=token)

    # The same token is another author's to use, and messages without a token never clash.
    MessageFactory(conversation=conversation, author=grace, body="Hi", token=token)
    MessageFactory(conversation=conversation, author=ada, body="One")
    MessageFactory(conversation=conversation, author=ada, body="Two")
    assert Message.objects.filter(author=ada).count() == 3


# --- Participant ----------------------------------------------------------------------------


def test_participant_in_an_unknown_folder_is_refused(conversation):
    with refused_by_database(), transaction.atomic():
        ParticipantFactory(conversation=conversation, folder="trash")

    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("folder", "reason"),
    [("spam", "boring"), ("inbox", "spam"), ("archived", "harassment")],
    ids=["unknown reason", "reason in the inbox", "reason in archived"],
)
def test_a_spam_reason_is_one_of_the_choices_and_only_in_spam(conversation, folder, reason):
    with refused_by_database(), transaction.atomic():
        ParticipantFactory(conversation=conversation, folder=folder, spam_reason=reason)

    assert not Participant.objects.exists()


@pytest.mark.parametrize("reason", ["", "scam"])
def test_spam_may_hold_a_reason_or_none(conversation, reason):
    ParticipantFactory(conversation=conversation, folder="spam", spam_reason=reason)

    assert Participant.objects.get().spam_reason == reason


def test_participant_once_per_member_and_conversation(conversation):
    ParticipantFactory(conversation=conversation)

    with refused_by_database(), transaction.atomic():
        ParticipantFactory(conversation=conversation)

    assert Participant.objects.count() == 1


def test_participant_whose_other_is_themselves_is_refused(conversation, ada):
    with refused_by_database(), transaction.atomic():
        ParticipantFactory(conversation=conversation, other=ada)


def test_participant_defaults_to_the_inbox_and_read(conversation):
    participant = ParticipantFactory(conversation=conversation)

    participant.refresh_from_db()
    assert (participant.folder, participant.unread) == ("inbox", False)
