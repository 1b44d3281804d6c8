"""The live events' broker: in the process's memory (no REDIS_URL) and through Redis pub/sub
(every process's streams get what any process publishes), each member's events to their own
subscribers only, published after the transaction commits and never after a rollback."""

import asyncio
import concurrent.futures
import os
import threading
import uuid

import pytest
from django.db import transaction

from core import live
from tests.factories import MemberFactory

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
WAIT = 5  # seconds an expected event may take; nothing in a passing run waits this long


def redis_broker():
    # A channel prefix of its own: runs at the same time don't meet.
    return live.RedisBroker(TEST_REDIS_URL, f"test-live-{uuid.uuid4()}:")


def run(scenario):
    """Run the coroutine in a thread of its own: a test before may have left an event loop
    running in this one (Playwright's)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario).result()


async def next_event(subscription, timeout=WAIT):
    return await subscription.next(timeout=timeout)


@pytest.fixture(params=["memory", "redis"])
def brokers(request):
    """Two brokers as two server processes have them: one memory, or two Redis clients."""
    if request.param == "memory":
        broker = live.LocalBroker()
        return broker, broker
    first = redis_broker()
    second = live.RedisBroker(first.url, first.prefix)
    return first, second


def test_a_member_gets_their_events_and_only_theirs(brokers):
    publisher, subscriber = brokers

    async def scenario():
        async with (
            subscriber.subscribe(1) as ada,
            subscriber.subscribe(2) as grace,
            subscriber.subscribe(1) as ada_other_tab,
        ):
            # Published from another thread, as a request's thread does.
            await asyncio.to_thread(publisher.publish, [1], {"kind": "message", "id": 1})
            await asyncio.to_thread(publisher.publish, [2], {"kind": "row", "id": 2})
            return (
                await next_event(ada),
                await next_event(ada_other_tab),
                await next_event(grace),
            )

    ada, ada_other_tab, grace = run(scenario())

    assert ada == ada_other_tab == {"kind": "message", "id": 1}
    # Grace's first event is her own: Ada's never reached her.
    assert grace == {"kind": "row", "id": 2}


def test_after_unsubscribing_nothing_is_delivered_and_nothing_is_left_behind(brokers):
    publisher, subscriber = brokers

    async def scenario():
        async with subscriber.subscribe(1) as first:
            pass
        await asyncio.to_thread(publisher.publish, [1], {"kind": "message", "id": 1})
        async with subscriber.subscribe(1) as second:
            await asyncio.to_thread(publisher.publish, [1], {"kind": "row", "id": 2})
            return first, await next_event(second)

    first, event = run(scenario())

    assert first.queue.empty()
    assert event == {"kind": "row", "id": 2}
    local = subscriber if isinstance(subscriber, live.LocalBroker) else subscriber.local
    assert local.subscriptions() == []
    if isinstance(subscriber, live.RedisBroker):
        assert subscriber._listeners == {}


def test_an_idle_subscription_times_out_with_none():
    async def scenario():
        async with live.LocalBroker().subscribe(1) as subscription:
            return await subscription.next(timeout=0.01)

    assert run(scenario()) is None


def test_a_subscription_that_falls_behind_is_closed(monkeypatch):
    monkeypatch.setattr(live, "QUEUE_SIZE", 2)
    broker = live.LocalBroker()

    async def scenario():
        async with broker.subscribe(1) as subscription:
            for n in range(3):
                broker.publish([1], {"kind": "message", "id": n})
            await asyncio.sleep(0)  # the loop runs the deliveries
            return [await next_event(subscription) for _ in range(3)]

    events = run(scenario())

    # What it had is delivered, then it is closed: the stream ends and its page catches up.
    assert events == [{"kind": "message", "id": 0}, {"kind": "message", "id": 1}, live.CLOSED]


def test_a_lost_redis_connection_closes_the_subscriptions():
    broker = redis_broker()

    async def scenario():
        async with broker.subscribe(1) as subscription:
            listener = next(iter(broker._listeners.values()))
            await listener.pubsub.connection.disconnect()
            return await next_event(subscription)

    assert run(scenario()) == live.CLOSED


def test_the_broker_is_redis_when_redis_url_is_set_and_memory_otherwise(settings):
    live.reset_broker()
    try:
        settings.REDIS_URL = ""
        assert isinstance(live.broker(), live.LocalBroker)
        live.reset_broker()
        settings.REDIS_URL = TEST_REDIS_URL
        assert isinstance(live.broker(), live.RedisBroker)
    finally:
        live.reset_broker()


class Recorder:
    def __init__(self):
        self.published = []
        self.thread = None

    def publish(self, member_ids, event):
        self.published.append((member_ids, event))


@pytest.fixture
def recorder(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(live, "broker", lambda: recorder)
    return recorder


@pytest.mark.django_db(transaction=True)
def test_events_are_published_after_the_commit_with_an_id(recorder):
    with transaction.atomic():
        MemberFactory()
        live.publish([2, 1, 2], {"kind": "row", "conversation": 5})
        assert recorder.published == []

    [(members, event)] = recorder.published
    assert members == [1, 2]
    assert event["kind"] == "row"
    assert event["conversation"] == 5
    assert abs(event["id"] - live.now_id()) < 60_000_000


@pytest.mark.django_db(transaction=True)
def test_nothing_is_published_for_a_rolled_back_transaction(recorder):
    def rolled_back():
        with transaction.atomic():
            live.publish([1], {"kind": "row", "conversation": 5})
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        rolled_back()

    assert recorder.published == []


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_fails_never_fails_the_write(monkeypatch, caplog):
    class Down:
        def publish(self, member_ids, event):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(live, "broker", lambda: Down())
    with transaction.atomic():
        member = MemberFactory()
        live.publish([member.pk], {"kind": "row", "conversation": 5})

    assert "Redis is down" in caplog.text


def test_local_delivery_is_thread_safe():
    broker = live.LocalBroker()

    async def scenario():
        async with broker.subscribe(1) as subscription:
            threads = [
                threading.Thread(target=broker.publish, args=([1], {"id": n})) for n in range(50)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                await asyncio.to_thread(thread.join)
            return sorted([(await next_event(subscription))["id"] for _ in range(50)])

    assert run(scenario()) == list(range(50))
