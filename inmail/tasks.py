"""Background work on Django's tasks framework (`django.tasks`): InMail's emails and reminder.

In production the backend is django-tasks-db: a task is a row written in the transaction that
enqueues it, so a send that rolls back leaves no email behind, and a send that commits always
has its email queued; the worker (`manage.py db_worker`) runs it. The tests use the immediate
backend, which runs a task the moment it is enqueued.

An email that fails is logged and retried later (`RETRY_DELAYS`), then given up on, logged
again; it never reaches the request that enqueued it. The 3-day reminder is enqueued to run
after three days; it claims the conversation's `reminded_at` with one conditional UPDATE, so
it is sent at most once however often it was enqueued, and never after any answer.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import Task, task
from django.template.loader import render_to_string
from django.utils import timezone

from inmail.models import Conversation, Message

logger = logging.getLogger(__name__)

REMINDER_AFTER = timedelta(days=3)
# The wait before each retry of a failed email: 1 minute, 5, 30, then 2 hours, then give up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def enqueue_at(task_: Task, when: datetime, **kwargs) -> None:
    """Enqueue `task_` to run at `when`. A backend that cannot defer (only the tests'
    immediate backend) runs it at once: a retry is then immediate, and a reminder finds
    itself early and does nothing."""
    if task_.get_backend().supports_defer:
        task_.using(run_after=when).enqueue(**kwargs)
    else:
        task_.enqueue(**kwargs)


def _url(conversation: Conversation) -> str:
    return settings.SITE_URL.rstrip("/") + conversation.get_absolute_url()


def _deliver(
    retry: Task, kwargs: dict, *, attempt: int, what: str, to: str, subject: str, body: str
) -> str:
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])
    except Exception:
        if attempt >= MAX_ATTEMPTS:
            logger.exception("Gave up emailing %s after %d attempts", what, attempt)
            return "failed"
        delay = RETRY_DELAYS[attempt - 1]
        logger.warning(
            "Could not email %s (attempt %d of %d); retrying in %s",
            what,
            attempt,
            MAX_ATTEMPTS,
            delay,
            exc_info=True,
        )
        enqueue_at(retry, timezone.now() + delay, **kwargs, attempt=attempt + 1)
        return "retrying"
    logger.info("Emailed %s", what)
    return "sent"


@task()
def email_new_inmail(*, message_id: int, attempt: int = 1) -> str:
    """Tell the recipient about a new InMail."""
    message = (
        Message.objects.select_related("author", "conversation__recipient")
        .filter(pk=message_id)
        .first()
    )
    if message is None:  # its sender's account was deleted since
        return "skipped"
    conversation = message.conversation
    recipient = conversation.recipient
    context = {
        "message": message,
        "conversation": conversation,
        "recipient": recipient,
        "sender": message.author,
        "url": _url(conversation),
    }
    return _deliver(
        email_new_inmail,
        {"message_id": message_id},
        attempt=attempt,
        what=f"the recipient of InMail message {message_id}",
        to=recipient.email,
        subject=f"{message.author.full_name} sent you an InMail: {conversation.subject}",
        body=render_to_string("inmail/email/new_inmail.txt", context),
    )


ANSWER_SUBJECTS = {
    Conversation.Response.REPLIED: "{name} replied to your InMail",
    Conversation.Response.INTERESTED: "{name} is interested in your InMail",
    Conversation.Response.NOT_INTERESTED: "{name} answered your InMail: not interested",
}


@task()
def email_answered(*, conversation_id: int, credited: bool, attempt: int = 1) -> str:
    """Tell an InMail's sender that its recipient answered, and whether the credit came back."""
    conversation = (
        Conversation.objects.select_related("starter", "recipient")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or conversation.response not in ANSWER_SUBJECTS:
        return "skipped"
    context = {
        "conversation": conversation,
        "sender": conversation.starter,
        "recipient": conversation.recipient,
        "credited": credited,
        "url": _url(conversation),
    }
    return _deliver(
        email_answered,
        {"conversation_id": conversation_id, "credited": credited},
        attempt=attempt,
        what=f"the sender of InMail {conversation_id} about its answer",
        to=conversation.starter.email,
        subject=ANSWER_SUBJECTS[conversation.response].format(
            name=conversation.recipient.full_name
        ),
        body=render_to_string("inmail/email/answered.txt", context),
    )


@task()
def remind_unanswered(*, conversation_id: int, attempt: int = 1) -> str:
    """Remind the recipient of an InMail still unanswered three days after it was sent."""
    now = timezone.now()
    pending = Conversation.objects.filter(
        pk=conversation_id,
        kind=Conversation.Kind.INMAIL,
        response=Conversation.Response.PENDING,
    )
    if attempt == 1:
        # The claim: one conditional UPDATE, so two runs of this task remind once.
        claimed = pending.filter(
            reminded_at__isnull=True, created_at__lte=now - REMINDER_AFTER
        ).update(reminded_at=now)
        if not claimed:
            return "skipped"
    conversation = pending.select_related("starter", "recipient").first()
    if conversation is None:  # answered between a failed attempt and this retry
        return "skipped"
    context = {
        "conversation": conversation,
        "sender": conversation.starter,
        "recipient": conversation.recipient,
        "url": _url(conversation),
    }
    return _deliver(
        remind_unanswered,
        {"conversation_id": conversation_id},
        attempt=attempt,
        what=f"the recipient of InMail {conversation_id} a reminder",
        to=conversation.recipient.email,
        subject=(
            f"Reminder: {conversation.starter.full_name} is waiting for your answer: "
            f"{conversation.subject}"
        ),
        body=render_to_string("inmail/email/reminder.txt", context),
    )
