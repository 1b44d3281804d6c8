"""Live events: what a service publishes after its transaction commits, and what each
member's open pages (their streams) receive.

An event is a small dict of ids and a kind, e.g. {"kind": "message", "conversation": 42,
"message": 7}, never text a member wrote: the stream that receives it reads what its member
may see from the database. `publish` stamps it with `id`, the time it was published in
microseconds, which the stream sends as the SSE event id (a page that reconnects catches up
from the database since then).

Two backends, chosen by settings.REDIS_URL:
- without it, the process's own memory: the publisher hands the event to the subscribers of
  this process (enough for `make run`, a single process);
- with it, Redis pub/sub (redis-py's asyncio client): one channel per member, one connection
  per server process subscribed to the channels of the members it has streams for, so an
  event published by any process (a web worker, the task worker) reaches every stream.
Delivery is best effort, as pub/sub is: a stream that falls behind or loses Redis ends, and
the page reconnects and catches up from the database.
"""

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterable
from contextlib import suppress

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Events a slow stream may have waiting; past that it ends (and its page catches up).
QUEUE_SIZE = 256
# What a subscription yields once it may have missed events.
CLOSED = {"kind": "closed"}


def now_id() -> int:
    """An event id: the time in microseconds."""
    return time.time_ns() // 1000


def publish(member_ids: Iterable[int], event: dict) -> None:
    """Send `event` to every stream of each member, once the current transaction commits
    (at once outside one). A failure to publish is logged and never reaches the caller: the
    write has committed, and the pages catch up when they next connect."""
    members = sorted(set(member_ids))

    def send():
        broker().publish(members, {**event, "id": now_id()})

    transaction.on_commit(send, robust=True)


class Subscription:
    """One stream's events, in the stream's event loop. `closed` once it may have missed
    some (it fell behind, or the broker lost its connection): the stream then ends."""

    def __init__(self, member_id: int):
        self.member_id = member_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[dict] = asyncio.Queue(QUEUE_SIZE)
        self.closed = False

    def deliver(self, event: dict) -> None:
        """Called in the subscription's loop."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        self.closed = True
        with suppress(asyncio.QueueFull):
            self.queue.put_nowait(CLOSED)

    async def next(self, timeout: float) -> dict | None:
        """The next event, or None after `timeout` seconds without one. After `close`, an
        event of kind "closed"."""
        if self.closed and self.queue.empty():
            return CLOSED
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class Subscribing:
    """`async with broker.subscribe(member_id) as subscription`. A class rather than an
    async generator: a stream's generator, when it is closed, leaves the block from
    `__aexit__` without a second generator to finalize."""

    def __init__(self, broker, member_id: int):
        self.broker = broker
        self.member_id = member_id
        self.subscription: Subscription | None = None

    async def __aenter__(self) -> Subscription:
        self.subscription = Subscription(self.member_id)
        try:
            await self.broker._enter(self.subscription)
        except BaseException:
            await self.broker._exit(self.subscription)
            raise
        return self.subscription

    async def __aexit__(self, *exc_info) -> None:
        await self.broker._exit(self.subscription)


class LocalBroker:
    """Subscribers of this process, by member. Thread-safe: services publish from the
    request's thread, while the streams wait in the event loop."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subscriptions: dict[int, set[Subscription]] = {}

    def add(self, subscription: Subscription) -> bool:
        """True when it is the member's first subscription here."""
        with self._lock:
            members = self._subscriptions.setdefault(subscription.member_id, set())
            members.add(subscription)
            return len(members) == 1

    def remove(self, subscription: Subscription) -> bool:
        """True when it was the member's last subscription here."""
        with self._lock:
            members = self._subscriptions.get(subscription.member_id, set())
            members.discard(subscription)
            if members:
                return False
            self._subscriptions.pop(subscription.member_id, None)
            return True

    def deliver(self, member_id: int, event: dict) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions.get(member_id, ()))
        for subscription in subscriptions:
            try:
                subscription.loop.call_soon_threadsafe(subscription.deliver, event)
            except RuntimeError:  # its loop has closed: the stream is gone
                self.remove(subscription)

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            return [s for members in self._subscriptions.values() for s in members]

    def publish(self, member_ids: list[int], event: dict) -> None:
        for member_id in member_ids:
            self.deliver(member_id, event)

    def subscribe(self, member_id: int) -> "Subscribing":
        return Subscribing(self, member_id)

    async def _enter(self, subscription: Subscription) -> None:
        self.add(subscription)

    async def _exit(self, subscription: Subscription) -> None:
        self.remove(subscription)


class RedisBroker:
    """Redis pub/sub: a channel per member (`settings.LIVE_CHANNEL_PREFIX` + id).

    Publishing is one PUBLISH per member through the synchronous client (services run in
    threads). Each event loop that has streams keeps one pub/sub connection, subscribed to
    the channels of its members, and a task that hands what arrives to the local
    subscribers; it closes with the loop's last stream.
    """

    def __init__(self, url: str, prefix: str):
        import redis

        self.url = url
        self.prefix = prefix
        self.client = redis.Redis.from_url(url)
        self.local = LocalBroker()
        self._listeners: dict[asyncio.AbstractEventLoop, _Listener] = {}

    def channel(self, member_id: int) -> str:
        return f"{self.prefix}{member_id}"

    def publish(self, member_ids: list[int], event: dict) -> None:
        data = json.dumps(event)
        with self.client.pipeline(transaction=False) as pipe:
            for member_id in member_ids:
                pipe.publish(self.channel(member_id), data)
            pipe.execute()

    def subscribe(self, member_id: int) -> "Subscribing":
        return Subscribing(self, member_id)

    async def _enter(self, subscription: Subscription) -> None:
        listener = self._listeners.get(subscription.loop)
        if listener is None:
            listener = self._listeners[subscription.loop] = _Listener(self)
        listener.streams += 1
        if self.local.add(subscription):
            await listener.subscribe(self.channel(subscription.member_id))

    async def _exit(self, subscription: Subscription) -> None:
        listener = self._listeners[subscription.loop]
        last_here = self.local.remove(subscription)
        listener.streams -= 1
        if listener.streams == 0:
            self._listeners.pop(subscription.loop, None)
            await listener.close()
        elif last_here:
            await listener.unsubscribe(self.channel(subscription.member_id))


class _Listener:
    """One event loop's pub/sub connection and the task reading it."""

    def __init__(self, broker: RedisBroker):
        import redis.asyncio

        self.broker = broker
        self.client = redis.asyncio.Redis.from_url(broker.url)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.task: asyncio.Task | None = None
        self.streams = 0

    async def subscribe(self, channel: str) -> None:
        await self.pubsub.subscribe(channel)
        if self.task is None:
            self.task = asyncio.create_task(self._read())

    async def unsubscribe(self, channel: str) -> None:
        try:
            await self.pubsub.unsubscribe(channel)
        except Exception:  # the connection is gone: nothing left to unsubscribe from
            logger.debug("Could not unsubscribe from %s", channel, exc_info=True)

    async def _read(self) -> None:
        prefix = self.broker.prefix
        try:
            async for message in self.pubsub.listen():
                if message["type"] != "message":
                    continue
                member_id = int(message["channel"].decode()[len(prefix) :])
                self.broker.local.deliver(member_id, json.loads(message["data"]))
        except asyncio.CancelledError:
            raise
        except Exception:
            # Events may have been lost: every stream of this loop ends, and its page
            # reconnects and catches up from the database.
            logger.warning("Lost the live events' Redis connection", exc_info=True)
            loop = asyncio.get_running_loop()
            for subscription in self.broker.local.subscriptions():
                if subscription.loop is loop:
                    subscription.close()

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self.task
        try:
            await self.pubsub.aclose()
            await self.client.aclose()
        except Exception:
            logger.debug("Could not close the live events' Redis connection", exc_info=True)


_broker = None
_broker_lock = threading.Lock()


def broker() -> LocalBroker | RedisBroker:
    """The process's broker, as the settings choose it (made on first use)."""
    global _broker
    with _broker_lock:
        if _broker is None:
            _broker = (
                RedisBroker(settings.REDIS_URL, settings.LIVE_CHANNEL_PREFIX)
                if settings.REDIS_URL
                else LocalBroker()
            )
        return _broker


def reset_broker() -> None:
    """Forget the broker, so that the next use follows the settings again (tests)."""
    global _broker
    with _broker_lock:
        _broker = None


def subscribe(member_id: int):
    """`async with subscribe(member_id) as subscription`: the member's events from now on,
    until the block ends."""
    return broker().subscribe(member_id)
