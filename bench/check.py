"""Whether every denormalised field in the database says what the rows it copies say.

The pages read the copies (a participant's last message time and unread mark, a conversation's
last message, an InMail's response, a balance from the lots); the benchmark is only worth its
numbers if they hold. Each check counts the rows that break one rule, in one query, so the
whole database is checked in a few seconds even at a million messages.
"""

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Connection, Member
from inmail.models import Conversation, Message, Participant
from premium.models import CreditGrant, LedgerEntry


class Inconsistent(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("The seeded data is inconsistent: " + "; ".join(problems))
        self.problems = problems


def _sum(queryset, field: str):
    total = queryset.order_by().values("member").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _rules():
    newest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    answer = Message.objects.filter(
        conversation=OuterRef("pk"), author=OuterRef("recipient")
    ).order_by("created_at", "id")
    inmails = Conversation.objects.filter(kind=Conversation.Kind.INMAIL)
    last_entry = LedgerEntry.objects.filter(member=OuterRef("pk")).order_by("-created_at", "-id")
    balances = Member.objects.filter(Exists(LedgerEntry.objects.filter(member=OuterRef("pk"))))
    balances = balances.annotate(
        ledger=_sum(LedgerEntry.objects.filter(member=OuterRef("pk")), "amount"),
        lots=_sum(CreditGrant.objects.filter(member=OuterRef("pk")), "remaining"),
        last=Subquery(last_entry.values("balance_after")[:1]),
    )
    return {
        "connections without their other row": Connection.objects.exclude(
            Exists(Connection.objects.filter(member=OuterRef("other"), other=OuterRef("member")))
        ),
        "conversations whose last message is not their newest": Conversation.objects.annotate(
            newest=Subquery(newest.values("pk")[:1])
        ).exclude(last_message=F("newest")),
        "conversations without their two participants": Conversation.objects.exclude(
            Exists(
                Participant.objects.filter(conversation=OuterRef("pk"), member=OuterRef("starter"))
            )
            & Exists(
                Participant.objects.filter(
                    conversation=OuterRef("pk"), member=OuterRef("recipient")
                )
            )
        ),
        "participants whose other member is wrong": Participant.objects.exclude(
            other=Case(
                When(member=F("conversation__starter"), then=F("conversation__recipient")),
                default=F("conversation__starter"),
            )
        ),
        "participants whose last message time is not the last message's": (
            Participant.objects.exclude(last_message_at=F("conversation__last_message__created_at"))
        ),
        # The bench writes no conversation as read: unread is whoever did not write last.
        "participants unread by the last author, or read by the other": (
            Participant.objects.exclude(folder=Participant.Folder.SPAM).filter(
                Q(unread=True, conversation__last_message__author=F("member"))
                | (Q(unread=False) & ~Q(conversation__last_message__author=F("member")))
            )
        ),
        "InMails whose response is not the recipient's first message": inmails.annotate(
            answered_at=Subquery(answer.values("created_at")[:1])
        ).filter(
            Q(answered_at__isnull=True) & ~Q(response=Conversation.Response.PENDING)
            | Q(answered_at__isnull=False) & Q(response=Conversation.Response.PENDING)
            | Q(answered_at__isnull=False) & ~Q(responded_at=F("answered_at"))
        ),
        "balances the ledger does not explain": balances.filter(
            ~Q(ledger=F("lots")) | ~Q(last=F("lots"))
        ),
        "lots with more left than granted": CreditGrant.objects.filter(remaining__gt=F("amount")),
    }


def problems() -> list[str]:
    """One line per rule some rows break: how many rows, and the rule."""
    return [f"{count:,} {rule}" for rule, rows in _rules().items() if (count := rows.count())]
