"""The demo accounts' conversations, once everyone exists and the demo accounts have plans.

With each demo account, two or three of its connections exchange a few messages; Premium
members who have spent credits before send it two InMails (it answered one, the other waits,
unread). The Premium demo accounts send two paid InMails to 3rd+ members (one answered
Interested, so its credit came back), free one free InMail to an Open Profile, and essentials
one of each (its paid one was answered, so it keeps its 5 credits).

The InMails are written through `inmail.services`, as members write them, so that each one
spends and credits back through premium's services: every credit is in the ledger as for any
member, and the InMails keep the times of their ledger entries, the seeding's own. The
conversations between connections cost nothing and are history: `inmail.bulk` writes them
at the end, spread over the last two weeks. Nobody is emailed: the addresses are made up.
"""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Member
from demo.graph import MINUTES_PER_DAY, DemoData, demo_connections, two_hops
from demo.text import (
    CHATS,
    DEMO_ACCOUNTS,
    FOLLOW_UPS,
    INMAIL_REPLIES,
    INMAIL_TOPICS,
    NETWORKING_INMAILS,
    RECEIVED_INMAILS,
)
from inmail import selectors as inmail_selectors
from inmail import services as inmail_services
from inmail.bulk import NewConversation, NewMessage, conversations_bulk_create
from inmail.models import Conversation, Message

# The InMails each demo account sends, as (to an Open Profile, the recipient's response).
# essentials keeps its 5 credits: its one paid InMail is answered, so the credit comes back.
PENDING = Conversation.Response.PENDING
DEMO_INMAILS = {
    "free": ((True, PENDING),),
    "essentials": ((True, PENDING), (False, Conversation.Response.REPLIED)),
    **{
        key: ((False, Conversation.Response.INTERESTED), (False, PENDING))
        for key in ("pro", "business", "recruiter", "sales")
    },
}
# Candidates for a demo account's correspondents, drawn once per kind: enough for every demo
# account, without walking a crowd of any size.
CANDIDATES = 400
# Conversations between connections happened within this many minutes before seeding.
CHAT_MIN_MINUTES = 3 * 60
CHAT_MAX_MINUTES = 14 * MINUTES_PER_DAY


class _Candidates:
    """Up to CANDIDATES members drawn once, in random order, offered in turn: whoever fits is
    taken and the next request starts after them, so that the demo accounts' correspondents
    differ while there are enough, and repeat only in a small crowd."""

    def __init__(self, rng: random.Random, members):
        self.members = rng.sample(members, min(CANDIDATES, len(members)))
        self.next = 0

    def take(self, fits) -> int | None:
        count = len(self.members)
        for step in range(count):
            position = (self.next + step) % count
            if fits(self.members[position]):
                self.next = (position + 1) % count
                return self.members[position]
        return None


class DemoConversations:
    """The demo accounts' conversations (see the module's docstring). Members are numbered as
    in `DemoData.profiles`; the choices come from the data's conversation seed and, for who may
    write to whom, from the services themselves, so a seed gives the same conversations every
    time."""

    def __init__(self, data: DemoData, pks: list[int]):
        self.data, self.pks = data, pks
        self.rng = random.Random(data.conversation_seed)
        demo = len(DEMO_ACCOUNTS)
        ids = Member.objects.in_bulk(pks[:demo])
        self.members: dict[int, Member] = {number: ids[pks[number]] for number in range(demo)}
        self.first = demo_connections(data.edges)
        self.near = two_hops(data.edges, self.first)
        self.pairs: set[tuple[int, int]] = set()
        # Conversations between connections, written last: (connected, [(author, to, body)]).
        self.chats: list[tuple[int, list[tuple[int, int, str]]]] = []

    def write(self) -> int:
        if len(self.data.profiles) == len(DEMO_ACCOUNTS):
            return 0
        rng, subscribers = self.rng, self.data.subscribers
        # InMails come from Premium members who already write them (their history shows
        # credits spent), so that the crowd keeps members who have not written one yet.
        senders = _Candidates(rng, [each.member for each in subscribers if each.spent])
        open_profiles = _Candidates(rng, [each.member for each in subscribers if each.open_profile])
        strangers = _Candidates(rng, range(len(DEMO_ACCOUNTS), len(self.data.profiles)))
        for number, account in enumerate(DEMO_ACCOUNTS):
            self._chat_with_connections(number)
            self._receive_inmails(number, senders)
            topic = INMAIL_TOPICS.get(account.key, NETWORKING_INMAILS)
            inmails = DEMO_INMAILS.get(account.key, ())
            for (open_profile, response), (subject, body) in zip(
                inmails, rng.sample(topic, len(inmails)), strict=True
            ):
                pool = open_profiles if open_profile else strangers
                self._send_inmail(number, pool, open_profile, response, subject, body)
        self._write_chats()
        return len(self.pairs)

    def member(self, number: int) -> Member:
        if number not in self.members:
            self.members[number] = Member.objects.get(pk=self.pks[number])
        return self.members[number]

    def send(self, author: int, to: int, body: str, subject: str = "") -> Message:
        sender, recipient = self.member(author), self.member(to)
        self.pairs.add((min(author, to), max(author, to)))
        return inmail_services.message_send(
            sender=sender,
            recipient=recipient,
            body=body.format(first=recipient.first_name, me=sender.first_name),
            subject=subject,
            notify=False,  # the demo addresses are made up
        )

    def is_new_pair(self, a: int, b: int) -> bool:
        return (min(a, b), max(a, b)) not in self.pairs

    def compose(self, sender: int, recipient: int) -> inmail_selectors.Compose:
        return inmail_selectors.compose_options(
            sender=self.member(sender), recipient=self.member(recipient)
        )

    def _chat_with_connections(self, number: int) -> None:
        """Two or three of the account's connections, each with a chat to write at the end:
        a message to a connection is always allowed and costs nothing."""
        rng, profiles = self.rng, self.data.profiles
        friends = sorted(other for other in self.first[number] if other >= len(DEMO_ACCOUNTS))
        friends = rng.sample(friends, min(len(friends), rng.randint(2, 3)))
        for friend, script in zip(friends, rng.sample(CHATS, len(friends)), strict=True):
            # Some are a single message still waiting for its reply.
            length = 1 if rng.random() < 0.2 else rng.randint(2, len(script))
            authors = (number, friend) if rng.random() < 0.5 else (friend, number)
            self.pairs.add((min(number, friend), max(number, friend)))
            lines = []
            for turn in range(length):
                author, to = authors[turn % 2], authors[(turn + 1) % 2]
                body = script[turn].format(
                    first=profiles[to].first_name, me=profiles[author].first_name
                )
                lines.append((author, to, body))
            self.chats.append((self.data.edges[min(number, friend), max(number, friend)], lines))

    def _receive_inmails(self, number: int, senders: _Candidates) -> None:
        """An InMail from a Premium member the account answered, then one still unread."""

        def fits(sender: int) -> bool:
            # A connection's message is not an InMail; compose_options checks the credits.
            return (
                sender not in self.first[number]
                and self.is_new_pair(sender, number)
                and self.compose(sender, number).is_inmail
            )

        for answered in (True, False):
            sender = senders.take(fits)
            if sender is None:
                return
            subject, body = self.rng.choice(RECEIVED_INMAILS)
            message = self.send(sender, number, body, subject)
            if not answered:
                continue
            if self.rng.random() < 0.7:
                self.send(number, sender, self.rng.choice(INMAIL_REPLIES))
            else:
                inmail_services.inmail_answer(
                    member=self.member(number),
                    conversation_id=message.conversation_id,
                    interested=False,
                    notify=False,
                )

    def _send_inmail(
        self,
        number: int,
        pool: _Candidates,
        open_profile: bool,
        response: str,
        subject: str,
        body: str,
    ) -> None:
        """A free InMail to an Open Profile (not a connection), or a paid one to a 3rd+ member."""

        def fits(recipient: int) -> bool:
            if recipient in (self.first[number] if open_profile else self.near[number]):
                return False
            if not self.is_new_pair(number, recipient):
                return False
            compose = self.compose(number, recipient)
            return compose.is_inmail and compose.open_profile == open_profile

        recipient = pool.take(fits)
        if recipient is None:
            return
        message = self.send(number, recipient, body, subject)
        if response == Conversation.Response.INTERESTED:
            inmail_services.inmail_answer(
                member=self.member(recipient),
                conversation_id=message.conversation_id,
                interested=True,
                notify=False,
            )
            if self.rng.random() < 0.5:
                self.send(number, recipient, self.rng.choice(FOLLOW_UPS))
        elif response == Conversation.Response.REPLIED:
            self.send(recipient, number, self.rng.choice(INMAIL_REPLIES))

    def _write_chats(self) -> None:
        """The conversations between connections, spread over the last two weeks: each after
        its connection, its messages minutes to hours apart, oldest first."""
        now = timezone.now()
        conversations = []
        for connected, lines in self.chats:
            low = min(CHAT_MIN_MINUTES, connected - 1)
            ago = self.rng.randrange(low, max(low + 1, min(connected, CHAT_MAX_MINUTES)))
            messages = []
            for author, _to, body in lines:
                messages.append(
                    NewMessage(
                        author_id=self.pks[author],
                        body=body,
                        created_at=now - timedelta(minutes=ago),
                    )
                )
                ago = max(ago // 2, ago - self.rng.randint(3, 5 * 60))
            starter, recipient = lines[0][0], lines[0][1]
            conversations.append(
                NewConversation(
                    starter_id=self.pks[starter],
                    recipient_id=self.pks[recipient],
                    messages=messages,
                )
            )
        conversations_bulk_create(conversations)
