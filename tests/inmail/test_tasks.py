"""InMail's background work (inmail.tasks): the emails, the 3-day reminder, their retries.

Most tests run on the test settings' immediate backend, where a task runs the moment it is
enqueued. Those marked `queue` run on django-tasks-db, production's backend, with its worker,
in real transactions: that is where "no email for a rolled-back send" and the deferred
reminder and retries can be seen.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.local import Local
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.tasks import task_backends
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from inmail import services, tasks
from inmail.models import Conversation, Message
from premium import services as premium_services
from tests.factories import connect, subscribe

pytestmark = pytest.mark.usefixtures("clock")

START = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
SUBJECT = "A role on our compiler team"
BODY = "Hello Grace, would you have a moment to talk about a role?"
THREE_DAYS = timedelta(days=3)
SECOND = timedelta(seconds=1)


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def failing_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingEmailBackend"}}


def _forget_task_backends():
    # django.tasks caches its backends and does not listen for a change of TASKS.
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def queue(settings, premium_plans):
    """django-tasks-db in real transactions, as in production: tasks wait for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _forget_task_backends()
    yield
    _forget_task_backends()


def run_worker():
    """What `manage.py db_worker --batch` does: run every task that is due, then stop."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def ada(member):
    subscribe(member)
    return member


def send(sender, recipient, **fields):
    return services.message_send(
        sender=sender,
        recipient=recipient,
        body=fields.get("body", BODY),
        subject=fields.get("subject", SUBJECT),
        token=uuid.uuid4(),
    )


def reply(member, conversation, body="Thanks, happy to talk."):
    return services.message_reply(
        member=member, conversation_id=conversation.pk, body=body, token=uuid.uuid4()
    )


def answer(member, conversation, *, interested):
    return services.inmail_answer(
        member=member, conversation_id=conversation.pk, interested=interested
    )


def balance(member):
    return premium_services.premium_status(member=member).balance


# --- The new-InMail email -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_inmail_emails_its_recipient(ada, other, settings, mailoutbox):
    settings.SITE_URL = "https://inmail.example/"

    conversation = send(ada, other).conversation

    [email] = mailoutbox
    assert email.to == ["grace@example.com"]
    assert email.subject == f"Ada Lovelace sent you an InMail: {SUBJECT}"
    assert f"Subject: {SUBJECT}" in email.body
    assert BODY in email.body
    assert f"https://inmail.example/messaging/thread/{conversation.pk}/" in email.body


@pytest.mark.django_db
def test_messages_to_connections_refused_and_resubmitted_sends_email_nobody(
    member, other, mailoutbox
):
    with pytest.raises(services.NotAllowed):
        send(member, other)  # no plan, no credits
    connect(member, other)
    send(member, other)
    assert mailoutbox == []

    subscribe(member)
    services.message_send(sender=member, recipient=other, body="Hi", token=uuid.uuid4())
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_resubmitted_inmail_sends_one_email(ada, other, mailoutbox):
    token = uuid.uuid4()
    for _ in range(2):
        services.message_send(sender=ada, recipient=other, body=BODY, subject=SUBJECT, token=token)

    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_email_is_enqueued_in_the_sends_transaction_and_sent_by_the_worker(
    queue, member, other, mailoutbox
):
    subscribe(member)

    conversation = send(member, other).conversation

    assert mailoutbox == []  # the request only wrote the task
    assert DBTaskResult.objects.filter(task_path="inmail.tasks.email_new_inmail").count() == 1
    run_worker()
    assert [email.subject for email in mailoutbox] == [
        f"Ada Lovelace sent you an InMail: {SUBJECT}"
    ]
    assert DBTaskResult.objects.get(task_path="inmail.tasks.email_new_inmail").status == (
        "SUCCESSFUL"
    )
    assert Conversation.objects.get(pk=conversation.pk).reminded_at is None


@pytest.mark.django_db(transaction=True)
def test_a_send_that_rolls_back_leaves_no_task_and_no_email(queue, member, other, mailoutbox):
    subscribe(member)

    def send_then_fail():
        with transaction.atomic():
            send(member, other)
            raise RuntimeError("something after the send failed")

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert not Message.objects.exists()
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mailoutbox == []
    assert balance(member) == 5


# --- The email to the sender when the recipient answers --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("how", "subject", "says"),
    [
        ("reply", "Grace Hopper replied to your InMail", "Grace Hopper replied to your InMail"),
        ("interested", "Grace Hopper is interested in your InMail", "is interested"),
        (
            "not interested",
            "Grace Hopper answered your InMail: not interested",
            "Grace Hopper isn't interested in your InMail",
        ),
    ],
)
def test_an_answer_emails_the_sender_that_the_credit_came_back(
    ada, other, mailoutbox, how, subject, says
):
    conversation = send(ada, other).conversation
    mailoutbox.clear()

    if how == "reply":
        reply(other, conversation)
    else:
        answer(other, conversation, interested=how == "interested")

    [email] = mailoutbox
    assert email.to == ["ada@example.com"]
    assert email.subject == subject
    assert says in email.body
    assert "your InMail credit came back" in email.body
    assert balance(ada) == 5


@pytest.mark.django_db
def test_an_answer_after_90_days_says_they_answered_without_a_credit_back(
    ada, other, clock, mailoutbox
):
    conversation = send(ada, other).conversation
    mailoutbox.clear()
    clock.move_to(START + timedelta(days=90) + SECOND)

    reply(other, conversation)

    [email] = mailoutbox
    assert email.subject == "Grace Hopper replied to your InMail"
    assert "credit" not in email.body


@pytest.mark.django_db
def test_only_the_first_answer_emails_the_sender(ada, other, mailoutbox):
    conversation = send(ada, other).conversation
    reply(other, conversation)
    reply(ada, conversation, body="Great.")
    reply(other, conversation, body="Speak soon.")

    assert [email.to for email in mailoutbox] == [["grace@example.com"], ["ada@example.com"]]


# --- The 3-day reminder ------------------------------------------------------------------------


def reminders(mailoutbox):
    return [email for email in mailoutbox if email.subject.startswith("Reminder:")]


@pytest.mark.django_db(transaction=True)
def test_an_unanswered_inmail_is_reminded_once_three_days_later(queue, member, other, clock):
    from django.core import mail

    subscribe(member)
    conversation = send(member, other).conversation
    run_worker()

    clock.move_to(START + THREE_DAYS - SECOND)
    run_worker()
    assert reminders(mail.outbox) == []

    clock.move_to(START + THREE_DAYS)
    run_worker()
    [email] = reminders(mail.outbox)
    assert email.to == ["grace@example.com"]
    assert email.subject == (f"Reminder: Ada Lovelace is waiting for your answer: {SUBJECT}")
    assert Conversation.objects.get(pk=conversation.pk).reminded_at == START + THREE_DAYS

    # Enqueued again (twice, say), it finds the conversation already reminded.
    tasks.remind_unanswered.enqueue(conversation_id=conversation.pk)
    clock.move_to(START + THREE_DAYS * 2)
    run_worker()
    assert len(reminders(mail.outbox)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["reply", "interested", "not interested"])
def test_an_answered_inmail_gets_no_reminder(queue, member, other, clock, how):
    from django.core import mail

    subscribe(member)
    conversation = send(member, other).conversation
    clock.move_to(START + THREE_DAYS - SECOND)
    if how == "reply":
        reply(other, conversation)
    else:
        answer(other, conversation, interested=how == "interested")

    clock.move_to(START + THREE_DAYS * 2)
    run_worker()

    assert reminders(mail.outbox) == []
    assert Conversation.objects.get(pk=conversation.pk).reminded_at is None


@pytest.mark.django_db
def test_the_reminder_is_not_sent_early_or_for_a_message(ada, other, mailoutbox):
    conversation = send(ada, other).conversation

    assert tasks.remind_unanswered.call(conversation_id=conversation.pk) == "skipped"
    connect(ada, other)
    message = services.message_send(sender=ada, recipient=other, body="Hi")
    assert tasks.remind_unanswered.call(conversation_id=message.conversation_id) == "skipped"
    assert reminders(mailoutbox) == []


# --- Retries --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_email_is_retried_logged_and_never_fails_the_send(
    ada, other, failing_mail, caplog
):
    caplog.set_level(logging.INFO, logger="inmail.tasks")

    message = send(ada, other)

    assert Message.objects.filter(pk=message.pk).exists()
    assert balance(ada) == 4
    records = [r for r in caplog.records if r.name == "inmail.tasks"]
    what = f"the recipient of InMail message {message.pk}"
    assert [(r.levelname, r.getMessage()) for r in records] == [
        *[
            (
                "WARNING",
                f"Could not email {what} (attempt {n} of {tasks.MAX_ATTEMPTS}); "
                f"retrying in {tasks.RETRY_DELAYS[n - 1]}",
            )
            for n in range(1, tasks.MAX_ATTEMPTS)
        ],
        ("ERROR", f"Gave up emailing {what} after {tasks.MAX_ATTEMPTS} attempts"),
    ]
    assert all(r.exc_info[0] is ConnectionRefusedError for r in records)


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_is_retried_later_with_a_growing_delay(
    queue, member, other, clock, settings, caplog
):
    from django.core import mail

    subscribe(member)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingEmailBackend"}}
    send(member, other)
    run_worker()

    retry = DBTaskResult.objects.get(task_path="inmail.tasks.email_new_inmail", status="READY")
    assert retry.run_after == START + tasks.RETRY_DELAYS[0]
    assert retry.args_kwargs["kwargs"]["attempt"] == 2

    clock.move_to(START + tasks.RETRY_DELAYS[0])
    run_worker()
    retry = DBTaskResult.objects.get(task_path="inmail.tasks.email_new_inmail", status="READY")
    assert retry.run_after == START + tasks.RETRY_DELAYS[0] + tasks.RETRY_DELAYS[1]

    # The mail server is back: the third attempt delivers.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    clock.move_to(retry.run_after)
    run_worker()
    assert [email.to for email in mail.outbox] == [["grace@example.com"]]
    assert (
        not DBTaskResult.objects.filter(status="READY")
        .exclude(task_path="inmail.tasks.remind_unanswered")
        .exists()
    )
