from datetime import timedelta

from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from accounts.models import Member
from core.db import LoadedFast, PostgreSQLGinIndex

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 2000
# An InMail answered (reply, Interested or Not interested) within this long of being sent
# gives its sender the credit back.
CREDIT_BACK_WINDOW = timedelta(days=90)
# Search's language (inmail.selectors): English stems words ("meetings" finds "meeting") and
# leaves out stop words. The messages' full-text index is built with the same.
SEARCH_CONFIG = "english"


def search_document(field: str) -> SearchVector:
    return SearchVector(field, config=SEARCH_CONFIG)


class Conversation(LoadedFast, models.Model):
    """Everything two members wrote to each other: one conversation per pair, as on LinkedIn.

    It is an InMail when it began as one (the starter was not connected with the recipient);
    the InMail's subject and the recipient's answer stay with it.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        INMAIL = "inmail", "InMail"

    class Response(models.TextChoices):
        # Only InMail conversations are answered; a normal conversation has no response.
        NONE = "", "—"
        PENDING = "pending", "Awaiting a response"
        REPLIED = "replied", "Replied"
        INTERESTED = "interested", "Interested"
        NOT_INTERESTED = "not_interested", "Not interested"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    starter = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH, blank=True)
    response = models.CharField(max_length=16, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # When the recipient was reminded of the unanswered InMail (inmail.tasks): at most once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Whether the InMail cost its starter a credit (an InMail to an Open Profile is free).
    credit_spent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Least("starter", "recipient"),
                Greatest("starter", "recipient"),
                name="conversation_one_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(starter=F("recipient")), name="conversation_not_self"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("subject"), SUBJECT_MAX_LENGTH),
                name="conversation_subject_length",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="message", subject="", response="", credit_spent=False)
                    | (
                        Q(kind="inmail")
                        & ~Q(subject="")
                        & Q(response__in=["pending", "replied", "interested", "not_interested"])
                    )
                ),
                name="conversation_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(response__in=["", "pending"], responded_at__isnull=True)
                | Q(
                    response__in=["replied", "interested", "not_interested"],
                    responded_at__isnull=False,
                ),
                name="conversation_responded_at",
            ),
        ]
        # The admin's list, newest first.
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="conversation_newest_idx")
        ]

    def __str__(self):
        label = f"InMail “{self.subject}”" if self.is_inmail else "Conversation"
        return f"{label}: {self.starter_id} → {self.recipient_id}"

    def get_absolute_url(self):
        return reverse("inmail:thread", kwargs={"conversation_id": self.pk})

    @property
    def is_inmail(self):
        return self.kind == self.Kind.INMAIL

    @property
    def is_pending(self):
        return self.response == self.Response.PENDING

    @property
    def credit_back_until(self):
        return self.created_at + CREDIT_BACK_WINDOW


class Message(LoadedFast, models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Message"
        # The recipient's one-click answers to an InMail.
        INTERESTED = "interested", "Interested"
        NOT_INTERESTED = "not_interested", "Not interested"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    # A random key the compose form carries, so a double click or a resubmitted form
    # sends (and spends) once.
    token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "token"],
                condition=Q(token__isnull=False),
                name="message_token_once",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="message_body_length",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=["text", "interested", "not_interested"]),
                name="message_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="message_thread_idx"),
            # Messaging's search: the body's tsvector, on PostgreSQL only (migration 0005).
            PostgreSQLGinIndex(search_document("body"), name="message_body_search"),
        ]

    def __str__(self):
        return f"{self.author_id}: {self.body[:40]}"


class Participant(LoadedFast, models.Model):
    """One member's side of a conversation: where they keep it and whether they've read it.

    `other` and `last_message_at` are copies from the conversation, so that an inbox page is
    one range of the (member, folder, last_message_at) index.
    """

    class Folder(models.TextChoices):
        INBOX = "inbox", "Inbox"
        ARCHIVED = "archived", "Archived"
        SPAM = "spam", "Spam"

    class SpamReason(models.TextChoices):
        # Asked when the member reports the conversation, for staff looking into reports.
        NONE = "", "—"
        SPAM = "spam", "Spam"
        SCAM = "scam", "Scam or fraud"
        FAKE_ACCOUNT = "fake_account", "Fake account"
        HARASSMENT = "harassment", "Harassment"
        OTHER = "other", "Something else"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", db_index=False)
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    folder = models.CharField(max_length=10, choices=Folder.choices, default=Folder.INBOX)
    unread = models.BooleanField(default=False)
    last_message_at = models.DateTimeField(default=timezone.now)
    # Why the member reported it, while it is in Spam (blank for reports made in bulk).
    spam_reason = models.CharField(max_length=16, choices=SpamReason.choices, blank=True)
    # When the member last opened the conversation or wrote in it: the other member's
    # "Seen" (inmail.selectors.read_receipt). Mark unread leaves it (inmail.services).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "member"], name="participant_once_per_conversation"
            ),
            models.CheckConstraint(condition=~Q(member=F("other")), name="participant_not_self"),
            models.CheckConstraint(
                condition=Q(folder__in=["inbox", "archived", "spam"]),
                name="participant_folder_valid",
            ),
            models.CheckConstraint(
                condition=Q(spam_reason="")
                | Q(
                    folder="spam",
                    spam_reason__in=["spam", "scam", "fake_account", "harassment", "other"],
                ),
                name="participant_spam_reason_valid",
            ),
        ]
        indexes = [
            models.Index(
                F("member"),
                F("folder"),
                F("last_message_at").desc(),
                F("id").desc(),
                name="participant_inbox_idx",
            ),
            models.Index(
                fields=["member"],
                condition=Q(unread=True, folder="inbox"),
                name="participant_unread_idx",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} in {self.conversation_id} ({self.folder})"

    @property
    def is_read(self) -> bool:
        """Whether the member has read up to the last message (a message that arrived in
        Spam is not unread, but not read either)."""
        return not self.unread and self.read_at is not None and self.read_at >= self.last_message_at
