"""Writes for conversations and messages. Each service is one transaction.

A send locks both members (accounts.services.lock_pair), so that two sends between the
same pair, a send and a block, or a double-clicked form take turns. The InMail's credit is
spent inside the same transaction, through premium's service: the conversation, the message,
the credit and its ledger entry are written together or not at all.
"""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.models import Member
from accounts.services import lock_pair
from core import live
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.validators import check_multiline, check_single_line, check_visible
from inmail import selectors, tasks
from inmail.models import (
    BODY_MAX_LENGTH,
    CREDIT_BACK_WINDOW,
    SUBJECT_MAX_LENGTH,
    Conversation,
    Message,
    Participant,
)
from premium import services as premium_services

INTERESTED_BODY = "Interested — thanks for reaching out. Let's talk."
NOT_INTERESTED_BODY = "Not interested, thanks."


def _already_sent(author: Member, token: uuid.UUID | None) -> Message | None:
    if token is None:
        return None
    return Message.objects.select_related("conversation").filter(author=author, token=token).first()


def _checked(check, value: str, label: str) -> None:
    try:
        check(value, label=label)
    except ValidationError as error:
        raise Invalid(error.messages[0]) from None


def _check_body(body: str) -> None:
    if not body:
        raise Invalid("Write a message before sending.")
    _checked(check_multiline, body, "Your message")
    _checked(check_visible, body, "Your message")
    if len(body) > BODY_MAX_LENGTH:
        raise Invalid(
            f"Your message can be at most {BODY_MAX_LENGTH:,} characters; it has {len(body):,}."
        )


def _check_subject(subject: str) -> None:
    if not subject:
        raise Invalid("Add a subject: an InMail needs one.")
    _checked(check_single_line, subject, "Your subject")
    _checked(check_visible, subject, "Your subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise Invalid(
            f"Your subject can be at most {SUBJECT_MAX_LENGTH} characters; it has {len(subject)}."
        )


def _start(
    sender: Member, recipient: Member, compose: selectors.Compose, *, subject: str, at: datetime
) -> Conversation:
    inmail = compose.is_inmail
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.INMAIL if inmail else Conversation.Kind.MESSAGE,
        starter=sender,
        recipient=recipient,
        subject=subject if inmail else "",
        response=Conversation.Response.PENDING if inmail else Conversation.Response.NONE,
        credit_spent=compose.costs_credit,
        created_at=at,
    )
    Participant.objects.bulk_create(
        [
            Participant(
                conversation=conversation, member=sender, other=recipient, last_message_at=at
            ),
            Participant(
                conversation=conversation, member=recipient, other=sender, last_message_at=at
            ),
        ]
    )
    return conversation


def _post(
    conversation: Conversation,
    *,
    author: Member,
    body: str,
    at: datetime,
    kind: str = Message.Kind.TEXT,
    token: uuid.UUID | None = None,
) -> Message:
    message = Message.objects.create(
        conversation=conversation, author=author, kind=kind, body=body, token=token, created_at=at
    )
    conversation.last_message = message
    conversation.save(update_fields=["last_message"])
    participants = Participant.objects.filter(conversation=conversation)
    # Writing in a conversation is reading it: the other member's "Seen" counts from here.
    participants.filter(member=author).update(unread=False, last_message_at=at, read_at=at)
    # A new message brings an archived conversation back to the inbox, unread; spam stays
    # in Spam, read, so reporting a sender quiets them.
    spam = Participant.Folder.SPAM
    participants.exclude(member=author).update(
        folder=Case(When(folder=spam, then=Value(spam)), default=Value(Participant.Folder.INBOX)),
        unread=Case(When(folder=spam, then=Value(False)), default=Value(True)),
        last_message_at=at,
    )
    return message


def _publish(conversation: Conversation, message: Message, *, answered: bool) -> None:
    """Both members' open pages show the message after the commit (inmail.stream); an answer
    also changes what the thread offers (the reply box, the answer buttons, a credit back)."""
    live.publish(
        [conversation.starter_id, conversation.recipient_id],
        {
            "kind": "answer" if answered else "message",
            "conversation": conversation.pk,
            "message": message.pk,
        },
    )


def _answer(conversation: Conversation, response: str, *, at: datetime, notify: bool) -> None:
    """The InMail's recipient responded: the first response within 90 days credits it back.

    The sender is emailed (a task enqueued in this transaction), told whether a credit came
    back: none does for a free InMail, after 90 days, or at the plan's cap.
    """
    conversation.response = response
    conversation.responded_at = at
    conversation.save(update_fields=["response", "responded_at"])
    credited = False
    if conversation.credit_spent and at - conversation.created_at <= CREDIT_BACK_WINDOW:
        recipient = conversation.recipient
        entry = premium_services.credits_return(
            member=conversation.starter, note=f"{recipient.full_name} answered your InMail"
        )
        credited = entry is not None and entry.amount > 0
    if notify:
        tasks.email_answered.enqueue(conversation_id=conversation.pk, credited=credited)


@transaction.atomic
def message_send(
    *,
    sender: Member,
    recipient: Member,
    body: str,
    subject: str = "",
    token: uuid.UUID | None = None,
    notify: bool = True,
) -> Message:
    """Write to `recipient`: a message to a connection or in an open conversation, or an
    InMail that starts a conversation (one credit, unless to an Open Profile).

    Sending the same `token` again returns the message it sent, without sending or spending.
    Unless `notify` is off (demo data is history, not news), a new InMail enqueues its email
    to the recipient and a reminder three days later, and a reply that answers an InMail an
    email to its sender (inmail.tasks): tasks written in this transaction, so a send that
    rolls back sends no email and a send that commits has its email queued.
    In a conversation that cost a credit, the message's `credits_left` is the sender's balance
    after it (else None), read in this transaction: a second one, after the send had committed,
    could fail and turn a sent InMail into an error.
    """
    body, subject = body.strip(), subject.strip()
    lock_pair(sender, recipient)
    if (sent := _already_sent(sender, token)) is not None:
        sent.credits_left = _credits_left(sender, sent.conversation)
        return sent
    compose = selectors.compose_options(sender=sender, recipient=recipient)
    if compose.refusal is not None:
        raise compose.refusal
    _check_body(body)
    now = timezone.now()
    conversation, spent = compose.conversation, None
    if conversation is None:
        if compose.is_inmail:
            _check_subject(subject)
        conversation = _start(sender, recipient, compose, subject=subject, at=now)
        if compose.costs_credit:
            spent = premium_services.credits_spend(
                member=sender, note=f"InMail to {recipient.full_name}: {subject}"
            )
    message = _post(conversation, author=sender, body=body, at=now, token=token)
    message.credits_left = spent.balance_after if spent else _credits_left(sender, conversation)
    answered = conversation.is_pending and conversation.recipient_id == sender.pk
    if answered:
        _answer(conversation, Conversation.Response.REPLIED, at=now, notify=notify)
    if notify:
        _publish(conversation, message, answered=answered)
    if compose.is_inmail and notify:
        tasks.email_new_inmail.enqueue(message_id=message.pk)
        tasks.enqueue_at(
            tasks.remind_unanswered,
            now + tasks.REMINDER_AFTER,
            conversation_id=conversation.pk,
        )
    return message


def _credits_left(sender: Member, conversation: Conversation) -> int | None:
    if not conversation.credit_spent:
        return None
    return premium_services.credits_balance(member=sender)


def _own(member: Member, conversation_id: int) -> Participant:
    participant = (
        Participant.objects.select_related("conversation", "other")
        .filter(member=member, conversation_id=conversation_id)
        .first()
    )
    if participant is None:
        raise NotFound("That conversation doesn't exist.")
    return participant


@transaction.atomic
def message_reply(
    *, member: Member, conversation_id: int, body: str, token: uuid.UUID | None = None
) -> Message:
    """Write in one of the member's conversations: the same rules as any message to them."""
    other = _own(member, conversation_id).other
    return message_send(sender=member, recipient=other, body=body, token=token)


@transaction.atomic
def inmail_answer(
    *, member: Member, conversation_id: int, interested: bool, notify: bool = True
) -> Message:
    """The recipient's one-click answer to an InMail: Interested or Not interested (the
    sender is emailed unless `notify` is off, as in `message_send`)."""
    participant = _own(member, conversation_id)
    other = participant.other
    lock_pair(member, other)
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if not conversation.is_inmail or conversation.recipient_id != member.pk:
        raise NotAllowed("Only the recipient of an InMail can answer it.")
    if not conversation.is_pending:
        raise Conflict("You've already responded to this InMail.")
    if (blocked := selectors.block_refusal(member, other)) is not None:
        raise blocked[1]
    now = timezone.now()
    kind, body, response = (
        (Message.Kind.INTERESTED, INTERESTED_BODY, Conversation.Response.INTERESTED)
        if interested
        else (
            Message.Kind.NOT_INTERESTED,
            NOT_INTERESTED_BODY,
            Conversation.Response.NOT_INTERESTED,
        )
    )
    message = _post(conversation, author=member, body=body, at=now, kind=kind)
    _answer(conversation, response, at=now, notify=notify)
    if notify:
        _publish(conversation, message, answered=True)
    return message


# The member's own side of a conversation: no lock needed, each is one conditional UPDATE.


def _update_own(member: Member, conversation_id: int, **fields) -> Participant:
    """Change the member's side; their other open pages follow (its row, the unread badge)."""
    participant = _own(member, conversation_id)
    Participant.objects.filter(pk=participant.pk).update(**fields)
    for name, value in fields.items():
        setattr(participant, name, value)
    live.publish([member.pk], {"kind": "row", "conversation": conversation_id})
    return participant


@transaction.atomic
def conversation_read(*, member: Member, conversation_id: int) -> Participant:
    """The member opened the conversation: no longer unread, and read now (the other
    member's "Seen", when both have read receipts on: their open pages show it)."""
    participant = _update_own(member, conversation_id, unread=False, read_at=timezone.now())
    live.publish([participant.other_id], {"kind": "seen", "conversation": conversation_id})
    return participant


@transaction.atomic
def conversation_mark_unread(*, member: Member, conversation_id: int) -> Participant:
    # `read_at` stays: LinkedIn's Mark unread is a reminder to oneself and doesn't take back
    # the "Seen" the other member was shown (nor could it, once they saw it).
    return _update_own(member, conversation_id, unread=True)


SPAM_REASON_MISSING = "Choose why you're reporting this conversation."


@transaction.atomic
def conversation_move(
    *, member: Member, conversation_id: int, folder: str, reason: str = ""
) -> Participant:
    """Archive, unarchive (back to the inbox) or report as spam, which needs a `reason`
    (Participant.SpamReason); moving out of Spam forgets it."""
    if folder not in Participant.Folder.values:
        raise Invalid("Choose Inbox, Archived or Spam.")
    fields = {"folder": folder, "spam_reason": ""}
    if folder == Participant.Folder.SPAM:
        if not reason or reason not in Participant.SpamReason.values:
            raise Invalid(SPAM_REASON_MISSING)
        fields.update(unread=False, spam_reason=reason)
    return _update_own(member, conversation_id, **fields)
